"""Run the mock systems on 127.0.0.1 over one population, until interrupted."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from .arrival import ArrivalStampedProtocol
from .civil import create_civil_app
from .engage import create_engage_app
from .harness import Harness
from .legal import create_legal_app
from .population import Population
from .scenario import Scenario, parse_scenario
from .scenario_run import Applied, FaultTimeline, apply_scenario
from .urban import create_urban_app

DEFAULT_PORTS = {"urban": 8101, "civil": 8102, "legal": 8103, "engage": 8104}


@dataclass(slots=True)
class MockSet:
    population: Population
    urban: Harness
    civil: Harness
    legal: Harness
    engage: Harness
    timelines: list[FaultTimeline] = field(default_factory=list)

    def apps(self) -> dict[str, Harness]:
        return {
            "urban": self.urban,
            "civil": self.civil,
            "legal": self.legal,
            "engage": self.engage,
        }

    def play(self, scenario: Scenario) -> Applied:
        """Adds the scenario's records and starts its fault timeline (from now)."""
        applied = apply_scenario(self.population, scenario)
        self.timelines.append(FaultTimeline(scenario, self.apps()).start())
        return applied

    def play_text(self, text: str) -> dict[str, Any]:
        """For the admin API: a scenario document in TOML or JSON; ScenarioError if bad."""
        scenario = parse_scenario(text, "scenario")
        return {"name": scenario.name, **self.play(scenario).summary()}

    def stop(self) -> None:
        for timeline in self.timelines:
            timeline.stop()


def build_mocks(
    population: Population,
    *,
    latency_ms: float = 0.0,
    jitter_ms: float = 0.0,
    legal_rps: float = 20.0,
) -> MockSet:
    mocks = MockSet(
        population,
        create_urban_app(population),
        create_civil_app(population),
        create_legal_app(population, rate_limit_rps=legal_rps),
        create_engage_app(population),
    )
    for app in mocks.apps().values():
        app.faults.latency_ms = latency_ms
        app.faults.jitter_ms = jitter_ms
        app.scenario_player = mocks.play_text
    return mocks


def describe(mocks: MockSet, host: str, ports: dict[str, int]) -> str:
    lines = []
    for name, app in mocks.apps().items():
        base = f"http://{host}:{ports[name]}"
        identity = app.identity
        credentials = ", ".join(f"{k}={v}" for k, v in identity.credentials.items())
        lines.append(
            f"{identity.system:<18} {base}{identity.endpoint}  contract {base}{identity.contract}\n"
            f"{'':<18} credentials: {credentials}"
        )
    return "\n".join(lines)


def servers(mocks: MockSet, host: str, ports: dict[str, int]) -> list[uvicorn.Server]:
    return [
        uvicorn.Server(
            uvicorn.Config(
                app,
                host=host,
                port=ports[name],
                log_level="warning",
                lifespan="off",
                http=ArrivalStampedProtocol,
            )
        )
        for name, app in mocks.apps().items()
    ]


async def serve_forever(mocks: MockSet, host: str, ports: dict[str, int]) -> None:
    running = servers(mocks, host, ports)
    await asyncio.gather(*(server.serve() for server in running))
