"""``check``'s did-you-mean offers only keys a scheme author can write, and never the key
that was written ("unknown key 'origin'; did you mean 'origin'?")."""

from __future__ import annotations

import attrs
import cattrs
import pytest

import villageeval as ve
from villageeval._convert import flatten
from villageeval._init import SCHEME_TEMPLATE


@attrs.frozen
class Table:
    """A table with fields an author cannot write: one private, one not set by __init__."""

    origin_id: str = ""
    _origin: str = ""
    derived: str = attrs.field(init=False, default="")


@attrs.frozen
class Internal:
    """A table every field of which is internal."""

    _secret: str = ""


def problems(data: dict[str, object], cls: type) -> list[str]:
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    with pytest.raises(Exception) as caught:  # noqa: PT011 - cattrs raises a group of them
        converter.structure(data, cls)
    return [p.message for p in flatten(caught.value)]


def test_a_private_field_is_not_offered() -> None:
    """``_origin`` is internal: the suggestion for ``origin`` is the key one can write."""
    assert ["unknown key 'origin'; did you mean 'origin_id'?"] == problems({"origin": "x"}, Table)


def test_the_key_written_is_never_offered() -> None:
    """``derived`` is a field, but not one __init__ sets: no "did you mean 'derived'"."""
    assert ["unknown key 'derived' (allowed: origin_id)"] == problems({"derived": "x"}, Table)


def test_allowed_lists_only_writable_keys() -> None:
    """The list of allowed keys leaves the internal ones out, and says so when none is left."""
    assert ["unknown key 'zzz' (allowed: origin_id)"] == problems({"zzz": 1}, Table)
    assert ["unknown key 'secret' (allowed: none)"] == problems({"secret": 1}, Internal)


def test_a_misspelt_key_is_still_offered_its_spelling() -> None:
    assert ["unknown key 'orgin_id'; did you mean 'origin_id'?"] == problems({"orgin_id": "x"}, Table)


def test_a_scheme_key_that_is_no_field() -> None:
    """At the top of a real scheme, 'origin' is unknown and no suggestion repeats it."""
    text = SCHEME_TEMPLATE.format(scheme_id='"origin-test"', scheme_comment="x", directory="x")
    with pytest.raises(ve.SchemeError) as caught:
        ve.loads_scheme(text.replace('period = "2024"', 'period = "2024"\norigin = "x"', 1))
    (problem,) = caught.value.problems
    assert ("origin",) == problem.path
    assert "did you mean 'origin'" not in problem.message
    assert problem.message.startswith("unknown key 'origin'")
