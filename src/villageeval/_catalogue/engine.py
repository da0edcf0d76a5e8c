"""Catalogue entries: the engine's reasons, trace steps, quota notes and warnings.

Each key is the code a message is known by; the English template writes exactly the
message the API gives (``Reason.message``, ``TraceStep.message``), the Chinese one what a
township committee reads. Parameters are filled in already shown (quoted ids, decimals):
a template never formats a number itself, so both languages show the same figures.

Keys: ``code.<reason code>`` names a reason code (its English is the code itself);
``hint.*``, ``evidence.*``, ``fact.*``, ``history.*``, ``ballot.*``, ``coverage.*``,
``points.*``, ``rating.*``, ``score.*`` are reasons; ``step.*`` trace steps; ``quota.*``
quota notes and warnings; ``word.*`` words filled into other messages.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # --- reason codes, as a step or a table names them -----------------------------------
    "code.missing_evidence": ("missing_evidence", "缺少证据"),
    "code.invalid_evidence": ("invalid_evidence", "证据无效"),
    "code.unknown_tier": ("unknown_tier", "未知档次"),
    "code.invalid_count": ("invalid_count", "人数或票数无效"),
    "code.too_few_respondents": ("too_few_respondents", "参评人数不足"),
    "code.too_many_respondents": ("too_many_respondents", "参评人数过多"),
    "code.below_quorum": ("below_quorum", "到会人数不足"),
    "code.coverage_incomplete": ("coverage_incomplete", "参评人员类别不全"),
    "code.strata_missing": ("strata_missing", "缺少分层人数"),
    "code.stratum_out_of_range": ("stratum_out_of_range", "分层人数不在规定范围"),
    "code.strata_mismatch": ("strata_mismatch", "分层人数与票数不符"),
    "code.out_of_range": ("out_of_range", "超出范围"),
    "code.missing_fact": ("missing_fact", "缺少事实"),
    "code.invalid_fact": ("invalid_fact", "事实无效"),
    "code.unknown_fact": ("unknown_fact", "未定义的事实"),
    "code.invalid_history": ("invalid_history", "历年结果无效"),
    "code.missing_history": ("missing_history", "缺少历年结果"),
    "code.no_total": ("no_total", "无总分"),
    "code.missing_outcome": ("missing_outcome", "缺少关联考核结果"),
    "code.invalid_outcome": ("invalid_outcome", "关联考核结果无效"),
    "code.ineligible": ("ineligible", "不参加评定"),
    "code.ruled_insufficient": ("ruled_insufficient", "依规定证据不足"),
    "code.referred": ("referred", "提请党委研究"),
    "code.decision_conflict": ("decision_conflict", "党委决定与规定不符"),
    "decision.unknown_grade": (
        "the committee's decision {grade} is not a grade of this role ({labels})",
        "党委决定的等次 {grade} 不是本类对象的等次({labels})",
    ),
    "decision.above_limit": (
        "the committee's decision {grade} is better than {limit}, the best that {rules} allow",
        "党委决定的等次 {grade} 高于 {rules} 所限的 {limit}",
    ),
    "decision.over_quota": (
        "the committee's decision {grade} goes past quota {quota}: at most {limit} of {size}{where}",
        "党委决定的等次 {grade} 超出名额 {quota}:至多 {limit} 名(共 {size} 名{where})",
    ),
    "decision.note": ("{reason} ({by}, {date})", "{reason}({by},{date})"),
    # --- words filled into other messages -------------------------------------------------
    "hint.did_you_mean": ("; did you mean {close}?", "(是否应为 {close}?)"),
    "word.no_grade": ("no grade", "无等次"),
    "word.nothing": ("nothing", "无"),
    "word.none": ("none", "无"),
    "word.the_score": ("the score", "分数"),
    "word.item": ("item {item}", "项目 {item}"),
    "word.the_bonus": ("the bonus", "加分"),
    "word.at_least": ("at least {least}", "至少 {least}"),
    "word.span": ("{least}–{most}", "{least}–{most}"),
    "word.in_group": (" in {per} {group}", "({group}范围内)"),
    "word.rounding.half_up": ("half_up", "四舍五入"),
    "word.rounding.half_even": ("half_even", "四舍六入五成双"),
    "word.rounding.half_down": ("half_down", "五舍六入"),
    "word.rounding.down": ("down", "舍去"),
    "word.rounding.up": ("up", "进一"),
    "word.rounding.floor": ("floor", "向下取整"),
    "word.rounding.ceiling": ("ceiling", "向上取整"),
    # --- evidence, as the engine reads it --------------------------------------------------
    "evidence.problem": ("{instrument}: {problem}", "{title}:{problem}"),
    "evidence.missing": ("no evidence for {instrument} ({title}){hint}", "缺少{title}({instrument})的证据{hint}"),
    "evidence.not_object": ("evidence must be an object: expected {shape}", "证据应为对象:应为 {shape}"),
    "evidence.wrong_class": ("expected {shape}, not {type}", "应为 {shape},而不是 {type}"),
    "evidence.absent_keys": ("expected {shape} (got {given}){more}", "应为 {shape}(实为 {given}){more}"),
    "evidence.unknown_key": ("unknown evidence key {key}{hint}", "未知的证据字段 {key}{hint}"),
    "evidence.not_mapping": ("{key} must be an object", "{key} 应为对象"),
    "evidence.kind_mismatch": (
        "the evidence says kind {said}, but the instrument is of kind {kind}",
        "证据注明的类型为 {said},但该测评方式的类型是 {kind}",
    ),
    "evidence.legacy_not_object": (
        'evidence must be an object such as {{"tallies": {{...}}}}',
        '证据应为对象,例如 {{"tallies": {{...}}}}',
    ),
    "evidence.legacy_heads": (
        "evidence needs exactly one of {heads} (found {found}){hint}",
        "证据应恰好含有 {heads} 之一(实有 {found}){hint}",
    ),
    "evidence.float": (
        "{what} must be exact (an integer, a decimal string or a Fraction), not a float",
        "{what}应为精确数(整数、小数文本或分数),不能是浮点数",
    ),
    "evidence.number": ("{what} {problem}", "{what}:{problem}"),
    # --- facts, linked outcomes and history ------------------------------------------------
    "fact.unknown": (
        "fact {name} is not declared by the scheme{hint}; a fact nobody reads is a misspelt one",
        "事实 {name} 不是本方案规定的事实{hint};没有规则读取的事实多半是写错了",
    ),
    "fact.missing": (
        "fact {name} ({label}) is not given and the scheme has no default for it{hint}",
        "未填写事实 {name}({label}),方案也没有规定默认值{hint}",
    ),
    "fact.not_bool": ("fact {name} must be true or false (got {got})", "事实 {name} 应为“是”或“否”(实为 {got})"),
    "fact.not_number": ("fact {name} must be a number (got {got})", "事实 {name} 应为数字(实为 {got})"),
    "outcome.missing": (
        "the outcome of assessment {assessment}, which a rule of this role reads, is not given",
        "未填写本角色规则所依据的考核 {assessment} 的结果",
    ),
    "outcome.invalid": (
        "outcome of {assessment} is {got}, not one of {labels}",
        "考核 {assessment} 的结果为 {got},不是 {labels} 之一",
    ),
    "history.off_calendar": (
        "history period {period} is not on the {calendar} calendar{hint}",
        "历年结果的期次 {period} 不符合方案的期次写法({calendar}){hint}",
    ),
    "history.off_order": (
        "history period {period} is not on the periods the scheme orders ({order}){hint}",
        "历年结果的期次 {period} 不在方案规定的期次({order})之中{hint}",
    ),
    "history.not_grade": (
        "history of {period} is {grade}, not a grade of this role ({labels}){hint}",
        "{period} 的结果为 {grade},不是本角色的等次({labels}){hint}",
    ),
    "history.missing": (
        "a streak rule needs the history of the {required} period(s) before {period}{missing}",
        "连续年度规则需要 {period} 之前 {required} 期的结果{missing}",
    ),
    "history.missing_count": (
        " ({back} of the {required} before {period} missing)",
        "({period} 之前的 {required} 期中缺少 {back} 期)",
    ),
    "grade.no_total": (
        "{missing} did not apply, so there is no total to grade, and no veto or cap decided",
        "{missing} 不适用,没有可定等次的总分,也没有否决或限档规则作出决定",
    ),
    # --- ballots ---------------------------------------------------------------------------
    "ballot.shape": ('expected ballot tallies {{"tallies": {{...}}}}', '应为各档票数 {{"tallies": {{...}}}}'),
    "ballot.unknown_tier": (
        "unknown tier {tier}{hint} (scale: {labels})",
        "未知的档次 {tier}{hint}(档次为 {labels})",
    ),
    "ballot.invalid_count": (
        "the count for {tier} must be a whole number from 0 to 10^12 (got {got})",
        "{tier} 的票数应为 0 至 10^12 的整数(实为 {got})",
    ),
    "ballot.too_few": ("{total} respondents, at least {least} required", "参评 {total} 人,至少应有 {least} 人"),
    "ballot.none": ("no ballots: at least one is required", "没有选票:至少应有一张"),
    "ballot.too_many": ("{total} ballots, but at most {most} can vote", "{total} 张选票,但至多只有 {most} 人可以投票"),
    "ballot.expected_invalid": (
        "'expected' must be a whole number from 0 to 10^12 (got {got})",
        "应到人数(expected)应为 0 至 10^12 的整数(实为 {got})",
    ),
    "ballot.over_expected": (
        "{total} ballots but only {expected} were expected to respond",
        "{total} 张选票,但应到只有 {expected} 人",
    ),
    "ballot.quorum_needs_expected": (
        "a quorum needs 'expected', the number expected to respond (got {got})",
        "规定了到会人数,须填写应到人数(expected)(实为 {got})",
    ),
    "ballot.below_quorum": (
        "{total} of {expected} expected responded; the quorum is {needed}",
        "应到 {expected} 人,实到 {total} 人,不足规定的 {needed} 人",
    ),
    "ballot.strata_missing": ("respondents per {label} are required", "应按{label}分别填写参评人数"),
    "ballot.stratum_invalid": (
        "respondents in {label} {name} must be a whole number from 0 to 10^12 (got {got})",
        "{label} {name} 的参评人数应为 0 至 10^12 的整数(实为 {got})",
    ),
    "ballot.stratum_range": (
        "{n} respondents in {label} {name}, {span} required",
        "{label} {name} 参评 {n} 人,应为 {span} 人",
    ),
    "ballot.strata_mismatch": (
        "strata add up to {in_strata} respondents but the tallies to {total}",
        "分层人数合计 {in_strata} 人,但各档票数合计 {total} 张",
    ),
    "ballot.count": ("{tier} {n}", "{tier} {n}"),
    # --- coverage (who took part) -----------------------------------------------------------
    "coverage.none_of": (
        "no {category} was covered (required: {categories}){hint}",
        "没有{category}参与(应参与:{categories}){hint}",
    ),
    "coverage.bad_pair": (
        'coverage of {category} must be {{"count": n, "of": m}} with whole numbers (got {got})',
        '{category}的参与情况应为整数 {{"count": n, "of": m}}(实为 {got})',
    ),
    "coverage.bad_count": (
        "coverage of {category} must be a whole number from 0 to 10^12 (got {got})",
        "{category}的参与人数应为 0 至 10^12 的整数(实为 {got})",
    ),
    "coverage.over_size": (
        "{count} {category} covered out of only {size}",
        "参与的{category} {count} 人,但总共只有 {size} 人",
    ),
    "coverage.over_respondents": (
        "{count} {category} covered, but only {most} ballots were cast",
        "参与的{category} {count} 人,但只收回 {most} 张选票",
    ),
    "coverage.unknown_size": (
        "every {category} must be covered, but the evidence does not say how many there are "
        '(give {{"count": n, "of": m}})',
        '{category}应全部参与,但未填写应参与人数(填写 {{"count": n, "of": m}})',
    ),
    "coverage.short": (
        "only {count} of {size} {category} covered; every one must be",
        "{category}应全部参与,实际 {count}/{size}",
    ),
    "coverage.none": ("no {category} was covered", "没有{category}参与"),
    # --- points, ratings, scores ------------------------------------------------------------
    "points.shape": ('expected itemised points {{"items": {{...}}}}', '应为分项得分 {{"items": {{...}}}}'),
    "points.unknown_item": ("unknown item {item}{hint}", "未知的项目 {item}{hint}"),
    "points.missing_item": ("no points for item {item} ({label})", "缺少项目 {item}({label})的得分"),
    "points.negative": ("item {item} is negative ({value})", "项目 {item} 为负数({value})"),
    "points.over_max": ("item {item} has {value} points, at most {most}", "项目 {item} 得 {value} 分,至多 {most} 分"),
    "points.bonus_negative": ("the bonus is negative ({value})", "加分为负数({value})"),
    "points.no_bonus": ("this instrument has no bonus", "该测评方式没有加分项"),
    "points.bad_entry": (
        '{what}, entry {n}: an entry is a number or {{"amount": n, "note": "..."}} (got {got})',
        '{what}第 {n} 条:每条应为数字或 {{"amount": n, "note": "..."}}(实为 {got})',
    ),
    "points.entry_of": ("{what}, entry {n}", "{what}第 {n} 条"),
    "points.negative_entry": ("{what}, entry {n} is negative ({value})", "{what}第 {n} 条为负数({value})"),
    "points.entry": ("{note} {amount}", "{note} {amount}"),
    "points.entries": ("({entries} = {total})", "({entries} = {total})"),
    "rating.shape": ('expected a rating {{"tier": ...}}', '应为评定档次 {{"tier": ...}}'),
    "rating.unknown_tier": ("unknown tier {tier}{hint} (scale: {labels})", "未知的档次 {tier}{hint}(档次为 {labels})"),
    "score.shape": ('expected a score {{"value": ...}}', '应为分数 {{"value": ...}}'),
    "score.out_of_range": ("score {value} is outside {least}–{most}", "分数 {value} 不在 {least}–{most} 之内"),
    # --- trace steps -------------------------------------------------------------------------
    "step.reason": ("{code}: {message}", "{code}:{message}"),
    "step.not_applicable": (
        "{instrument} ({title}) does not apply to this subject: no evidence needed",
        "{title}({instrument})不适用于该对象,无须证据",
    ),
    "step.optional_absent": (
        "{instrument} ({title}) is not given; it is optional (required = false)",
        "未提供{title}({instrument});该项为选填",
    ),
    "step.insufficient": (
        "insufficient evidence: {count} problem(s); no score is given",
        "证据不足:共 {count} 个问题,不予计分",
    ),
    "step.ineligible": ("not evaluated: {text}{why}", "不参加评定:{text}{why}"),
    "step.ruled_insufficient": ("not enough to grade on: {text}", "证据不足,不予评定:{text}"),
    "step.score": ("{instrument} ({title}): {detail}", "{title}({instrument}):{detail}"),
    "step.score.ballots": ("{counts} ({total} ballots)", "{counts}(共 {total} 票)"),
    "step.score.ballot_mean": ("({terms}) / {total} = {value}", "({terms})/ {total} = {value}"),
    "step.score.tier": ("{tier} = {value}", "{tier} = {value}"),
    "step.score.sum": ("{terms} = {value}", "{terms} = {value}"),
    "step.score.points_item": ("{item} {value}", "{item} {value}"),
    "step.score.bonus": ("bonus {value}{capped}", "加分 {value}{capped}"),
    "step.score.bonus_capped": (
        "bonus {claimed} → {value} (capped at {most})",
        "加分 {claimed} → {value}(封顶 {most})",
    ),
    "step.score.deducted": ("{item} {most} − {deducted} = {value}", "{item} {most} − {deducted} = {value}"),
    "step.score.deducted_to_zero": (
        "{item} {most} − {deducted} → {value} (deductions stop at zero)",
        "{item} {most} − {deducted} → {value}(扣完为止)",
    ),
    "step.no_total": ("no total: {missing} did not apply", "无总分:{missing} 不适用"),
    "step.total": ("{terms} = {total}", "{terms} = {total}"),
    "step.total.term": ("{instrument} {score} × {weight}", "{title} {score} × {weight}"),
    "step.round": (
        "{total} rounded {mode} to {digits} digits = {rounded}",
        "{total} 按{mode}保留 {digits} 位小数 = {rounded}",
    ),
    "step.rule_matches": ("rule {index} matches: {grade}{why}", "第 {index} 条成立:{grade}{why}"),
    "step.rule_matches_text": (
        "rule {index} matches: {grade} ({text}){why}",
        "第 {index} 条成立:{grade}({text}){why}",
    ),
    "step.no_rule": ("no rule matches: fallback {grade}", "没有规则成立:定为 {grade}"),
    "step.band": ("{total} is in the band of {grade}", "{total} 在“{grade}”的分数段内"),
    "step.veto": ("{before} → {after}: {text}{why}", "否决 {before} → {after}:{text}{why}"),
    "step.cap": ("{before} → {after}: {text}{why}", "限档 {before} → {after}:{text}{why}"),
    "step.limit_held": (
        "applies ({text}){why}; {grade} is already no better than {target}",
        "适用({text}){why};{grade} 已不高于 {target}",
    ),
    "step.plugin_keeps": ("{plugin}: keeps {grade}: {note}", "{plugin}:维持 {grade}:{note}"),
    "step.plugin": ("{before} → {after}: {note}", "{before} → {after}:{note}"),
    "step.finding": ("{text}{why}", "发现问题:{text}{why}"),
    "step.consequence": ("{text}{why}", "结果运用:{text}{why}"),
    "step.final": ("final grade {grade}", "最终等次:{grade}"),
    "step.decision": ("the committee's decision: {before} → {after}: {note}", "党委决定:{before} → {after}:{note}"),
    "step.decision_refused": ("the committee's decision is not taken: {problem}", "党委决定未予采用:{problem}"),
    "step.referred": (
        "referred to the committee with the proposed grade {grade}: {text}{why}",
        "待研究:建议等次为 {grade},提请党委研究:{text}{why}",
    ),
    "step.quota": ("{before} → {after}: {note}", "名额 {before} → {after}:{note}"),
    "step.quota_tie": (
        "tied at the cut of quota {quota}{where}: settled by subject id; for the committee to confirm",
        "名额 {quota}{where} 的分界处并列:暂按编号排序,须由党委研究确定",
    ),
    "step.rank": (
        "place {place} of {of}{where} in ranking {ranking}, by {keys}",
        "排名 {ranking}{where}:第 {place} 名(共 {of} 名),依据 {keys}",
    ),
    "step.rank_tie": (
        "equal to {others} on every key of ranking {ranking}: they share place {place}",
        "与 {others} 在排名 {ranking} 的各项依据上相同,并列第 {place} 名",
    ),
    "step.unranked_when": (
        "not in ranking {ranking}: the ranking's condition does not hold",
        "不参加排名 {ranking}:不符合排名条件",
    ),
    "step.unranked_value": ("not in ranking {ranking}: no {key}", "不参加排名 {ranking}:无{key}"),
    "rank.key_value": ("{key} {value}", "{key} {value}"),
    "rank.key_share": ("share of {tiers} in {instrument}", "{instrument} 中 {tiers} 的比例"),
    # --- the numbers a rule compared (villageeval._explain) ---------------------------------
    "why.wrap": (" ({why})", "({why})"),
    "why.share": ("{tiers} {count} = {value} {bounds}", "{tiers} {count} = {value} {bounds}"),
    "why.share_none": ("no valid ballots of {instrument}", "{instrument} 无有效选票"),
    "why.compare": ("{name} {value} {bounds}", "{name} {value} {bounds}"),
    "why.no_score": ("{name}: no score", "{name}:无得分"),
    "why.fact": ("{name}: {value}", "{name}:{value}"),
    "why.rating": ("{name}: {value}", "{name}:{value}"),
    "why.grade": ("grade {value}", "等次 {value}"),
    "why.streak": ("{grade} now, before: {history}", "本期 {grade},此前:{history}"),
    "why.outcome": ("{name}: {value}", "{name}:{value}"),
    "why.present": ("{name} given", "已提供 {name}"),
    "why.absent": ("{name} not given", "未提供 {name}"),
    "why.rank": ("place in {name}: {value} of {of} {bounds}", "{name} 排名:第 {value} 名(共 {of} 名) {bounds}"),
    "why.no_rank": ("not ranked in {name}", "未参加排名 {name}"),
    "why.any": ("any: {branch}", "其中:{branch}"),
    "why.not": ("not: {inner}", "不成立:{inner}"),
    "word.total": ("total", "总分"),
    # --- quota notes and warnings -----------------------------------------------------------
    "quota.below_cut": (
        "{grade} limited to {limit} of {size}{where}; ranked below the cut",
        "{grade}{where} 限 {limit} 名(共 {size} 名),排名在限额之外",
    ),
    "quota.promoted": (
        "{grade} needs at least {limit} of {size}{where}; next in line from {source}",
        "{grade}{where} 至少 {limit} 名(共 {size} 名),由 {source} 中排名靠前者递补",
    ),
    "quota.over_soft": (
        "quota {quota} ({clause}): {before} of {size} hold {grade}{where}, above the limit of {limit} "
        "({text}); the quota is soft (原则上), so nothing was changed",
        "名额 {quota}({clause}):{size} 名中有 {before} 名为 {grade}{where},超过 {limit} 名"
        "({text});该名额为“原则上”,未作调整",
    ),
    "quota.under_soft": (
        "quota {quota} ({clause}): {before} of {size} hold {grade}{where}, below the minimum of {limit} "
        "({text}); the quota is soft (原则上), so nothing was changed",
        "名额 {quota}({clause}):{size} 名中只有 {before} 名为 {grade}{where},少于 {limit} 名"
        "({text});该名额为“原则上”,未作调整",
    ),
    "quota.unmet": (
        "quota {quota} ({clause}): {grade}{where} needs at least {limit} of {size}, but only {held} could hold it",
        "名额 {quota}({clause}):{grade}{where} 至少应有 {limit} 名(共 {size} 名),但只能有 {held} 名",
    ),
    "quota.tie": (
        "quota {quota} ({clause}){where}: tie at the cut between {ties}; "
        "settled by subject id, to be confirmed by the committee",
        "名额 {quota}({clause}){where}:{ties} 在分界处并列;暂按编号排序,须由党委研究确定",
    ),
}
