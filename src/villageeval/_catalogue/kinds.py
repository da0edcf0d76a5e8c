"""The catalogue's entries for the instrument kinds added through the kind registry:
``item_ballot`` (a ballot on each item) and ``ledger`` (problems with deadlines, 销号).

Problems are rendered inside ``evidence.problem`` (``{instrument} ({title}): {problem}``),
trace details inside ``step.score``; both name the item or entry they are about.
"""

from __future__ import annotations

__all__ = ["MESSAGES"]

MESSAGES: dict[str, tuple[str, str]] = {
    # --- item_ballot: problems -------------------------------------------------------------
    "kinds.item_ballot.shape": (
        'expected ballots per item {{"votes": {{"<item>": {{"tallies": {{...}}}}}}}}',
        '应为逐项表决票数 {{"votes": {{"<事项>": {{"tallies": {{...}}}}}}}}',
    ),
    "kinds.item_ballot.expected_invalid": (
        "'expected' must be a whole number from 0 to 10^12 (got {got})",
        "应到人数(expected)应为 0 至 10^12 的整数(实为 {got})",
    ),
    "kinds.item_ballot.item_name": (
        "an item needs a name, the pledge as worded (got {item})",
        "表决事项应有名称,即承诺事项的表述(实为 {item})",
    ),
    "kinds.item_ballot.item_shape": (
        'item {item}: expected {{"tallies": {{...}}}} (got {got})',
        '事项 {item}:应为 {{"tallies": {{...}}}}(实为 {got})',
    ),
    "kinds.item_ballot.item_key": (
        "item {item}: unknown key {key}{hint}",
        "事项 {item}:未知的键 {key}{hint}",
    ),
    "kinds.item_ballot.unknown_tier": (
        "item {item}: unknown tier {tier}{hint} (scale: {labels})",
        "事项 {item}:未知的档次 {tier}{hint}(档次为 {labels})",
    ),
    "kinds.item_ballot.invalid_count": (
        "item {item}: the count for {tier} must be a whole number from 0 to 10^12 (got {got})",
        "事项 {item}:{tier} 的票数应为 0 至 10^12 的整数(实为 {got})",
    ),
    "kinds.item_ballot.too_few": (
        "item {item}: {total} ballots, at least {least} required",
        "事项 {item}:{total} 张选票,至少应有 {least} 张",
    ),
    "kinds.item_ballot.over_expected": (
        "item {item}: {total} ballots but only {expected} could vote",
        "事项 {item}:{total} 张选票,但应到只有 {expected} 人",
    ),
    # --- item_ballot: the trace ------------------------------------------------------------
    "kinds.item_ballot.item": (
        "item {item}: {counts} ({total} ballots); {tiers} {against}/{total} {test}: {verdict}",
        "事项 {item}:{counts}(共 {total} 票);{tiers} {against}/{total},{test}:{verdict}",
    ),
    "kinds.item_ballot.test.above": ("is above {bound}", "超过 {bound}"),
    "kinds.item_ballot.test.not_above": ("is not above {bound}", "未超过 {bound}"),
    "kinds.item_ballot.test.at_least": ("is at least {bound}", "达到 {bound}"),
    "kinds.item_ballot.test.not_at_least": ("is below {bound}", "未达到 {bound}"),
    "kinds.item_ballot.confirmed": ("confirmed", "确认"),
    "kinds.item_ballot.rejected": ("rejected", "不予确认"),
    "kinds.item_ballot.summary": (
        "{confirmed} of {items} items confirmed, {rejected} rejected; items {measure}: {value}",
        "{items} 项中确认 {confirmed} 项、不予确认 {rejected} 项;{measure}项数:{value}",
    ),
    "kinds.item_ballot.measure.confirmed": ("confirmed", "确认"),
    "kinds.item_ballot.measure.rejected": ("rejected", "不予确认"),
    # --- ledger: problems ------------------------------------------------------------------
    "kinds.ledger.shape": (
        'expected a ledger {{"as_of": "YYYY-MM-DD", "entries": [...]}}',
        '应为整改台账 {{"as_of": "YYYY-MM-DD", "entries": [...]}}',
    ),
    "kinds.ledger.as_of": (
        "'as_of', the date the ledger is read on, must be a date written YYYY-MM-DD (got {got})",
        "台账日期(as_of)应为 YYYY-MM-DD 格式的日期(实为 {got})",
    ),
    "kinds.ledger.entries": (
        "'entries' must be an array of the problems on the ledger (got {got})",
        "台账条目(entries)应为问题的数组(实为 {got})",
    ),
    "kinds.ledger.entry_shape": (
        'entry {n}: expected an object {{"problem": ..., "deadline": ...}} (got {got})',
        '第 {n} 条:应为 {{"problem": ..., "deadline": ...}}(实为 {got})',
    ),
    "kinds.ledger.entry_key": ("entry {n}: unknown key {key}{hint}", "第 {n} 条:未知的键 {key}{hint}"),
    "kinds.ledger.entry_missing": ("entry {n}: no '{key}'", "第 {n} 条:缺少 {key}"),
    "kinds.ledger.problem": (
        "entry {n}: 'problem' must be the problem in words (got {got})",
        "第 {n} 条:problem 应为问题的文字表述(实为 {got})",
    ),
    "kinds.ledger.date": (
        "entry {n}: '{key}' must be a date written YYYY-MM-DD (got {got})",
        "第 {n} 条:{key} 应为 YYYY-MM-DD 格式的日期(实为 {got})",
    ),
    "kinds.ledger.verified": (
        "entry {n}: 'verified' must be true or false (got {got})",
        "第 {n} 条:verified 应为 true 或 false(实为 {got})",
    ),
    "kinds.ledger.after_as_of": (
        "entry {n}: '{key}' {date} is after the ledger's date {as_of}",
        "第 {n} 条:{key} {date} 晚于台账日期 {as_of}",
    ),
    "kinds.ledger.before_found": (
        "entry {n}: '{key}' {date} is before the problem was found ({found})",
        "第 {n} 条:{key} {date} 早于发现问题的日期 {found}",
    ),
    "kinds.ledger.verified_not_closed": (
        "entry {n}: verified, but not closed (no 'closed' date)",
        "第 {n} 条:已验收,但没有整改完成日期(closed)",
    ),
    # --- ledger: the trace -----------------------------------------------------------------
    "kinds.ledger.entry": (
        "{n}. {problem}: deadline {deadline}, {state}: {status}",
        "{n}. {problem}:时限 {deadline},{state}:{status}",
    ),
    "kinds.ledger.state.not_closed": ("not closed", "未整改完成"),
    "kinds.ledger.state.verified": ("closed {closed} and verified", "{closed} 整改完成并经验收"),
    "kinds.ledger.state.unverified": ("closed {closed}, not verified", "{closed} 整改完成,未经验收"),
    "kinds.ledger.status.closed": ("closed", "已销号"),
    "kinds.ledger.status.open": ("open", "未到期"),
    "kinds.ledger.status.overdue": ("overdue", "逾期未销号"),
    "kinds.ledger.summary": (
        "as of {as_of}: {entries} entries, {closed} closed, {open} open, {overdue} overdue; {measure}: {value}",
        "截至 {as_of}:共 {entries} 条,已销号 {closed} 条、未到期 {open} 条、逾期未销号 {overdue} 条;{measure}:{value}",
    ),
    "kinds.ledger.measure.not_closed": ("not closed", "未销号条数"),
    "kinds.ledger.measure.overdue": ("overdue", "逾期未销号条数"),
    "kinds.ledger.measure.open": ("open", "未到期条数"),
    "kinds.ledger.measure.closed": ("closed", "已销号条数"),
    "kinds.ledger.measure.entries": ("entries", "条目数"),
}
