"""A grid's engagement lists adapted as far as they are read: the newest five of fifty cost five
adaptations, a bad record fails the reading that reaches it (and only that), as the backend's
contract failure."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.errors import BackendContractError, ContractError
from gateway.access.auth import Role
from gateway.backends.adapted import Adapted
from tests.gateway.conftest import open_gateway


class Counting:
    def __init__(self) -> None:
        self.seen: list[int] = []

    def __call__(self, record: dict[str, Any]) -> int:
        self.seen.append(record["n"])
        if record.get("bad"):
            raise ContractError("engagement", "activity", "title", "not a string")
        return int(record["n"]) * 10


def records(count: int, bad: int | None = None) -> list[dict[str, Any]]:
    return [{"n": n, **({"bad": True} if n == bad else {})} for n in range(count)]


def test_only_what_is_read_is_adapted_and_only_once() -> None:
    convert = Counting()
    listed = Adapted("engagement", "activity_list", convert, records(50))
    assert len(listed) == 50
    assert listed[:5] == [0, 10, 20, 30, 40]
    assert convert.seen == [0, 1, 2, 3, 4]
    assert listed[2] == 20 and listed[:3] == [0, 10, 20]
    assert convert.seen == [0, 1, 2, 3, 4]  # kept, not adapted again
    assert listed[-1] == 490 and len(convert.seen) == 50
    assert listed[::25] == [0, 250] and list(listed)[7] == 70
    assert len(convert.seen) == 50
    with pytest.raises(IndexError):
        listed[50]
    assert Adapted("engagement", "activity_list", convert, [])[:5] == []


def test_a_bad_record_fails_the_reading_that_reaches_it() -> None:
    listed = Adapted("engagement", "activity_list", Counting(), records(50, bad=30))
    assert listed[:5] == [0, 10, 20, 30, 40]  # the bad record is past what is read
    with pytest.raises(BackendContractError) as failed:
        listed[:31]
    assert failed.value.code == "BACKEND_CONTRACT"
    assert "activity_list" in str(failed.value) and "title" in str(failed.value)
    with pytest.raises(BackendContractError):
        next(a for a in listed if a == 400)  # a search past it fails too
    assert listed[29] == 290  # what came before it stays readable


async def test_a_dashboard_fails_a_list_only_where_a_shown_record_is_bad() -> None:
    async with open_gateway() as (gateway, app):
        platform = app.state.backends.connectors["engage"]
        listed = platform.activities

        async def with_a_bad_record(grid_code: str) -> list[Any]:
            found = [dict(r) for r in await listed(grid_code)]
            where = spoiled.get(grid_code)
            if where is not None:
                found[where]["title"] = 7  # not a string
            return found

        spoiled: dict[str, int] = {}
        platform.activities = with_a_bad_record
        who = gateway.as_role(Role.DISTRICT_ADMIN)
        query = "{ grids(first: 2) { edges { node { code activities(first: 2) { title } } } } }"
        grids = [e["node"]["code"] for e in (await who.data(query))["grids"]["edges"]]
        lengths = [len(await listed(code)) for code in grids]
        assert min(lengths) > 3, lengths
        spoiled.update({grids[0]: lengths[0] - 1, grids[1]: 1})  # past the two shown; among them
        body = await who.query(query)
        shown = body["data"]["grids"]["edges"]
        assert len(shown[0]["node"]["activities"]) == 2
        assert shown[1]["node"]["activities"] is None
        assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
            (["grids", "edges", 1, "node", "activities"], "BACKEND_CONTRACT")
        ]
        assert "7" not in str(body["errors"])
