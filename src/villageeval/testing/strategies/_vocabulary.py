"""The words of generated schemes and cohorts: roles, tiers, facts, rules, places.

Taken from the documents villageeval encodes, so that a failing example reads like a
real scheme (村“两委”班子, 民主测评 with 好/较好/一般/差, 受到党纪政务处分的) and
labels with Chinese text go through every path.
"""

from __future__ import annotations

from fractions import Fraction

__all__ = [
    "ALL_TIERS",
    "ASSESSMENTS",
    "BALLOT_TIERS",
    "BOOL_FACTS",
    "GIVEN_BY",
    "GRADE_TIERS",
    "HALF_YEARS",
    "ITEMS",
    "LOCALITIES",
    "NUMBER_FACTS",
    "PEOPLE",
    "PERIODS",
    "PER_KEYS",
    "PLEDGES",
    "PROBLEMS",
    "ROLE_POOL",
    "RULE_NAMES",
    "RULE_TEXTS",
    "SCHEME_IDS",
    "SHARES",
    "SITES",
    "STRATUM_LABELS",
    "STRATUM_NAMES",
    "VILLAGES",
]

ROLE_POOL: tuple[tuple[str, str], ...] = (
    ("team", "村“两委”班子"),
    ("secretary", "村党组织书记"),
    ("member", "班子成员"),
    ("director", "村委会主任"),
    ("workteam", "驻村工作队"),
)
GRADE_TIERS: tuple[tuple[str, ...], ...] = (
    ("优秀", "称职", "基本称职", "不称职"),
    ("好", "较好", "一般", "差"),
    ("优秀", "良好", "合格", "不合格"),
    ("好", "一般", "差"),
    ("优秀", "合格", "基本合格", "不合格"),
    ("合格", "不合格"),
)
BALLOT_TIERS: tuple[tuple[str, ...], ...] = (
    ("好", "较好", "一般", "差"),
    ("优秀", "称职", "基本称职", "不称职"),
    ("满意", "基本满意", "不满意"),
    ("好", "一般", "差"),
    ("优秀", "良好", "一般", "较差"),
)
#: Every tier any generated scale may have: a tier outside a scale is drawn from these.
ALL_TIERS = tuple(sorted({t for tiers in (*GRADE_TIERS, *BALLOT_TIERS) for t in tiers}))
PEOPLE = ("包村干部", "村干部", "驻村工作队员", "党员代表", "村民代表")
SITES = ("乡村建设项目", "人居环境整治", "集体经济项目", "党群服务中心")
STRATUM_LABELS = ("自然村", "村民小组", "")
STRATUM_NAMES = ("王家庄", "李家湾", "上庄", "下庄", "河口", "沟门", "岔口", "新村")
VILLAGES = ("北关村", "西岔村", "东风村", "新庄村", "王家岔村", "杨集村", "红星村", "郭城村", "大沟村", "柳树湾村")
BOOL_FACTS: tuple[tuple[str, str], ...] = (
    ("disciplined", "受到党纪政务处分"),
    ("admonished", "受到诫勉谈话"),
    ("absentee", "任职不到村，“遥控指挥”"),
    ("serious_problems", "发现问题严重，需组织处理"),
    ("on_leave", "长期病休"),
    ("training_missed", "未完成年度培训"),
)
NUMBER_FACTS: tuple[tuple[str, str, int, int], ...] = (
    ("months_in_office", "任现职月数", 0, 60),
    ("complaints", "有效信访投诉件数", 0, 10),
    ("years_in_office", "任村党组织书记年数", 0, 30),
    ("training_hours", "年度培训学时", 0, 80),
)
ITEMS: tuple[tuple[str, str], ...] = (
    ("party", "党的建设"),
    ("economy", "产业发展"),
    ("safety", "安全稳定"),
    ("environment", "人居环境整治"),
    ("petition", "信访维稳"),
    ("services", "为民服务"),
)
#: Pledge items put to the vote one by one (承诺事项), for item ballots.
PLEDGES = (
    "修通村组道路",
    "新建村文化广场",
    "发展养殖合作社",
    "改造危旧房",
    "安装太阳能路灯",
    "整治村内河道",
    "建设安全饮水工程",
    "开展实用技能培训",
)
#: Problems on a rectification ledger (问题清单), for ledgers.
PROBLEMS = (
    "补齐配强支委班子",
    "清理村级“三资”",
    "发展村级集体经济",
    "化解信访积案",
    "规范组织生活",
    "整治宗族干扰",
    "建设党群服务中心",
)
GIVEN_BY = ("乡党委", "研判工作组", "乡镇考核组")
SHARES = tuple(Fraction(x) for x in ("0", "1/10", "1/5", "1/4", "3/10", "1/3", "2/5", "1/2", "1"))
PER_KEYS = ("township", "area")
ASSESSMENTS = ("shuzhi-2023", "review-2023")
LOCALITIES: tuple[tuple[str, str | None], ...] = (
    ("会宁县", "620422"),
    ("青石县", None),
    ("某县", None),
    ("东乡", None),
)
PERIODS = ("2024", "2023", "2024下半年", "")
#: The order of the half-year periods (oldest first), declared by a scheme whose period is one.
HALF_YEARS = ("2022上半年", "2022下半年", "2023上半年", "2023下半年", "2024上半年", "2024下半年")
SCHEME_IDS = ("generated-2024", "qingshi-annual-2024", "mouxian-shuzhi-2023", "test-scheme")
RULE_NAMES: dict[str, tuple[str, ...]] = {
    "eligibility": ("new_in_office", "on_leave"),
    "vetoes": ("discipline", "absentee", "dissatisfied", "extortion"),
    "caps": ("last_review", "admonished", "weak_appraisal"),
    "quotas": ("top_share", "excellent_cap", "rectify", "min_fair"),
    "rankings": ("composite", "order", "town_order"),
    "findings": ("weak_appraisal_found", "lax_records", "petitions"),
    "consequences": ("praise", "talk", "adjust", "referral"),
}
RULE_TEXTS: dict[str, tuple[str, ...]] = {
    "eligibility": ("任现职不满6个月的，参加考核但不确定等次", "因病休假超过半年的，不确定等次"),
    "vetoes": ("受到党纪政务处分的", "任职不到村，“遥控指挥”的", "群众满意度测评“不满意”超过半数的"),
    "caps": ("上一年度述职评议为“一般”或“差”的，不得评为“优秀”", "受到诫勉谈话的，不得评为优秀"),
    "quotas": ("评定为优秀的不超过参评总数的30%", "确定为不合格的村原则上不低于参评村总数的5%"),
    "rankings": ("对村干部考评情况进行综合排名", "各乡镇分别排名"),
    "findings": ("民主测评满意率偏低", "组织生活不规范", "信访问题突出"),
    "consequences": ("通报表扬", "约谈，限期整改", "连续两年“不合格”的，按程序予以调整"),
}
