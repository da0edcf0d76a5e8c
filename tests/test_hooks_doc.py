"""``docs/hooks.md`` documents exactly the hooks of ``villageeval.hookspecs``.

Like datasette's ``test_docs.py``: a hook added to the specifications without a
``## villageeval_<name>`` section fails here, and so does a section for a hook that
does not exist, or a documented signature whose arguments differ from the hook's.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from villageeval import hookspecs

ROOT = Path(__file__).resolve().parent.parent
HOOKS_MD = (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8")

SPECS = {
    name: fn
    for name, fn in vars(hookspecs).items()
    if name.startswith("villageeval_") and inspect.isfunction(fn) and hasattr(fn, f"{hookspecs.PROJECT}_spec")
}


def sections(text: str) -> dict[str, str]:
    """``## villageeval_<name>`` heading → the text up to the next ``##`` heading."""
    parts = re.split(r"^## (\S.*)$", text, flags=re.MULTILINE)
    return {
        title.strip(): body
        for title, body in zip(parts[1::2], parts[2::2], strict=True)
        if title.startswith("villageeval_")
    }


def python_blocks(text: str) -> list[str]:
    """The fenced ``python`` blocks of a text."""
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


DOCUMENTED = sections(HOOKS_MD)


class TestHooksDoc:
    def test_specs_found(self) -> None:
        """The five hooks are found, each also listed in hookspecs.__all__."""
        assert 5 == len(SPECS)
        assert set(SPECS) <= set(hookspecs.__all__)

    def test_every_hook_documented(self) -> None:
        """Every hook of villageeval.hookspecs has a ## section in docs/hooks.md."""
        assert [] == sorted(set(SPECS) - set(DOCUMENTED))

    def test_every_documented_hook_exists(self) -> None:
        """Every ## villageeval_* section of docs/hooks.md is a real hook."""
        assert [] == sorted(set(DOCUMENTED) - set(SPECS))

    def test_every_name_in_the_text_exists(self) -> None:
        """No villageeval_* name anywhere on the page is a hook that does not exist (a stale rename)."""
        mentioned = set(re.findall(r"\bvillageeval_[a-z_]+\b", HOOKS_MD))
        allowed = {"villageeval_register_predicate", "villageeval_qingshan"}  # the typo example; the package
        assert [] == sorted(mentioned - set(SPECS) - allowed)

    @pytest.mark.parametrize("name", sorted(SPECS))
    def test_signature_matches(self, name: str) -> None:
        """The section's first code block defines the hook with the specification's arguments."""
        first = python_blocks(DOCUMENTED[name])[0]
        found = re.search(rf"def {name}\((.*?)\)", first, flags=re.DOTALL)
        assert found is not None, f"no `def {name}(...)` in the first code block of its section"
        documented = [a.split(":")[0].strip() for a in found.group(1).split(",") if a.strip()]
        assert list(inspect.signature(SPECS[name]).parameters) == documented

    @pytest.mark.parametrize("name", sorted(SPECS))
    def test_section_says_how_results_combine(self, name: str) -> None:
        """Each section has the called / results / returns table."""
        for row in ("| called |", "| results |", "| returns |"):
            assert row in DOCUMENTED[name]

    @pytest.mark.parametrize("name", sorted(SPECS))
    def test_example_implements_the_hook(self, name: str) -> None:
        """Each section ends with an example that compiles and defines the hook with @hookimpl."""
        example = python_blocks(DOCUMENTED[name])[-1]
        # run as the plugin module it would be in
        namespace: dict[str, object] = {"__name__": "docs_example", "__file__": str(ROOT / "docs" / "plugin.py")}
        exec(compile(example, f"docs/hooks.md ({name})", "exec"), namespace)
        fn = namespace[name]
        assert hasattr(fn, f"{hookspecs.PROJECT}_impl")


def test_every_instrument_kind_field_is_documented() -> None:
    """The ``| field | what |`` table of villageeval_register_instrument_kinds lists exactly InstrumentKind's fields."""
    import attrs

    import villageeval as ve

    body = DOCUMENTED["villageeval_register_instrument_kinds"]
    documented = re.findall(r"^\| `(\w+)` \|", body.split("| field | what |", 1)[1].split("\n\n", 1)[0], re.M)
    assert [f.name for f in attrs.fields(ve.InstrumentKind)] == documented


def test_rule_context_attributes_exist() -> None:
    """Every attribute the RuleContext table documents is one the view has."""
    import villageeval as ve

    table = HOOKS_MD.split("### The RuleContext", 1)[1].split("## ", 1)[0]
    documented = re.findall(r"^\| `(\w+)` \|", table, re.M)
    assert documented
    assert [] == [name for name in documented if not isinstance(getattr(ve.RuleContext, name, None), property)]
