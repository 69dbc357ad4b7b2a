"""Scenarios through the admin API: applied to the population every mock shares, refused whole
with every problem named, and their fault steps switched on a timeline."""

from __future__ import annotations

import json

from mocks import Population, build_mocks
from mocks.scenario import parse_scenario
from mocks.scenario_run import FaultTimeline
from tests.conftest import ClientFor

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
