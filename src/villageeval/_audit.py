"""The audit record of a result: what was graded, when, by which decision, with which code.

Besides the scheme's id, hash and villageeval's version, every result says

- ``cohort_hash``: ``sha256:<hex>`` of the cohort's canonical JSON, that is
  ``cohort_to_dict(cohort)`` dumped with ``sort_keys=True, ensure_ascii=False,
  separators=(",", ":")`` and encoded as UTF-8, so that the same cohort gives the
  same hash however its file was written (key order, spacing, escapes). Numbers read
  as decimals (``88.5``) are written as JSON numbers, as their decimal text
  (``str(Decimal)``), so that ``88.5`` and ``"88.5"`` (which a fact tells apart) hash
  apart, and so do ``20`` and ``20.0``;
- ``decision_id``: a UUID4 for this evaluation, as OPA's decision logs have one;
- ``evaluated_at``: when, in ISO 8601 UTC to the second (``2026-12-04T21:58:33Z``);
- ``plugins``: every plugin of the scheme's registry that took part — registered a
  predicate the scheme names, an instrument kind it uses, an outcome adjuster that
  applies to it, or a check of schemes that applies to it — the built-in plugin
  always, each with its distribution, version and the ``sha256`` of its module's
  source file (the plugin code's content, beside the scheme hash).

The canonical JSON is written a thousand subjects at a time and fed to the hash as it
goes, so a province's cohort is never held twice in memory.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import threading
import uuid
import weakref
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from ._cohort import Cohort, Subject
    from ._model import Scheme
    from ._result import PluginStamp

__all__ = ["audit_of", "cohort_hash", "decision_id_of", "evaluated_at_of", "plugin_stamps"]

#: Subjects written per chunk of the canonical JSON.
_CHUNK = 1000

# A decimal is handed to the JSON encoder as a marked string, and the marks are taken
# off after: the encoder has no way to write a number it does not know. The mark holds a
# random nonce, so no text of a cohort can pass for a decimal.
_NONCE = uuid.uuid4().hex
_MARKED = re.compile(r'"\\u0000' + _NONCE + r'([^"]*)"')


_MARK = "\x00" + _NONCE


def _default(value: object) -> object:
    """What ``cohort_to_dict`` makes of what the JSON encoder cannot write itself."""
    if type(value) is Decimal:  # the usual case, first: scores read from JSON
        return _MARK + str(value)
    from ._cohort import MalformedEvidence, _evidence_to_dict
    from ._convert import unstructure_number

    if isinstance(value, Decimal):
        return _MARK + str(value)
    if isinstance(value, Fraction):
        return unstructure_number(value)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, MalformedEvidence) or attrs.has(type(value)):
        return _evidence_to_dict(value)
    raise TypeError(f"cannot hash {type(value).__name__}")


_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default)


def _subject_dict(s: Subject) -> dict[str, Any]:
    """One subject as ``cohort_to_dict`` writes it (its values are turned plain as they
    are encoded, by :func:`_default`)."""
    d: dict[str, Any] = {"id": s.id, "role": s.role}
    if s.name:
        d["name"] = s.name
    if s.unit:
        d["unit"] = s.unit
    if s.groups:
        d["groups"] = s.groups
    if s.facts:
        d["facts"] = s.facts
    if s.history:
        d["history"] = s.history
    if s.outcomes:
        d["outcomes"] = s.outcomes
    if s.notes:
        d["notes"] = s.notes
    if s.evidence:
        d["evidence"] = s.evidence
    return d


def _encode(value: object) -> str:
    text = _ENCODER.encode(value)
    return _MARKED.sub(r"\1", text) if "\\u0000" in text else text


def canonical_chunks(cohort: Cohort) -> Iterator[str]:
    """The cohort's canonical JSON, in pieces whose concatenation is the whole text."""
    from ._cohort import COHORT_FORMAT

    head: dict[str, Any] = {"format": COHORT_FORMAT}
    if cohort.scheme:
        head["scheme"] = cohort.scheme
    if cohort.period:
        head["period"] = cohort.period
    head["subjects"] = []
    text = _encode(head)
    # "subjects" sorts after "format", "period" and "scheme": the text ends with its array.
    assert text.endswith('"subjects":[]}')
    yield text[: -len("]}")]
    subjects = cohort.subjects
    for start in range(0, len(subjects), _CHUNK):
        rows = [_subject_dict(s) for s in subjects[start : start + _CHUNK]]
        part = _encode(rows)[1:-1]
        yield part if start == 0 else "," + part
    yield "]}"


