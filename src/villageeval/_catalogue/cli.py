"""Catalogue entries: the command line's table and explanation (``--lang``)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "cli.header.subject": ("subject", "编号"),
    "cli.header.name": ("name", "姓名/名称"),
    "cli.header.role": ("role", "类别"),
    "cli.header.status": ("status", "状态"),
    "cli.header.score": ("score", "得分"),
    "cli.header.rounded": ("rounded", "取整"),
    "cli.header.raw": ("raw", "初定等次"),
    "cli.header.final": ("final", "最终等次"),
    "cli.header.adjusted": ("adjusted by", "调整或原因"),
    "cli.status.graded": ("graded", "已评定"),
    "cli.status.insufficient_evidence": ("insufficient_evidence", "证据不足"),
    "cli.status.ineligible": ("ineligible", "不参加评定"),
    "cli.status.referred": ("referred", "待研究"),
    "cli.totals": ("totals: {counts}", "合计:{counts}"),
    "cli.count": ("{label} {n}", "{label} {n}"),
    "cli.findings": ("findings:", "发现的问题:"),
    "cli.quota": (
        "quota {quota}{group}: {grade} {bound} {limit} of {size}: {before} → {after} ({status})",
        "名额 {quota}{group}:{grade} {bound} {limit} 名(共 {size} 名):{before} → {after}({status})",
    ),
    "cli.bound.at_most": ("at most", "至多"),
    "cli.bound.at_least": ("at least", "至少"),
    "cli.warning": ("warning: {text}", "提示:{text}"),
    "cli.stamp": ("scheme hash {hash}, villageeval {version}", "方案哈希 {hash},villageeval {version}"),
    "cli.explain.role": ("  role: {role} ({label})", "  类别:{label}({role})"),
    "cli.explain.scheme": ("  scheme: {scheme} — {title}", "  方案:{title}({scheme})"),
    "cli.explain.score": ("  score {score} → {raw} → final {final}", "  得分 {score} → {raw} → 最终 {final}"),
    "cli.explain.no_total": ("  no total; graded {raw} → final {final}", "  无总分;定为 {raw} → 最终 {final}"),
    "cli.explain.by_limit": ("by a veto or cap", "由否决或限档规则决定"),
    "cli.explain.finding": (
        "  finding {rule} ({clause}): {text}{detail}",
        "  发现问题 {rule}({clause}):{text}{detail}",
    ),
    "cli.explain.adjusted": (
        "  adjusted by {kind} {rule} ({clause}): {before} → {after}",
        "  等次调整({kind}){rule}({clause}):{before} → {after}",
    ),
    "cli.explain.consequence": ("  consequence {rule} ({clause}): {text}", "  结果运用 {rule}({clause}):{text}"),
    "cli.explain.status": ("  status: {status}", "  状态:{status}"),
    "cli.explain.reason": ("  - {code}: {message}{cite}", "  - {code}:{message}{cite}"),
    "cli.explain.tie": (
        "  note: tied at the cut of quota {quota}; for the committee to confirm",
        "  注:在名额 {quota} 的分界处并列,须由党委研究确定",
    ),
    "cli.kind.veto": ("veto", "否决"),
    "cli.kind.cap": ("cap", "限档"),
    "cli.kind.quota": ("quota", "名额"),
    "cli.kind.plugin": ("plugin", "插件"),
}
