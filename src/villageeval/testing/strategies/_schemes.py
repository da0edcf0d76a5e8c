"""Valid schemes, drawn as the plain data of a ``scheme.toml`` and loaded.

The order of the draw is what makes a scheme valid by construction (see
:mod:`._sketch`): roles and what they declare, instruments by their kinds'
strategies, weightings, gradings over the totals those allow, then the rules.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from ... import _kernel as kernel
from ... import _model as m
from ..._errors import SchemeError
from ..._load import scheme_from_dict
from ..._plugins import Registry, make_plugin_manager
from ._declarations import assessments, facts, grade_scales, partition, point_scales
from ._dispatch import INSTRUMENT_KINDS
from ._gradings import gradings as draw_gradings
from ._instruments import instruments, weighable_kinds, weightings
from ._rules import rules
from ._sketch import Options, Sketch
from ._vocabulary import HALF_YEARS, LOCALITIES, PERIODS, ROLE_POOL, SCHEME_IDS

__all__ = ["GRADING_KINDS", "load", "registry", "scheme_data", "schemes"]

#: The grading kinds :func:`schemes` can generate.
GRADING_KINDS: tuple[str, ...] = ("bands", "conditions")


@functools.cache
def registry() -> Registry:
    """Built-ins only: installed plugins never influence what is generated."""
    return Registry(make_plugin_manager(autoload=False))


def _check_choice(name: str, given: Sequence[str], allowed: Sequence[str]) -> tuple[str, ...]:
    if isinstance(given, str) or not given or any(k not in allowed for k in given):
        raise InvalidArgument(f"{name} must be a non-empty sequence of {', '.join(map(repr, allowed))} (got {given!r})")
    return tuple(dict.fromkeys(given))


def _check_options(kinds: Sequence[str], gradings: Sequence[str], max_roles: int, flags: Sequence[bool]) -> Options:
    k = _check_choice("kinds", kinds, INSTRUMENT_KINDS)
    if not weighable_kinds(k):
        weighable = ", ".join(map(repr, weighable_kinds(INSTRUMENT_KINDS)))
        raise InvalidArgument(
            f"kinds must include a kind a weighting can weigh ({weighable}): every generated role has a "
            f"weighted total, and {', '.join(map(repr, k))} give counts, which are never weighted"
        )
    g = _check_choice("gradings", gradings, GRADING_KINDS)
    if isinstance(max_roles, bool) or not isinstance(max_roles, int) or max_roles < 1:
        raise InvalidArgument(f"max_roles must be an integer >= 1 (got {max_roles!r})")
    for flag in flags:
        if not isinstance(flag, bool):
            raise InvalidArgument(f"the with_* options are booleans (got {flag!r})")
    return Options(k, g, max_roles, *flags)


def build(s: Sketch) -> dict[str, Any]:
    """One scheme's plain data, each part drawn after what it depends on."""
    n_roles = s.between(1, s.o.max_roles)
    pool = list(ROLE_POOL) + [(f"role{i}", f"角色{i}") for i in range(len(ROLE_POOL), n_roles)]
    chosen = s.draw(st.permutations(pool))[:n_roles]
    s.roles = [r for r, _ in chosen]
    locality, code = s.pick(LOCALITIES)
    data: dict[str, Any] = {
        "id": s.pick(SCHEME_IDS),
        "title": "村“两委”班子年度考核（生成）",
        "period": s.pick(PERIODS),
        "locality": {"name": locality} if code is None else {"name": locality, "code": code},
        "source": {"document": "某组发〔2024〕1号", "date": "2024-01-01"} if s.one_in(2) else {},
        "roles": {r: {"label": label} for r, label in chosen},
    }
    grade_groups = grade_scales(s, partition(s))
    point_scales(s)
    if s.o.with_facts:
        data["facts"] = facts(s)
    assessments(s)
    weight_groups = partition(s)
    instruments(s, weight_groups)
    data["weightings"] = weightings(s, weight_groups)
    data["gradings"] = draw_gradings(s, grade_groups)
    data["scales"] = s.scales
    data["instruments"] = s.instruments
    data.update(rules(s))
    _place_periods(data)
    return data


def _place_periods(data: dict[str, Any]) -> None:
    """Make the scheme's period one its calendar can place, where its rules look back on one.

    A year is on the default calendar; a half-year is given its order; a scheme with a
    streak and no period gets the year before the latest (the kernel's period_index
    places both, or the loader would refuse the scheme).
    """
    if "streak" in repr(data) and not data["period"]:
        data["period"] = "2024"
    if data["period"] and kernel.period_index(data["period"]) is None:
        data["periods"] = {"order": list(HALF_YEARS)}


@st.composite
def _scheme_data(draw: st.DrawFn, options: Options) -> dict[str, Any]:
    return build(Sketch(draw, options))


def load(data: dict[str, Any]) -> m.Scheme:
    """A generated scheme, loaded through the built-in registry."""
    try:
        return scheme_from_dict(data, registry=registry())
    except SchemeError as e:  # pragma: no cover - a bug in the strategies or in the validator
        raise AssertionError(
            f"villageeval.testing generated a scheme that does not load; this is a bug in the "
            f"strategies or in the validator:\n{e}\n\ndata = {data!r}"
        ) from None


