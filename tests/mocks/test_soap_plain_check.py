"""The urban mock's quick check of plain SOAP calls may only ever accept what the WSDL's schema
accepts: for calls of every operation, in and out of order, with odd values, attributes, text
and nested elements, a call it passes has no schema error."""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement

from hypothesis import given, settings
from hypothesis import strategies as st

from mocks.urban import NAMESPACE
from mocks.urban.contract import OPERATIONS
from mocks.urban.schema_check import _plainly_valid, wsdl_schema

VALUES = st.one_of(
    st.from_regex(r"-?[0-9]{1,12}(\.[0-9]{1,8})?", fullmatch=True),
    st.sampled_from(["", " 5", "5 ", "+5", "1e3", "0x10", "2147483648", "-2147483649", "abc"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=8),
)


Child = tuple[str, str, bool, bool, bool, bool]  # name, text, attribute, nested, tail, foreign


def build(operation: str, children: list[Child]) -> Element:
    call = Element(f"{{{NAMESPACE}}}{operation}")
    for name, value, attribute, nested, tail, foreign in children:
        child = SubElement(call, f"{{{'urn:other' if foreign else NAMESPACE}}}{name}")
        child.text = value
        if attribute:
            child.set("kind", "x")
        if nested:
            SubElement(child, f"{{{NAMESPACE}}}string").text = value
        if tail:
            child.tail = "stray"
    return call


def declared_in_order(
    operation: str, values: list[str]
) -> list[tuple[str, str, bool, bool, bool, bool]]:
    params = OPERATIONS[operation].params
    return [(p.name, v, False, False, False, False) for p, v in zip(params, values, strict=False)]


MUTATIONS = st.sampled_from(
    ["swap", "repeat", "drop", "extra", "attribute", "nested", "tail", "foreign", "none"]
)


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(sorted(OPERATIONS)),
    st.lists(VALUES, min_size=1, max_size=10),
    MUTATIONS,
    st.integers(min_value=0, max_value=9),
)
def test_a_call_passed_quickly_is_valid_by_the_schema(
    operation: str, values: list[str], mutation: str, where: int
) -> None:
    children = declared_in_order(operation, values)
    if children:
        at = where % len(children)
        name, value, *_ = children[at]
        if mutation == "swap" and len(children) > 1:
            children[at], children[at - 1] = children[at - 1], children[at]
        elif mutation == "repeat":
            children.insert(at, children[at])
        elif mutation == "drop":
            del children[at]
        elif mutation == "extra":
            children.insert(at, ("Extra", value, False, False, False, False))
        elif mutation in ("attribute", "nested", "tail", "foreign"):
            flags = [mutation == m for m in ("attribute", "nested", "tail", "foreign")]
            children[at] = (name, value, *flags)  # type: ignore[assignment]
    call = build(operation, children)
    if _plainly_valid(call, OPERATIONS[operation]):
        assert list(wsdl_schema().iter_errors(call)) == []


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(OPERATIONS)), st.lists(VALUES, max_size=10))
def test_declared_parameters_in_order_are_judged_alike(operation: str, values: list[str]) -> None:
    call = build(operation, declared_in_order(operation, values))
    if _plainly_valid(call, OPERATIONS[operation]):
        assert list(wsdl_schema().iter_errors(call)) == []


def test_the_connectors_plain_calls_take_the_quick_path() -> None:
    call = build(
        "QueryCases",
        [
            ("Token", "t0k3n", False, False, False, False),
            ("WGBM", "320213001001001", False, False, False, False),
            ("PageSize", "5", False, False, False, False),
            ("CurrentPageIndex", "1", False, False, False, False),
        ],
    )
    assert _plainly_valid(call, OPERATIONS["QueryCases"])
    out_of_order = build(
        "QueryCases",
        [
            ("Token", "t0k3n", False, False, False, False),
            ("PageSize", "5", False, False, False, False),
            ("WGBM", "320213001001001", False, False, False, False),
        ],
    )
    assert not _plainly_valid(out_of_order, OPERATIONS["QueryCases"])
    assert list(wsdl_schema().iter_errors(out_of_order))
