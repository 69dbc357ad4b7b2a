"""What each field costs beyond its own value: plain attributes read in one call, and the
awaitable check remembered by type, with the same answers as before."""

from __future__ import annotations

import asyncio
import types
from collections import Counter
from collections.abc import Callable, Generator
from typing import Any

import pytest
from strawberry.types.field import StrawberryField

import schema.direct as direct
from gateway.access.auth import Role
from tests.gateway.conftest import Gateway

QUERY = "query Depts { departments { code name } }"


async def test_fields_without_resolvers_are_read_straight_from_their_objects(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`code` and `name` are plain attributes: read directly, not through Strawberry's
    five-call path (`StrawberryField.get_result` among them), with the same answer."""
    calls: Counter[str] = Counter()
    original: Callable[..., Any] = StrawberryField.get_result

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls["get_result"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(StrawberryField, "get_result", counted)
    staff = gateway.as_role(Role.URBAN_MANAGEMENT)
    departments = (await staff.data(QUERY))["departments"]
    assert len(departments) > 3
    assert all(d["code"] and d["name"] for d in departments)
    assert calls["get_result"] == 1  # the `departments` resolver only


@types.coroutine
def _generator_coroutine() -> Generator[None, None, int]:
    yield
    return 1


def _plain_generator() -> Generator[int, None, None]:
    yield 1


async def _coroutine() -> int:
    return 1


def test_the_awaitable_check_answers_as_strawberrys_by_type() -> None:
    loop = asyncio.new_event_loop()
    coroutine, generator_coroutine = _coroutine(), _generator_coroutine()
    try:
        for _ in range(2):  # the second time from what was remembered
            assert direct.awaitable(coroutine)
            assert direct.awaitable(loop.create_future())
            assert direct.awaitable(generator_coroutine)
            assert not direct.awaitable(_plain_generator())
            assert not direct.awaitable(object())
            assert not direct.awaitable(Role.RESIDENT)
            assert not direct.awaitable("text")
    finally:
        coroutine.close()
        generator_coroutine.close()
        loop.close()


async def test_the_gateways_execution_remembers_the_types_it_completes(gateway: Gateway) -> None:
    direct._awaitable_by_type.clear()
    staff = gateway.as_role(Role.URBAN_MANAGEMENT)
    assert (await staff.data(QUERY))["departments"]
    remembered = {kind.__name__ for kind in direct._awaitable_by_type}
    assert "Department" in remembered


GRIDS_WITH_ARGUMENTS = """query Grids($since: DateTime!) { grids(first: 4) { edges { node {
    code a: residents(first: 2) { totalCount } b: residents(first: 3) { totalCount }
    statistics(since: $since, until: "2026-11-01T00:00:00+08:00") { reported } } } } }"""


GRIDS_ARGUMENTS = ("first", "after", "community", "includeMicroGrids")
RESIDENTS_ARGUMENTS = ("first", "after", "tag", "name")


async def test_a_fields_arguments_are_converted_once_a_request_for_each_set_of_values(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four grids ask for residents with `first: 2`, four with `first: 3`, and four for
    statistics over one period: three conversions by Strawberry, not twelve, and each grid's
    answer as its own arguments say."""
    import strawberry.types.arguments as arguments

    converted: Counter[tuple[str, ...]] = Counter()
    original = arguments.convert_arguments

    def counted(value: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        converted[tuple(value)] += 1
        return original(value, *args, **kwargs)

    monkeypatch.setattr(arguments, "convert_arguments", counted)
    admin = gateway.as_role(Role.DISTRICT_ADMIN)
    grids = (await admin.data(GRIDS_WITH_ARGUMENTS, {"since": "2026-10-01T00:00:00+08:00"}))[
        "grids"
    ]["edges"]
    assert len(grids) == 4
    assert all(g["node"]["a"]["totalCount"] == g["node"]["b"]["totalCount"] for g in grids)
    expected = {GRIDS_ARGUMENTS: 1, RESIDENTS_ARGUMENTS: 2, ("since", "until"): 1}
    assert converted == expected
    converted.clear()
    await admin.data(GRIDS_WITH_ARGUMENTS, {"since": "2026-10-01T00:00:00+08:00"})
    assert converted == expected  # a new request converts anew


def test_equal_values_of_other_types_are_converted_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """True, 1 and 1.0 are equal as keys: each is converted, and each call gets its own."""
    from types import SimpleNamespace

    import strawberry.types.arguments as arguments
    from strawberry.schema import schema_converter

    from schema import execution

    execution.convert_arguments_once()
    converted: list[dict[str, Any]] = []

    def echo(value: dict[str, Any], *_: Any) -> dict[str, Any]:
        converted.append(dict(value))
        return dict(value)

    monkeypatch.setattr(arguments, "convert_arguments", echo)
    convert: Callable[..., dict[str, Any]] = schema_converter.convert_arguments  # type: ignore[attr-defined]
    info = SimpleNamespace(context=SimpleNamespace(converted_arguments={}))
    field_arguments = [object()]
    for value in (1, True, 1.0, 1, True):
        got = convert({"x": value}, field_arguments, None, None, info)
        assert got == {"x": value} and type(got["x"]) is type(value)
    assert converted == [{"x": 1}, {"x": True}, {"x": 1.0}]
    first = convert({"x": 1}, field_arguments, None, None, info)
    first["x"] = 2  # a resolver's own copy
    assert convert({"x": 1}, field_arguments, None, None, info) == {"x": 1}