def cohort_hash(cohort: Cohort) -> str:
    """``sha256:<hex>`` of the cohort's canonical JSON (see the module's docstring)."""
    digest = hashlib.sha256()
    try:
        for chunk in canonical_chunks(cohort):
            digest.update(chunk.encode("utf-8", "surrogatepass"))
    except (TypeError, ValueError):
        # Only a cohort built in Python with values no JSON holds (keys that are not
        # texts, a set): hashed by their plain form, never an error.
        digest = hashlib.sha256()
        digest.update(json.dumps(_plain_keys(cohort), sort_keys=True, ensure_ascii=False, default=repr).encode())
    return "sha256:" + digest.hexdigest()


def _plain_keys(cohort: Cohort) -> object:
    from ._cohort import cohort_to_dict

    def walk(v: object) -> object:
        if isinstance(v, Mapping):
            return {str(k): walk(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [walk(x) for x in v]
        return v

    return walk(cohort_to_dict(cohort))


# --- the decision id and the time ------------------------------------------------------------

_UTC_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def decision_id_of(given: object) -> str:
    """A fresh UUID4, or the one given (a ``uuid.UUID`` or its canonical text)."""
    if given is None:
        return str(uuid.uuid4())
    if isinstance(given, uuid.UUID):
        return str(given)
    if not isinstance(given, str):
        from ._types import type_error

        raise type_error("decision_id", "a UUID in its canonical text form, a uuid.UUID or None", given)
    try:
        canonical = str(uuid.UUID(given))
    except ValueError:
        canonical = None
    if canonical != given:
        raise ValueError(
            f"decision_id must be a UUID in its canonical text form, such as {str(uuid.uuid4())!r} (got {given!r})"
        )
    return given


def evaluated_at_of(given: object) -> str:
    """The current UTC time, or the time given, as ISO 8601 UTC to the second."""
    if given is None:
        return datetime.now(timezone.utc).strftime(_FORMAT)
    if isinstance(given, datetime):
        if given.tzinfo is None or given.utcoffset() is None:
            raise ValueError(
                f"evaluated_at must be timezone-aware (got {given!r}); "
                "give datetime.now(timezone.utc) or a time with its tzinfo"
            )
        return given.astimezone(timezone.utc).strftime(_FORMAT)
    if not isinstance(given, str):
        from ._types import type_error

        raise type_error("evaluated_at", "a timezone-aware datetime, an ISO 8601 UTC text or None", given)
    ok = _UTC_SECOND.fullmatch(given) is not None
    if ok:
        try:
            datetime.strptime(given, _FORMAT)
        except ValueError:
            ok = False
    if not ok:
        raise ValueError(
            f"evaluated_at must be ISO 8601 UTC to the second, such as '2026-12-04T21:58:33Z' (got {given!r})"
        )
    return given


# --- the plugins that took part ----------------------------------------------------------------

# id(scheme) → its stamps, dropped when the scheme is collected (as _bound keeps plans).
_stamps: dict[int, tuple[PluginStamp, ...]] = {}
_lock = threading.Lock()


def plugin_stamps(scheme: Scheme) -> tuple[PluginStamp, ...]:
    """The plugins that took part in evaluating ``scheme``, the built-in one first.

    Worked out once per scheme object, the first time it is evaluated (the code hashes
    are of the modules' files as they are then).
    """
    key = id(scheme)
    found = _stamps.get(key)
    if found is None:
        found = _work_out(scheme)
        with _lock:
            fresh = key not in _stamps
            _stamps[key] = found
        if fresh:
            weakref.finalize(scheme, _stamps.pop, key, None)
    return found


def _work_out(scheme: Scheme) -> tuple[PluginStamp, ...]:
    from . import __version__
    from ._bound import binding_of
    from ._plugins import BUILTIN_PLUGINS
    from ._result import PluginStamp

    binding = binding_of(scheme)
    registry = binding.registry
    builtin = BUILTIN_PLUGINS[0]
    if registry is None:
        return (PluginStamp(builtin, "villageeval", __version__, _code_hash(sys.modules.get(builtin))),)
    names = {builtin}
    for ins in scheme.instruments.values():
        kind = binding.kinds.get(ins.kind)
        if kind is not None:
            names.add(kind.plugin)
    registered = registry.predicates()
    lineage = binding.lineage or (scheme.id,)
    for name in sorted(_named_rules(scheme)):
        keys = [f"{owner}:{name}" for owner in lineage] + [name]
        key = next((k for k in keys if k in binding.predicates), None)
        # A predicate passed to load_scheme(predicates=...) comes from no plugin.
        if key is not None and registered.get(key) is binding.predicates[key]:
            owner_plugin = registry.predicate_owner(key)
            if owner_plugin is not None:
                names.add(owner_plugin)
    names.update(plugin for plugin, _ in registry.adjusters(scheme))
    rules_of: Mapping[str, str] = getattr(registry, "_rules_of", {})
    for impl in registry.pm.hook.villageeval_validate_scheme.get_hookimpls():
        owner_scheme = rules_of.get(impl.plugin_name)
        if owner_scheme is None or owner_scheme in binding.lineage:
            names.add(impl.plugin_name)
    out = []
    for info in registry.plugins():
        if info.name in names:
            plugin = registry.pm.get_plugin(info.name)
            out.append(PluginStamp(info.name, info.distribution, info.version, _code_hash(plugin)))
    return tuple(out)


def _named_rules(scheme: Scheme) -> set[str]:
    """The names of the Python predicates (``{ rule = "..." }``) anywhere in the scheme."""
    from ._model import NamedRule

    found: set[str] = set()
    stack: list[object] = [scheme]
    while stack:
        node = stack.pop()
        if isinstance(node, NamedRule):
            found.add(node.rule)
        elif attrs.has(type(node)):
            stack.extend(getattr(node, a.name) for a in attrs.fields(type(node)))  # type: ignore[arg-type]
        elif isinstance(node, Mapping):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, set, frozenset)):
            stack.extend(node)
    return found


def _code_hash(plugin: object) -> str | None:
    """``sha256:<hex>`` of the source file of a plugin's module, or None without one."""
    if plugin is None:
        return None
    module = plugin if isinstance(plugin, ModuleType) else sys.modules.get(type(plugin).__module__)
    file = getattr(module, "__file__", None)
    if not isinstance(file, str) or not file.endswith(".py"):
        return None
    try:
        data = Path(file).read_bytes()
    except OSError:
        return None
    return "sha256:" + hashlib.sha256(data).hexdigest()


def audit_of(scheme: Scheme, cohort: Cohort, decision_id: object, evaluated_at: object) -> dict[str, Any]:
    """The audit fields of the result of ``evaluate(scheme, cohort)``, as keyword
    arguments of :class:`~villageeval.Result`; the cohort hash is computed when read."""
    from functools import partial

    from ._result import DeferredHash

    return {
        "decision_id": decision_id_of(decision_id),
        "evaluated_at": evaluated_at_of(evaluated_at),
        "plugins": plugin_stamps(scheme),
        "cohort_hash": DeferredHash(partial(cohort_hash, cohort)),
    }
