"""Catalogue entries: sheets (see villageeval._catalogue).

The labels of the 汇总表 workbook a township fills in (:mod:`villageeval.office._template`):
sheet names, the two rows of headers, the drop-down values of a yes/no fact, the messages
of the data validations, and the cover sheet's headings and instructions. What the scheme
writes (role labels, instrument titles, tier labels, categories, fact labels) is shown as
the scheme writes it and is not here.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # --- sheet names ---
    "sheets.cover.sheet": ("About", "说明"),
    # --- the first header row: what a block of columns is ---
    "sheets.group.subject": ("Subject", "基本信息"),
    "sheets.group.groups": ("Groups", "分组"),
    "sheets.group.instrument": ("{title} ({clause})", "{title}({clause})"),
    "sheets.group.facts": ("Facts recorded", "有关情形"),
    "sheets.group.history": ("Earlier final grades", "往期评定等次"),
    "sheets.group.outcomes": ("Grades in linked assessments", "关联考核等次"),
    "sheets.group.notes": ("Notes", "备注"),
    # --- the second header row: one column ---
    "sheets.header.id": ("ID (unique)", "编号(不得重复)"),
    "sheets.header.name": ("Name", "姓名(名称)"),
    "sheets.header.role": ("Role", "考核对象类别"),
    "sheets.header.unit": ("Village", "所在村(社区)"),
    "sheets.header.expected": ("Expected to respond", "应到人数"),
    "sheets.header.coverage_count": ("{category}: covered", "{category}(已覆盖)"),
    "sheets.header.coverage_of": ("{category}: in all", "{category}(总人数)"),
    "sheets.header.stratum_name": ("{stratum} {n}", "{stratum}{n}"),
    "sheets.header.stratum_count": ("{stratum} {n}: respondents", "{stratum}{n}人数"),
    "sheets.header.tier": ("Tier", "评定等次"),
    "sheets.header.value": ("Score", "得分"),
    "sheets.header.bonus": ("{label} (bonus, at most {max})", "{label}(加分,最多{max}分)"),
    "sheets.header.item": ("{label} (at most {max})", "{label}(满分{max}分)"),
    "sheets.header.deduction": ("{label} (deducted)", "{label}(扣分)"),
    "sheets.header.fact_default": ("{label} (if empty: {default})", "{label}(空白按“{default}”)"),
    "sheets.header.id_of": ("ID of the subject", "考核对象编号"),
    "sheets.header.as_of": ("Ledger as of (date)", "台账截止日期"),
    "sheets.header.pledge": ("Item (as worded)", "承诺事项(原文)"),
    "sheets.header.problem": ("Problem", "问题"),
    "sheets.header.found": ("Found on", "发现日期"),
    "sheets.header.deadline": ("Deadline", "整改时限"),
    "sheets.header.closed": ("Closed on", "销号日期"),
    "sheets.header.verified": ("Closure verified", "是否验收通过"),
    "sheets.word.stratum": ("stratum", "抽样分层"),
    # --- the values of a yes/no fact's drop-down ---
    "sheets.value.yes": ("yes", "是"),
    "sheets.value.no": ("no", "否"),
    # --- data validation messages ---
    "sheets.check.title": ("Not accepted", "输入有误"),
    "sheets.check.count": ("A whole number, 0 or more.", "请填写不小于0的整数。"),
    "sheets.check.choice": ("Choose a value from the list.", "请从下拉列表中选择。"),
    "sheets.check.range": ("A number from {low} to {high}.", "请填写{low}至{high}之间的数。"),
    "sheets.check.at_least": ("A number, {low} or more.", "请填写不小于{low}的数。"),
    "sheets.check.number": ("A number.", "请填写数字。"),
    "sheets.check.date": ("A date (2015-06-30).", "请填写日期(如2015-06-30)。"),
    # --- the cover sheet ---
    "sheets.cover.scheme": ("Scheme", "考核方案"),
    "sheets.cover.period": ("Period", "考核期间"),
    "sheets.cover.locality": ("Locality", "实施地区"),
    "sheets.cover.document": ("Document", "依据文件"),
    "sheets.cover.title": ("Title of the document", "文件标题"),
    "sheets.cover.issuer": ("Issued by", "发文单位"),
    "sheets.cover.date": ("Date", "发文日期"),
    "sheets.cover.section": ("Sections", "适用部分"),
    "sheets.cover.how": ("How to fill in this workbook", "填表说明"),
    "sheets.cover.step.sheets": (
        "Each sheet after this one is for one role: one row per subject, one column per figure.",
        "本页之后每个工作表对应一类考核对象,每行填写一个对象,每列填写一项数据。",
    ),
    "sheets.cover.step.id": (
        "The ID is required and must be unique in the whole workbook; the role column is filled in: leave it.",
        "“编号”必须填写,且在整个工作簿中不得重复;“考核对象类别”已预先填好,请勿改动。",
    ),
    "sheets.cover.step.counts": (
        "Ballots and people are whole numbers of 0 or more; write 0 for a tier nobody chose, never leave it "
        "empty. Leave every cell of an instrument empty when it has no evidence.",
        "票数、人数填写不小于0的整数;某一等次无人选择时填“0”,不要留空。某一测评项目没有材料时,该项目各列全部留空。",
    ),
    "sheets.cover.step.choices": (
        "Tiers, grades and yes/no facts are chosen from each cell's drop-down list. An empty fact is not "
        "recorded: the scheme's default applies where the header shows one.",
        "等次和“是/否”从单元格的下拉列表中选择。有关情形留空表示未记录;表头注明空白按何值处理的,按该值处理。",
    ),
    "sheets.cover.step.strata": (
        "Where respondents are counted per {strata}, write each one's name and count in a pair of columns.",
        "按{strata}统计的,每个名称及其人数成对填写在相邻两列。",
    ),
    "sheets.cover.step.lists": (
        "Items and entries ({lists}) have sheets of their own: one row per item or entry, the subject's ID in "
        "its first column, as many rows as the subject has. A subject with no rows and nothing in the role "
        "sheet's column for it has no evidence.",
        "{lists}另设工作表:每个事项或问题填写一行,第一列填写考核对象编号,有几项填几行。"
        "某一对象在该表中没有行、且考核对象工作表中相应列为空的,视为没有该项材料。",
    ),
    "sheets.cover.step.keys": (
        "Row 3 of each sheet (hidden) holds the column names the program reads: do not delete or change "
        "it, and do not insert, delete or move columns.",
        "各工作表第3行(已隐藏)是程序读取用的列名,请勿删除或修改;请勿插入、删除或调换列。",
    ),
    "sheets.cover.step.csv": (
        "Give the workbook back as it is, or save each sheet as a CSV file (UTF-8 or GBK).",
        "填好后直接报送本工作簿,或将各工作表分别另存为CSV文件(UTF-8或GBK编码均可)。",
    ),
    "sheets.cover.sheets": ("Sheets", "工作表"),
    "sheets.cover.instruments": ("What is recorded, and where the document says so", "测评项目及依据条款"),
    "sheets.cover.column.instrument": ("Instrument", "测评项目"),
    "sheets.cover.column.clause": ("Clause", "条款"),
    "sheets.cover.column.kind": ("How it is recorded", "填写方式"),
    "sheets.cover.column.roles": ("For", "适用对象"),
    "sheets.cover.facts": ("Facts recorded", "有关情形"),
    "sheets.cover.column.fact": ("Fact", "情形"),
    "sheets.cover.column.source": ("Established by", "认定单位"),
    "sheets.kind.ballot": ("ballots per tier", "按等次填写票数"),
    "sheets.kind.rating": ("one tier", "选择一个等次"),
    "sheets.kind.score": ("a score from {low} to {high}", "填写{low}至{high}分"),
    "sheets.kind.points": ("points per item", "分项填写得分"),
    "sheets.kind.item_ballot": (
        "ballots per tier for each item, in sheet {sheet}",
        "在“{sheet}”表中逐项填写各等次票数",
    ),
    "sheets.kind.ledger": ("one row per problem, in sheet {sheet}", "在“{sheet}”表中每个问题填写一行"),
}
