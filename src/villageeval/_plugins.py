"""The plugin host: a fresh plugin manager per registry, and typed hook calls.

Modelled on pluggy's host pattern: :func:`make_plugin_manager` adds the
hookspecs, registers the built-ins as plugins (the bundled schemes come through
the same door as everyone else's), loads the ``villageeval`` entry points
unless ``VILLAGEEVAL_DISABLE_PLUGIN_AUTOLOAD`` is set, and checks that every
hook implementation names a real hook. :class:`Registry` calls each hook once,
checks what every plugin returned, and keeps the answers.

pluggy's ``pm.hook.x(...)`` is untyped and returns results without saying who
returned them; the wrappers here call each implementation themselves so that
every error can name the plugin at fault.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
import tomli
from attrs import frozen

from . import hookspecs
from ._errors import PluginError
from ._kinds.spec import EvidenceProblem, InstrumentKind, Kind, normalise

__all__ = [
    "AUTOLOAD_ENV",
    "EvidenceProblem",
    "InstrumentKind",
    "OutcomeAdjustment",
    "PluginInfo",
    "Registry",
    "default_registry",
    "make_plugin_manager",
]

#: Set this environment variable (to anything but an empty string) to stop
#: villageeval from loading installed plugins through entry points.
AUTOLOAD_ENV = "VILLAGEEVAL_DISABLE_PLUGIN_AUTOLOAD"
ENTRY_POINT_GROUP = "villageeval"

#: The built-in plugins, registered first, by module name.
BUILTIN_PLUGINS = ("villageeval._builtin",)


@frozen
class OutcomeAdjustment:
    """What ``villageeval_adjust_outcome`` returns to change a grade.

    Attributes:
        grade: the new final grade (a tier of the subject's grading scale).
        rule: an id for the rule that decided it, shown in the trace.
        note: why, in words a committee can read.
        clause: the clause of the document the rule comes from.
    """

    grade: str
    rule: str
    note: str = ""
    clause: str = ""


@frozen
class PluginInfo:
    """One registered plugin, as ``villageeval plugins`` lists it."""

    name: str
    distribution: str
    version: str
    hooks: tuple[str, ...]
    schemes: tuple[str, ...]
    predicates: tuple[str, ...]
    instrument_kinds: tuple[str, ...]


def _autoload_disabled() -> bool:
    return bool(os.environ.get(AUTOLOAD_ENV))


def make_plugin_manager(*, autoload: bool | None = None, plugins: Iterable[object] = ()) -> pluggy.PluginManager:
    """A new plugin manager with the hookspecs, the built-ins and (unless disabled) entry points.

    Args:
        autoload: load installed plugins from the ``villageeval`` entry-point
            group; by default yes, unless ``VILLAGEEVAL_DISABLE_PLUGIN_AUTOLOAD``
            is set.
        plugins: more plugin objects or modules to register, after the others.

    Raises:
        PluginError: a plugin implements a hook that does not exist (a typo).
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in BUILTIN_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    if autoload is None:
        autoload = not _autoload_disabled()
    if autoload:
        try:
            pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        except Exception as e:
            raise PluginError(f"a plugin of the {ENTRY_POINT_GROUP!r} entry-point group failed to load: {e}") from e
    for plugin in plugins:
        _register(pm, plugin, None)
    _check_pending(pm)
    return pm


def _register(pm: pluggy.PluginManager, plugin: object, name: str | None) -> str:
    """Register a plugin under a readable name; pluggy's own errors become PluginError.

    pluggy names an object without ``__name__`` (an instance) by its ``id()``,
    which would make every message about it name a number; such a plugin is
    named by its class instead.
    """
    if name is None and not getattr(plugin, "__name__", None):
        base = f"{type(plugin).__module__}.{type(plugin).__qualname__}"
        name, n = base, 2
        while pm.has_plugin(name):
            name, n = f"{base}#{n}", n + 1
    try:
        registered = pm.register(plugin, name=name)
    except (ValueError, pluggy.PluginValidationError) as e:  # registered twice; a bad signature
        raise PluginError(f"cannot register plugin {name or pm.get_canonical_name(plugin)!r}: {e}") from e
    return registered or name or pm.get_canonical_name(plugin)


def _check_pending(pm: pluggy.PluginManager) -> None:
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as e:
        known = [n for n in dir(hookspecs) if n.startswith("villageeval_")]
        raise PluginError(f"{e} (villageeval's hooks are: {', '.join(known)})") from e


def _calls(
    pm: pluggy.PluginManager, hook_name: str, skip: Callable[[str], bool] = lambda _: False, **kwargs: Any
) -> list[tuple[str, Any]]:
    """Call every implementation of a hook, in pluggy's order, keeping who answered.

    ``skip(plugin name)`` leaves an implementation out without calling it.
    """
    caller = getattr(pm.hook, hook_name)
    out = []
    for impl in reversed(caller.get_hookimpls()):
        if skip(impl.plugin_name):
            continue
        args = [kwargs[a] for a in impl.argnames]
        try:
            out.append((impl.plugin_name, impl.function(*args)))
        except PluginError:
            raise
        except Exception as e:
            raise PluginError(f"plugin {impl.plugin_name!r} failed in {hook_name}: {type(e).__name__}: {e}") from e
    return out


def _scheme_id_of(path: Path) -> str:
    """The ``id`` written in a scheme file (read without validating the rest).

    Whatever keeps the file from being read (not UTF-8, bad TOML, nesting or an integer
    tomli refuses) is a PluginError naming the file, the line and the problem.
    """
    from ._reading import NotText, read_text

    try:
        data = tomli.loads(read_text(path))
    except NotText as e:
        raise PluginError(f"cannot read the scheme id of {path}: line {e.line}: {e.message}") from None
    except (OSError, ValueError, RecursionError) as e:  # TOMLDecodeError is a ValueError
        raise PluginError(f"cannot read the scheme id of {path}: {e}") from e
    sid = data.get("id")
    if not isinstance(sid, str):
        raise PluginError(f'{path} has no id = "..." to register it by')
    return sid


class Registry:
    """What the plugins of one plugin manager provide: schemes, predicates, kinds.

    Build one per program (the CLI builds one per command); tests build their
    own from :func:`make_plugin_manager` with exactly the plugins they need.
    """

    def __init__(self, pm: pluggy.PluginManager | None = None) -> None:
        self.pm = pm if pm is not None else make_plugin_manager()
        #: plugin name → scheme id, for plugins that are a scheme's ``rules.py``
        self._rules_of: dict[str, str] = {}
        self._dirs: dict[str, Path] = {}
        self._schemes: dict[str, tuple[Path, str]] | None = None
        self._predicates: dict[str, tuple[Callable[..., bool], str]] | None = None
        self._kinds: dict[str, Kind] | None = None

    def _reset(self) -> None:
        self._schemes = self._predicates = self._kinds = None

    # -- registration --------------------------------------------------------

    def register(self, plugin: object, name: str | None = None) -> str:
        """Register one more plugin object or module; returns its name."""
        registered = _register(self.pm, plugin, name)
        try:
            _check_pending(self.pm)
        except PluginError:
            self.pm.unregister(name=registered)  # leave the registry as it was
            raise
        self._reset()
        return registered

    def add_scheme_directory(self, directory: str | os.PathLike[str], *, with_rules: bool = True) -> str:
        """Register a scheme directory on purpose; its ``rules.py`` becomes that scheme's plugin.

        Returns the scheme id. ``rules.py`` is imported here and only here: a
        scheme's TOML never names a module to import.
        """
        d = Path(directory)
        file = d / "scheme.toml" if d.is_dir() else d
        d = file.parent
        scheme_id = _scheme_id_of(file)
        self._dirs[scheme_id] = file
        rules = d / "rules.py"
        if with_rules and rules.is_file():
            module = _import_rules(scheme_id, rules)
            name = f"rules:{scheme_id}"
            if self.pm.get_plugin(name) is None:
                _register(self.pm, module, name)
                _check_pending(self.pm)
            self._rules_of[name] = scheme_id
        self._reset()
        return scheme_id

    def rules_schemes(self) -> set[str]:
        """The ids of the schemes whose ``rules.py`` is registered."""
        return set(self._rules_of.values())

    # -- typed hook calls ----------------------------------------------------------

    def schemes(self) -> dict[str, Path]:
        """Scheme id → ``scheme.toml``, from every plugin and registered directory, sorted."""
        return {k: v[0] for k, v in sorted(self._scheme_entries().items())}

    def _scheme_entries(self) -> dict[str, tuple[Path, str]]:
        if self._schemes is None:
            found: dict[str, tuple[Path, str]] = {}
            for plugin, result in _calls(self.pm, "villageeval_register_schemes"):
                for item in _iterable(result, plugin, "villageeval_register_schemes"):
                    if not isinstance(item, (str, os.PathLike)):
                        raise PluginError(
                            f"plugin {plugin!r} returned {item!r} from villageeval_register_schemes; "
                            "expected paths to scheme.toml files or their directories"
                        )
                    path = Path(item)
                    file = path / "scheme.toml" if path.is_dir() else path
                    if not file.is_file():
                        raise PluginError(f"plugin {plugin!r} registered {path}, which holds no scheme.toml")
                    sid = _scheme_id_of(file)
                    if sid in found and found[sid][0].resolve() != file.resolve():
                        raise PluginError(
                            f"two plugins register scheme {sid!r}: {found[sid][1]!r} ({found[sid][0]}) "
                            f"and {plugin!r} ({file})"
                        )
                    found[sid] = (file, plugin)
            for sid, file in self._dirs.items():
                if sid in found and found[sid][0].resolve() != file.resolve():
                    raise PluginError(
                        f"scheme {sid!r} is registered twice: by plugin {found[sid][1]!r} ({found[sid][0]}) "
                        f"and as directory {file.parent}"
                    )
                found[sid] = (file, f"directory {file.parent}")
            self._schemes = found
        return self._schemes

    def predicates(self) -> dict[str, Callable[..., bool]]:
        """Predicate name → function; ``rules.py`` names carry their scheme's id as prefix."""
        return {k: v[0] for k, v in self._predicate_entries().items()}

    def _predicate_entries(self) -> dict[str, tuple[Callable[..., bool], str]]:
        if self._predicates is None:
            found: dict[str, tuple[Callable[..., bool], str]] = {}
            for plugin, result in _calls(self.pm, "villageeval_register_predicates"):
                if result is None:
                    continue
                if not isinstance(result, Mapping):
                    raise PluginError(
                        f"plugin {plugin!r} returned {type(result).__name__} from villageeval_register_predicates; "
                        "expected a mapping of name → function"
                    )
                prefix = f"{self._rules_of[plugin]}:" if plugin in self._rules_of else ""
                for name, fn in result.items():
                    if not isinstance(name, str) or not name or not callable(fn):
                        raise PluginError(
                            f"plugin {plugin!r} registered predicate {name!r} → {fn!r}; expected a name and a function"
                        )
                    key = prefix + name
                    if key in found:
                        raise PluginError(f"two plugins register predicate {key!r}: {found[key][1]!r} and {plugin!r}")
                    found[key] = (fn, plugin)
            self._predicates = found
        return self._predicates

    def predicate_owner(self, name: str) -> str | None:
        """The plugin that registered a predicate."""
        entry = self._predicate_entries().get(name)
        return entry[1] if entry else None

    def instrument_kinds(self) -> dict[str, InstrumentKind]:
        """Every instrument kind by name, the built-in ones included, as registered."""
        return {name: kind.declared for name, kind in self.kinds().items()}

    def kinds(self) -> dict[str, Kind]:
        """Every instrument kind by name, in the form the engine uses (defaults filled in)."""
        if self._kinds is None:
            found: dict[str, Kind] = {}
            # pluggy calls the last registered plugin first; kinds are listed in the order
            # their plugins were registered, so the built-in ones come first.
            for plugin, result in reversed(_calls(self.pm, "villageeval_register_instrument_kinds")):
                for kind in _iterable(result, plugin, "villageeval_register_instrument_kinds"):
                    if not isinstance(kind, InstrumentKind):
                        raise PluginError(
                            f"plugin {plugin!r} returned {kind!r} from villageeval_register_instrument_kinds; "
                            "expected villageeval.InstrumentKind objects"
                        )
                    normalised = normalise(kind, plugin)
                    if kind.name in found:
                        other = found[kind.name].plugin
                        if other in BUILTIN_PLUGINS or plugin in BUILTIN_PLUGINS:
                            culprit = plugin if other in BUILTIN_PLUGINS else other
                            raise PluginError(f"plugin {culprit!r} registers kind {kind.name!r}, which is built in")
                        raise PluginError(
                            f"two plugins register instrument kind {kind.name!r}: {other!r} and {plugin!r}"
                        )
                    found[kind.name] = normalised
            self._kinds = found
        return dict(self._kinds)

    def validate(self, scheme: Any) -> list[tuple[tuple[str | int, ...], str]]:
        """Problems the plugins' ``villageeval_validate_scheme`` find, as (path, message)."""
        out: list[tuple[tuple[str | int, ...], str]] = []

        # A rules.py checks its own scheme only: it is not even called for another one.
        def other_schemes_rules(plugin: str) -> bool:
            return plugin in self._rules_of and not _applies(self._rules_of[plugin], scheme)

        for plugin, result in _calls(self.pm, "villageeval_validate_scheme", other_schemes_rules, scheme=scheme):
            for item in _iterable(result, plugin, "villageeval_validate_scheme"):
                ok = (
                    isinstance(item, tuple)
                    and len(item) == 2
                    and isinstance(item[1], str)
                    and isinstance(item[0], (tuple, list))
                    and all(isinstance(p, (str, int)) for p in item[0])
                )
                if not ok:
                    raise PluginError(
                        f"plugin {plugin!r} returned {item!r} from villageeval_validate_scheme; "
                        "expected (key path, message) pairs"
                    )
                out.append((tuple(item[0]), f"{item[1]} (check by plugin {plugin!r})"))
        return out

    def adjusters(self, scheme: Any) -> list[tuple[str, Callable[..., Any]]]:
        """The ``villageeval_adjust_outcome`` implementations that apply to ``scheme``."""
        caller = self.pm.hook.villageeval_adjust_outcome
        out = []
        for impl in reversed(caller.get_hookimpls()):
            if impl.plugin_name in self._rules_of and not _applies(self._rules_of[impl.plugin_name], scheme):
                continue
            out.append((impl.plugin_name, _bind(impl)))
        return out

    def plugins(self) -> list[PluginInfo]:
        """Every registered plugin with what it provides."""
        dists = {id(p): d for p, d in self.pm.list_plugin_distinfo()}
        schemes = self._scheme_entries()
        preds = self._predicate_entries()
        kinds = self.kinds()
        out = []
        for name, plugin in sorted(
            self.pm.list_name_plugin(), key=lambda np: (not np[0].startswith("villageeval."), np[0])
        ):
            if plugin is None:
                continue
            dist = dists.get(id(plugin))
            if dist is not None:
                dname, version = dist.project_name, dist.version
            elif name in BUILTIN_PLUGINS:
                from . import __version__

                dname, version = "villageeval", __version__
            elif name in self._rules_of:
                dname, version = f"rules.py of {self._rules_of[name]}", "-"
            else:
                dname, version = "(registered in code)", "-"
            hooks = tuple(sorted(h.name for h in self.pm.get_hookcallers(plugin) or ()))
            out.append(
                PluginInfo(
                    name=name,
                    distribution=dname,
                    version=version,
                    hooks=hooks,
                    schemes=tuple(sorted(s for s, (_, p) in schemes.items() if p == name)),
                    predicates=tuple(sorted(k for k, (_, p) in preds.items() if p == name)),
                    instrument_kinds=tuple(sorted(k for k, kind in kinds.items() if kind.plugin == name)),
                )
            )
        return out


def _bind(impl: pluggy.HookImpl) -> Callable[..., Any]:
    """Call an implementation with keyword arguments, passing only those it names.

    pluggy lets an implementation take a subset of the hook's arguments
    (``def villageeval_adjust_outcome(outcome, scheme)``); calling its function
    with all of them would be a TypeError.
    """

    def call(**kwargs: Any) -> Any:
        return impl.function(*[kwargs[a] for a in impl.argnames])

    return call


def _applies(scheme_id: str, scheme: Any) -> bool:
    from ._bound import binding_of

    return scheme_id in binding_of(scheme).lineage


def _iterable(result: object, plugin: str, hook: str) -> Iterable[Any]:
    if result is None:
        return ()
    if isinstance(result, (str, bytes)) or not isinstance(result, Iterable):
        raise PluginError(f"plugin {plugin!r} returned {result!r} from {hook}; expected a list")
    return list(result)


_builtin_kinds: dict[str, Kind] | None = None


def builtin_kinds() -> dict[str, Kind]:
    """The built-in instrument kinds, as villageeval's built-in plugin registers them.

    For schemes that were not loaded through a registry (built in Python): the same
    kinds, without building a plugin manager.
    """
    global _builtin_kinds
    if _builtin_kinds is None:
        from ._kinds import BUILTIN_KINDS

        _builtin_kinds = {kind.name: normalise(kind, BUILTIN_PLUGINS[0]) for kind in BUILTIN_KINDS}
    return dict(_builtin_kinds)


def _import_rules(scheme_id: str, path: Path) -> ModuleType:
    """Import a scheme's ``rules.py`` under a private module name."""
    safe = "".join(c if c.isalnum() else "_" for c in scheme_id)
    name = f"villageeval_rules_{safe}"
    if name in sys.modules and getattr(sys.modules[name], "__file__", None) == str(path):
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PluginError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as e:
        del sys.modules[name]
        raise PluginError(f"{path} (rules of scheme {scheme_id!r}) failed to import: {type(e).__name__}: {e}") from e
    return module


_default: Registry | None = None


def default_registry() -> Registry:
    """The registry ``load_scheme`` and the library use when given none.

    Built on first use from a fresh plugin manager; pass your own
    :class:`Registry` to ``load_scheme(..., registry=...)`` to control exactly
    which plugins apply (tests should).
    """
    global _default
    if _default is None:
        _default = Registry()
    return _default
