"""Scenarios through the admin API: applied to the population every mock shares, refused whole
with every problem named, and their fault steps switched on a timeline."""

from __future__ import annotations

import json
from typing import Any

from mocks import Population, build_mocks
from mocks.scenario import parse_scenario
from mocks.scenario_run import FaultTimeline
from tests.conftest import ClientFor
from tests.mocks.wire import civil_form

GOOD = """
name = "two open cases"
[[residents]]
as = "alice"
grid = "320213001001003"
[[cases]]
reporter = "alice"
class = "道路积水"
description = "雨后路口积水"
count = 2
"""


async def test_any_mocks_admin_api_takes_a_scenario_for_all(
    tiny_population: Population, client_for: ClientFor
) -> None:
    mocks = build_mocks(tiny_population)
    civil = client_for(mocks.civil)
    answer = await civil.post("/__admin/scenario", content=GOOD.encode())
    assert answer.status_code == 200
    played = answer.json()
    assert played["name"] == "two open cases"
    numbers = played["cases"]["alice"]
    assert len(numbers) == 2
    for number in numbers:  # the urban mock, on another port, holds them
        case = tiny_population.case(number)
        assert case is not None and case.grid.code == "320213001001003"
    as_json = await civil.post(
        "/__admin/scenario", content=json.dumps({"residents": [{"as": "bob"}]}).encode()
    )
    assert as_json.status_code == 200 and "bob" in as_json.json()["residents"]


async def test_a_bad_scenario_is_refused_whole_with_its_places(
    tiny_population: Population, client_for: ClientFor
) -> None:
    mocks = build_mocks(tiny_population)
    legal = client_for(mocks.legal)
    version = tiny_population.writes.version
    bad_class = GOOD + '[[cases]]\nreporter = "alice"\nclass = "外星人"\ndescription = "x"\n'
    answer = await legal.post("/__admin/scenario", content=bad_class.encode())
    assert answer.status_code == 400 and "unknown class '外星人'" in answer.json()["error"]
    assert tiny_population.writes.version == version  # neither of the good cases was written
    bad_shape = b'colour = "red"\n[[faults]]\nat = "soon"\nsystem = "mars"\n'
    answer = await legal.post("/__admin/scenario", content=bad_shape)
    error = answer.json()["error"]
    assert answer.status_code == 400
    assert "(top): Additional properties" in error
    assert "faults[0].at: 'soon' is not a duration" in error
    assert "faults[0].system" in error
    answer = await legal.post("/__admin/scenario", content=b"\xff\xfe")
    assert answer.status_code == 400


def test_fault_steps_replace_each_other_on_their_times(tiny_population: Population) -> None:
    mocks = build_mocks(tiny_population)
    scenario = parse_scenario(
        '[[faults]]\nat = "0s"\nsystem = "legal"\noutage = true\n'
        '[[faults]]\nat = "500ms"\nsystem = "legal-aid"\nlatency_ms = 800\n'
        '[[faults]]\nat = "1m"\nsystem = "legal"\nclear = true\n'
    )
    now = [0.0]
    timeline = FaultTimeline(scenario, mocks.apps(), clock=lambda: now[0])
    timeline.run_due(0.0)
    assert mocks.legal.faults.outage and not mocks.urban.faults.outage
    timeline.run_due(0.5)
    assert not mocks.legal.faults.outage and mocks.legal.faults.latency_ms == 800
    timeline.run_due(59.9)
    assert mocks.legal.faults.latency_ms == 800
    timeline.run_due(60.0)
    assert mocks.legal.faults.latency_ms == 0 and timeline.applied == 3


NEWCOMERS = """
[[people]]
as = "lin"
grid = "320213001001002"
name = "林新来"
sex = "女"
birth = "1948-05-12"
tags = ["独居老人"]
phone = "13912345678"

[[people]]
as = "lin_son"
household = "lin"
name = "林小军"
sex = "男"
birth = "1975-01-30"
relation = "子女"

[[cases]]
reporter = "lin"
class = "路灯损坏"
description = "楼道灯坏了"
"""


async def test_new_people_join_the_registry_in_a_household_of_their_own(
    tiny_population: Population, client_for: ClientFor
) -> None:
    seeded = tiny_population.person(61)
    mocks = build_mocks(tiny_population)
    civil = client_for(mocks.civil)
    grid = "320213001001002"
    before = await civil.post("/gateway/api/rk.queryByWgbm", data=civil_form({"wgbm": grid}))
    played = (await civil.post("/__admin/scenario", content=NEWCOMERS.encode())).json()
    assert set(played["residents"]) == {"lin", "lin_son"}
    lin = tiny_population.registry.person(tiny_population.registry.size)
    assert lin.name == "林新来" and lin.tags == ("04",) and not lin.male
    assert lin.id_number[6:14] == "19480512" and int(lin.id_number[16]) % 2 == 0

    async def ask(service: str, data: object) -> dict[str, Any]:
        answer = await civil.post(f"/gateway/api/{service}", data=civil_form(data))
        assert answer.json()["code"] == "00", answer.json()
        body: dict[str, Any] = answer.json()
        return body

    by_id = await ask("rk.queryBySfzh", {"sfzhs": [lin.id_number]})
    assert [r["xm"] for r in by_id["data"]] == ["林新来"]
    by_phone = await ask("rk.queryByLxdh", {"lxdh": "13912345678"})
    assert [r["rkbh"] for r in by_phone["data"]] == [lin.registry_number]
    listed = await ask("rk.queryByWgbm", {"wgbm": grid, "pageSize": 200})
    assert listed["total"] == before.json()["total"] + 2
    household = await ask("hu.queryByHh", {"hhs": [lin.household.code]})
    (record,) = household["data"]
    assert record["hzxm"] == "林新来" and record["rks"] == 2
    son = tiny_population.registry.person(lin.index + 1)
    assert record["cyrkbh"] == [lin.registry_number, son.registry_number]
    assert son.relation == "子女" and son.household.code == lin.household.code
    (number,) = played["cases"]["lin"]
    case = tiny_population.case(number)
    assert case is not None and case.reporter is not None
    assert case.reporter.id_number == lin.id_number
    assert tiny_population.person(61) == seeded  # nothing seeded moved


async def test_a_newcomer_needs_a_grid_or_a_household_named_before(
    tiny_population: Population, client_for: ClientFor
) -> None:
    legal = client_for(build_mocks(tiny_population).legal)
    size = len(tiny_population.registry.newcomers.people)
    cases = {
        '[[people]]\nas = "x"\nname = "某某"\nsex = "男"\nbirth = "1990-01-01"\n': "give a grid",
        '[[people]]\nas = "x"\nhousehold = "y"\nname = "某某"\nsex = "男"\nbirth = "1990-01-01"\n': "no newcomer named before",
        '[[people]]\nas = "x"\ngrid = "320213001001002"\nname = "某某"\nsex = "男"\nbirth = "2999-01-01"\n': "in the future",
        '[[people]]\nas = "x"\ngrid = "320213001001002"\nname = "某某"\nsex = "X"\nbirth = "1990-01-01"\n': "people[0].sex",
    }
    for text, said in cases.items():
        answer = await legal.post("/__admin/scenario", content=text.encode())
        assert answer.status_code == 400 and said in answer.json()["error"], answer.json()
    assert len(tiny_population.registry.newcomers.people) == size
