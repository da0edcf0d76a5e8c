"""A text may start with ``$``: ``$$`` at the start of a string in a scheme stands for one
literal ``$``; a single ``$`` starts a parameter reference (docs/scheme-format.md,
``[parameters.<name>]``)."""

from __future__ import annotations

import pytest

import villageeval as ve
from villageeval._init import SCHEME_TEMPLATE

SKELETON = SCHEME_TEMPLATE.format(scheme_id='"dollars"', scheme_comment="dollars", directory="dollars")
PRAISE = 'text = "通报表扬"'


def with_praise(text: str, extra: str = "") -> str:
    """The skeleton scheme with the praise consequence's text written as ``text`` (TOML)."""
    assert 1 == SKELETON.count(PRAISE)
    return SKELETON.replace(PRAISE, f"text = {text}") + extra


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ('"$$5 a head"', "$5 a head"),
        ('"$$"', "$"),
        ('"$$$5"', "$$5"),
        ('"$$min_raters"', "$min_raters"),
        ('"5$ a head"', "5$ a head"),
        ('"a $ b $$ c"', "a $ b $$ c"),
    ],
)
def test_double_dollar_is_a_literal_dollar(written: str, read: str) -> None:
    """Only the start of a text is read: ``$$`` there is one ``$``, anything else is as written."""
    scheme = ve.loads_scheme(with_praise(written))
    assert read == scheme.consequences["praise"].text


def test_a_single_dollar_is_still_a_reference() -> None:
    """``"$fee"`` takes the parameter's value; the escape does not change references."""
    extra = '\n[parameters.fee]\nvalue = "五元"\nlabel = "每人费用"\n'
    assert "五元" == ve.loads_scheme(with_praise('"$fee"', extra)).consequences["praise"].text


def test_an_unknown_reference_says_how_to_write_a_dollar() -> None:
    """``"$5 a head"`` is an unknown parameter; the message shows the escape."""
    with pytest.raises(ve.SchemeError) as caught:
        ve.loads_scheme(with_praise('"$5 a head"'))
    (problem,) = caught.value.problems
    assert ("consequences", "praise", "text") == problem.path
    assert problem.message == (
        "unknown parameter '$5 a head' (declare it under [parameters]); "
        "a text that starts with a literal $ is written with $$ ('$$5 a head')"
    )


def test_inside_parameters_every_text_is_as_written() -> None:
    """A parameter's value ``"$5"`` is that text, used as it is where ``"$fee"`` is written;
    ``"$$5"`` there is ``$$5`` (values are never read again, like overrides)."""
    for value, text in (('"$5"', "$5"), ('"$$5"', "$$5")):
        extra = f'\n[parameters.fee]\nvalue = {value}\nlabel = "$每人费用"\n'
        scheme = ve.loads_scheme(with_praise('"$fee"', extra))
        assert text == scheme.consequences["praise"].text
        assert text == scheme.parameters["fee"].value
        assert "$每人费用" == scheme.parameters["fee"].label


def test_the_escape_is_resolved_before_hashing() -> None:
    """The scheme holds the text itself (``$5``), so its plain form and its hash do too."""
    direct = ve.loads_scheme(with_praise('"$$5"'))
    assert "$5" == ve.scheme_to_dict(direct)["consequences"]["praise"]["text"]
