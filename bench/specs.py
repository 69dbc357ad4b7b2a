"""The standard queries' specifications (`queries/expected.json`) with the figures that depend
on the population filled in: the case list's minimum worked out at the systems themselves, a
resident with legal-aid records for the profile."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from bench.harness import COMMUNITY, GRID, QUERIES, resident_with_legal_aid
from connectors.base import BackendSettings
from connectors.civil import CivilAffairsConnector
from connectors.urban import UrbanConnector
from gateway.settings import Settings


async def case_list_minimum(stack: Any) -> tuple[int, int, int]:
    """Worked out at the systems themselves from the newest 100 cases: (the fewest backend
    requests, the calls of the identity level, the phone look-ups that must wait for it).
    Reporters' ID numbers go in one look-up, beside the phones of reporters who gave no ID
    number; the phones of reporters whose ID number the registry does not know follow it."""
    s = Settings()
    urban = UrbanConnector(
        BackendSettings(stack.mock_urls["urban"]), s.urban_username, s.urban_password
    )
    civil = CivilAffairsConnector(
        BackendSettings(stack.mock_urls["civil"]), s.civil_app_key, s.civil_secret
    )
    try:
        cases = (await urban.cases(grid=GRID, size=100)).items
        ids = sorted({c["SBRSFZH"].upper() for c in cases if c["SBRSFZH"]})
        known = (
            {r["sfzh"].upper() for r in await civil.residents_by_id_numbers(ids)} if ids else set()
        )
        first = {c["SBRDH"] for c in cases if c["SBRDH"] and not c["SBRSFZH"]}
        later = {
            c["SBRDH"]
            for c in cases
            if c["SBRDH"] and c["SBRSFZH"] and c["SBRSFZH"].upper() not in known
        } - first
        households = 1
        identity_level = (1 if ids else 0) + len(first)
        return 1 + identity_level + len(later) + households, identity_level, len(later)
    finally:
        await urban.aclose()
        await civil.aclose()


def _expected() -> dict[str, Any]:
    """Each standard query's expected figures (`expected.json`), notes (`_…`) left out."""
    raw = json.loads((QUERIES / "expected.json").read_text(encoding="utf-8"))
    return {name: spec for name, spec in raw.items() if not name.startswith("_")}


def standard_names() -> list[str]:
    return list(_expected())


def specs(stack: Any) -> dict[str, dict[str, Any]]:
    case_min, identity_level, later_phones = asyncio.run(case_list_minimum(stack))
    resident_id = resident_with_legal_aid(stack.gateway_url)
    out: dict[str, dict[str, Any]] = {}
    for name, spec in _expected().items():
        text = json.dumps(spec)
        text = (
            text.replace('"$CASE_LIST_MIN"', str(case_min))
            .replace('"$CASE_LIST_IDENTITY_LEVEL"', str(identity_level))
            .replace('"$CASE_LIST_LATER_PHONES"', str(later_phones))
        )
        text = (
            text.replace("$RESIDENT_ID", resident_id)
            .replace("$GRID", GRID)
            .replace("$COMMUNITY", COMMUNITY)
        )
        out[name] = json.loads(text)
    return out
