"""One message catalogue, English and Chinese, keyed by the codes the API gives.

The API's contract is the codes (a :class:`~villageeval.Reason`'s ``code``, a
:class:`~villageeval.TraceStep`'s ``step``) and English messages. Each message the engine
writes is a :class:`Said`: the English text, which also remembers the catalogue's key and
the parameters filled in, so that it can be rendered again in Chinese (``--lang zh``,
what a township committee reads in reports and workbooks) by :func:`render_text`. Every entry has both
languages; ``tests/test_catalogue.py`` checks that each template of a key takes the
same parameters in both, and that every code the engine can give has an entry.

The catalogue is written in area modules (:mod:`.engine` for reasons and trace steps, :mod:`.kinds` for the
instrument kinds' own, :mod:`.cli` for
the command line, :mod:`.sheets`, :mod:`.results` and :mod:`.report` for the office files' labels) and
merged here; a key is defined once, in one of them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .._result import Reason, TraceStep

__all__ = [
    "CATALOGUE",
    "LANGS",
    "Join",
    "Lang",
    "Said",
    "check_lang",
    "code_name",
    "render_reason",
    "render_step",
    "render_text",
    "said",
    "show",
    "text",
]

Lang = Literal["en", "zh"]
#: The languages every entry is written in; the first is the API's default.
LANGS: tuple[Lang, ...] = ("en", "zh")

#: key → (English template, Chinese template), ``str.format`` templates over named params.
CATALOGUE: dict[str, tuple[str, str]] = {}


def _merge() -> None:
    from . import cli, engine, kinds, report, results, sheets

    for area in (engine, kinds, cli, sheets, results, report):
        for key, entry in area.MESSAGES.items():
            if key in CATALOGUE:
                raise RuntimeError(f"message key {key!r} is defined twice (in {area.__name__})")
            CATALOGUE[key] = entry


class Said(str):
    """An English message that remembers the catalogue entry it was rendered from.

    It is the English text (a ``str``, so it goes wherever a message went before), with the
    entry's ``key`` and the ``params`` filled in, so that the same message can be rendered
    in another language. A ``Said`` given as a parameter of another message is rendered in
    that message's language: ``"{instrument}: {problem}"`` around a problem, a did-you-mean
    hint inside a reason.
    """

    __slots__ = ("key", "params")
    key: str
    params: Mapping[str, Any]

    def __new__(cls, english: str, key: str, params: Mapping[str, Any]) -> Said:
        self = super().__new__(cls, english)
        self.key = key
        self.params = params
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Said, (str(self), self.key, self.params))


class Join:
    """Items shown in a message joined the language's way (``, `` and ``、`` by default;
    `` + `` for the terms of a sum), each item rendered in that language."""

    __slots__ = ("en", "items", "zh")

    def __init__(self, items: Sequence[Any], en: str = ", ", zh: str = "、") -> None:
        self.items = tuple(items)
        self.en = en
        self.zh = zh

    def __reduce__(self) -> tuple[Any, ...]:
        return (Join, (self.items, self.en, self.zh))

    __hash__ = None  # type: ignore[assignment]  # mutable-looking: never a memo key


def code_name(code: str) -> str:
    """A reason code as a message shows it: the code in English, its name in Chinese
    (a plugin kind's own code is shown as it is)."""
    key = f"code.{code}"
    if not CATALOGUE:
        _merge()
    return said(key) if key in CATALOGUE else code


#: Messages made before, by key and parameters: most steps of a trace repeat from subject
#: to subject ("final grade 好", a consequence's text), and one shared object is quicker to
#: find than to make and takes no memory again. Bounded; only hashable parameters.
_MADE: dict[tuple[Any, ...], Said] = {}
_MADE_AT_MOST = 16384
_PLAIN = frozenset({str, int, bool, Fraction, type(None)})


def said(key: str, /, **params: Any) -> Said:
    """The catalogue's entry ``key`` in English, as a :class:`Said` that keeps ``params``."""
    # Plain values only, with their types (a Said's Chinese is not in its English text);
    # built with C-level map and tuple, not a generator: this runs for every step.
    types = tuple(map(type, params.values()))
    memo: tuple[Any, ...] | None = (key, types, *params.items()) if _PLAIN.issuperset(types) else None
    made = _MADE.get(memo) if memo is not None else None
    if made is not None:
        return made
    entry = CATALOGUE.get(key)
    if entry is None:
        _merge()
        entry = CATALOGUE[key]
    # Made for every step of every traced subject: the English template filled in
    # directly, each parameter shown only if the template reads it.
    made = Said(entry[0].format_map(_Shown(params, "en")), key, params)
    if memo is not None:
        if len(_MADE) >= _MADE_AT_MOST:
            _MADE.clear()
        _MADE[memo] = made
    return made


class _Shown:
    """The parameters of a message as a template reads them: each shown in the language
    when (and only when) the template names it."""

    __slots__ = ("lang", "params")

    def __init__(self, params: Mapping[str, Any], lang: Lang) -> None:
        self.params = params
        self.lang = lang

    def __getitem__(self, name: str) -> Any:
        value = self.params[name]
        kind = type(value)
        if kind is str or kind is int:  # the common cases, as they are
            return value
        return show(value, self.lang)


#: Set while a result is made only to be written in English (the command line's and the
#: service's JSON): trace steps then keep their English text alone, not the key and the
#: parameters that render_step needs for Chinese, which would more than double the memory
#: of a province's traces (1.7 GiB instead of under 1 GiB for 100,000 subjects).
ENGLISH_ONLY: ContextVar[bool] = ContextVar("villageeval_english_only", default=False)


@contextmanager
def english_only() -> Iterator[None]:
    """Trace steps made inside keep their English text only (see :data:`ENGLISH_ONLY`)."""
    token = ENGLISH_ONLY.set(True)
    try:
        yield
    finally:
        ENGLISH_ONLY.reset(token)


def step_text(key: str, /, **params: Any) -> str:
    """A trace step's message: a :class:`Said`, or its English text alone inside :func:`english_only`."""
    made = said(key, **params)
    return str.__str__(made) if ENGLISH_ONLY.get() else made


def check_lang(lang: str) -> Lang:
    """``lang`` if it is one of :data:`LANGS`, else a ValueError naming them."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: one of {', '.join(LANGS)}")
    return "zh" if lang == "zh" else "en"


def show(value: Any, lang: Lang) -> str:
    """A parameter as the language writes it: lists joined (``, `` / ``、``), fractions as decimals."""
    if type(value) is str:
        return value
    if isinstance(value, Said):
        return value if lang == "en" else text(value.key, lang, **value.params)
    if isinstance(value, Join):
        return (value.zh if lang == "zh" else value.en).join(show(item, lang) for item in value.items)
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
    return template.format_map(_Shown(params, language))


def render_text(message: str, lang: str = "en") -> str:
    """Any message of a result in ``lang``: a reason's or a step's message, an adjustment's
    note, a warning. The engine's own messages are :class:`Said` and are rendered from the
    catalogue; any other text (a plugin's, a scheme's own wording, a result read back from
    JSON) is shown as it is."""
    return show(message, check_lang(lang))


def render_reason(reason: Reason, lang: str = "en") -> str:
    """A reason's message in ``lang`` (see :func:`render_text`)."""
    return render_text(reason.message, lang)


def render_step(step: TraceStep, lang: str = "en") -> str:
    """A trace step's message in ``lang`` (see :func:`render_text`)."""
    return render_text(step.message, lang)