def scheme_data(
    *,
    kinds: Sequence[str] = INSTRUMENT_KINDS,
    gradings: Sequence[str] = GRADING_KINDS,
    max_roles: int = 3,
    with_quotas: bool = True,
    with_vetoes: bool = True,
    with_caps: bool = True,
    with_facts: bool = True,
) -> SearchStrategy[dict[str, Any]]:
    """The plain data of valid schemes: what ``tomli`` gives for a ``scheme.toml``.

    The same schemes as :func:`schemes` (same arguments), before loading: for
    testing code that writes, transforms or loads scheme data (a TOML writer, a
    migration, an editor). Numbers are written the TOML way: ``int``,
    :class:`~decimal.Decimal`, or a string ``"a/b"`` for a rational such as 1/3.
    Every dict loads with :func:`villageeval.scheme_from_dict`.

    Example::

        @given(scheme_data(kinds=("ballot",)))
        def test_my_writer(data):
            text = my_toml_writer(data)
            assert villageeval.loads_scheme(text) == villageeval.scheme_from_dict(data)
    """
    options = _check_options(kinds, gradings, max_roles, (with_quotas, with_vetoes, with_caps, with_facts))
    return _scheme_data(options)


def schemes(
    *,
    kinds: Sequence[str] = INSTRUMENT_KINDS,
    gradings: Sequence[str] = GRADING_KINDS,
    max_roles: int = 3,
    with_quotas: bool = True,
    with_vetoes: bool = True,
    with_caps: bool = True,
    with_facts: bool = True,
) -> SearchStrategy[m.Scheme]:
    """Valid, loaded schemes of every instrument and grading kind.

    Why: code that consumes villageeval results (reports, exports, a committee's
    review tool) should work for any locality's scheme, not only the bundled one.
    Each scheme is drawn as plain data and loaded with
    :func:`villageeval.scheme_from_dict` through a registry of the built-in
    plugins only, so installed plugins never change what is generated. What
    varies:

    - 1 to ``max_roles`` roles, split between one or more weightings and gradings;
    - ballot and rating scales with Chinese tiers (好/较好/一般/差,
      优秀/称职/基本称职/不称职, ...) and strictly decreasing points; grade scales;
    - instruments of the ``kinds`` given: ballots with ``min_respondents``,
      ``quorum``, ``must_cover`` (both ``cover`` modes) and ``per_stratum``;
      ratings; scores with their ``min``/``max``; itemised points with ``award``
      and ``deduct`` items and a capped bonus; with or without ``out_of``; item
      ballots (``reject_when`` ``above`` or ``at_least`` a share, either
      ``measure``) and ledgers (every ``measure``), whose counts are never
      weighted but read by ``score`` predicates (and a ledger's statuses by
      ``share`` predicates): ``kinds`` must include a kind that can be weighted;
    - weights that are positive integers adding up to the declared ``total``;
    - gradings of the ``gradings`` kinds: bands that partition the exact range
      of totals the weighting can produce, after a rounding (0–2 digits, every
      mode) or without one, each edge inclusive on exactly one side; or ordered
      condition rules over the total, sub-scores and tier shares, none of them
      unreachable, with a fallback;
    - with ``with_facts``: declared ``bool`` and ``number`` facts (some with a
      ``default``) and eligibility rules; with ``with_vetoes`` / ``with_caps``:
      vetoes and caps, among them caps on another assessment's ``outcome`` on a
      declared scale; with ``with_quotas``: ``at_most`` / ``at_least`` quotas,
      ``floor`` / ``ceil``, ``hard`` / ``soft``, ``per`` a group, ``base``,
      ``fill_from`` and ``rank_by`` keys (``{ score = "total" }``, an
      instrument's ``score``, a number ``fact``), quotas by ``number``, and
      rankings (``[rankings.<id>]``, ``per`` a group, ``when`` on the grade);
      findings and consequences, ``streak`` and ``rank`` (前N名) ones included;
    - predicates of every form (``fact``, ``score``, ``share``, ``rating``,
      ``grade``, ``streak``, ``outcome``, ``role``, ``all`` / ``any`` / ``not``)
      where ``check`` allows each, and ``applies_when`` on some instruments
      that are not weighted.

    Vetoes and caps mostly test conditions that hold for few subjects (a
    ``bool`` fact, 不满意 over half, a very low sub-score), as documents write
    them. Generated schemes never have an ``at_least`` quota and an
    ``at_most`` quota on the same grade of the same scale: the ``at_least``
    quota runs later and can undo the other (``check`` does not forbid it), so
    a hard ``at_most`` quota holds in every result. No ``[parameters]`` and no
    ``{ rule = ... }`` predicates are generated: they need a TOML file or a
    plugin.

    Example::

        from hypothesis import given
        import villageeval as ve
        from villageeval.testing.strategies import schemes

        @given(schemes(kinds=("ballot", "score"), gradings=("bands",), with_quotas=False))
        def test_round_trip(scheme):
            assert ve.scheme_from_dict(ve.scheme_to_dict(scheme)) == scheme
    """
    return scheme_data(
        kinds=kinds,
        gradings=gradings,
        max_roles=max_roles,
        with_quotas=with_quotas,
        with_vetoes=with_vetoes,
        with_caps=with_caps,
        with_facts=with_facts,
    ).map(load)
