"""Real legacy records, fetched from the in-process mocks through the connectors."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx

from connectors.base import BackendSettings
from connectors.civil import CivilAffairsConnector
from connectors.legal import LegalAidConnector
from connectors.urban import UrbanConnector
from mocks import MockSet
from mocks.civil import APP_KEY, SECRET
from mocks.legal import CLIENT_ID, CLIENT_SECRET
from mocks.urban import PASSWORD, USERNAME
from tests.conftest import AS_OF


async def fetch(mocks: MockSet) -> dict[str, list[Any]]:
    def transport(app: Any) -> httpx.ASGITransport:
        return httpx.ASGITransport(app)

    urban = UrbanConnector(
        BackendSettings("http://urban"), USERNAME, PASSWORD, transport(mocks.urban)
    )
    civil = CivilAffairsConnector(
        BackendSettings("http://civil"), APP_KEY, SECRET, transport(mocks.civil)
    )
    legal = LegalAidConnector(
        BackendSettings("http://legal"),
        CLIENT_ID,
        CLIENT_SECRET,
        transport(mocks.legal),
        rate_limit_rps=10_000,
    )
    population = mocks.population
    people = [population.person(i) for i in range(0, population.registry.size, 401)]
    grids = await urban.grids(1, 100)
    grid_code = grids.items[0]["WGBM"]
    cases = await urban.cases(grid=grid_code, start=AS_OF - timedelta(days=10), end=AS_OF, size=100)
    residents = await civil.residents_by_registry_numbers([p.registry_number for p in people])
    records: dict[str, list[Any]] = {
        "grids": grids.items,
        "departments": await urban.departments(),
        "cases": cases.items,
        "residents": residents,
        "households": await civil.households(sorted({r["hh"] for r in residents})),
        "buildings": await civil.buildings_of_grid(grid_code),
        "organisations": await civil.organisations(),
        "services": await civil.services(),
        "centers": await civil.service_centers(),
        "placements": await civil.service_placements(),
        "enrolments": await civil.enrolments_of(
            [e.registry_number for e in population.services.enrolments[:60]]
        ),
        "applications": (
            await legal.applications_of_community(population.geography.communities[0].code)
        )[:80],
        "disputes": await legal.disputes_of_community(population.geography.communities[1].code),
        "lawyers": await legal.lawyers(),
        "offices": await legal.law_offices(),
        "workstations": await legal.workstations(),
    }
    await asyncio.gather(urban.aclose(), civil.aclose(), legal.aclose())
    return records
