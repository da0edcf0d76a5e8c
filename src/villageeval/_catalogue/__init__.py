"""One message catalogue, English and Chinese, keyed by the codes the API gives.

The API's contract is the codes: a :class:`~villageeval.Reason`'s ``code``, a
:class:`~villageeval.TraceStep`'s ``key`` and their ``params``. What people read is
rendered from them here, in English (the API's default) or in Chinese (``--lang zh``,
what a township committee reads in reports and workbooks). Every entry has both
languages; ``tests/test_catalogue.py`` checks that each template of a key takes the
same parameters in both, and that every code the engine can give has an entry.

The catalogue is written in area modules (:mod:`.engine` for reasons and trace steps,
:mod:`.sheets`, :mod:`.results` and :mod:`.report` for the office files' labels) and
merged here; a key is defined once, in one of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .._result import Reason, TraceStep

__all__ = ["LANGS", "Lang", "CATALOGUE", "check_lang", "text", "render_reason", "render_step", "show"]

Lang = Literal["en", "zh"]
#: The languages every entry is written in; the first is the API's default.
LANGS: tuple[Lang, ...] = ("en", "zh")

#: key → (English template, Chinese template), ``str.format`` templates over named params.
CATALOGUE: dict[str, tuple[str, str]] = {}


def _merge() -> None:
    from . import engine, report, results, sheets

    for area in (engine, sheets, results, report):
        for key, entry in area.MESSAGES.items():
            if key in CATALOGUE:
                raise RuntimeError(f"message key {key!r} is defined twice (in {area.__name__})")
            CATALOGUE[key] = entry


def check_lang(lang: str) -> Lang:
    """``lang`` if it is one of :data:`LANGS`, else a ValueError naming them."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: one of {', '.join(LANGS)}")
    return lang  # type: ignore[return-value]


def show(value: Any, lang: Lang) -> str:
    """A parameter as the language writes it: lists joined (``, `` / ``、``), fractions as decimals."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return ("true" if value else "false") if lang == "en" else ("是" if value else "否")
    if isinstance(value, Fraction):
        from .._numbers import exact_text

        return exact_text(value)
    if isinstance(value, Sequence):
        return ("、" if lang == "zh" else ", ").join(show(v, lang) for v in value)
    return str(value)


def text(key: str, lang: str = "en", /, **params: Any) -> str:
    """The catalogue's text for ``key`` in ``lang``, with ``params`` filled in.

    Raises:
        KeyError: ``key`` is not in the catalogue.
    """
    language = check_lang(lang)
    if not CATALOGUE:
        _merge()
    template = CATALOGUE[key][LANGS.index(language)]
    return template.format_map({k: show(v, language) for k, v in params.items()})


def _rendered(key: str, params: Mapping[str, Any], message: str, lang: str) -> str:
    if not CATALOGUE:
        _merge()
    if lang == "en" or not key or key not in CATALOGUE:
        return message  # English as given; a plugin's own message has no entry
    return text(key, lang, **params)


def render_reason(reason: Reason, lang: str = "en") -> str:
    """A reason in ``lang``: its ``message`` in English, the catalogue's entry otherwise.

    A reason without a catalogue entry (a plugin kind's own code) keeps its message.
    """
    check_lang(lang)
    return _rendered(reason.key or reason.code, reason.params, reason.message, lang)


def render_step(step: TraceStep, lang: str = "en") -> str:
    """A trace step in ``lang``: its ``message`` in English, the catalogue's entry otherwise."""
    check_lang(lang)
    return _rendered(step.key, step.params, step.message, lang)
