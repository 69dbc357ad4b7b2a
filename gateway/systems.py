"""The legacy systems govgraph federates, each described once: its key (settings prefix,
transport and mock), its name in errors, metrics and `/readyz`, how its connector is made from
the settings (`<key>_url` and its credentials), and what `/readyz` fetches to know it answers.
Its mock registers in `mocks/serve.py`, apart: the gateway never imports the mocks.

The gateway iterates over `SYSTEMS` to build connectors, probe readiness, watch metrics and
shut down; adding a system is `docs/adding-a-system.md`. A system's own parts above the
connector (its share of a request's data, its access rows and scope) are named in `parts` as
`module:attribute` and taken by the layers that compose them (`system_parts`), so that adding a
system touches this registry and not their modules.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from connectors.base import Backend
from connectors.civil import CivilAffairsConnector
from connectors.engage import EngagementConnector
from connectors.legal import LegalAidConnector
from connectors.urban import UrbanConnector
from gateway.settings import Settings


class Connector(Protocol):
    backend: Backend

    def aclose(self) -> Awaitable[None]: ...


ConnectorFactory = Callable[[Settings, httpx.AsyncBaseTransport | None], Any]


@dataclass(frozen=True, slots=True)
class System:
    key: str
    name: str
    readiness_path: str
    connect: ConnectorFactory
    # "data": its part of a request's data (a DataBase subclass); "access": that part seen
    # through a caller's scope; "policy": its rows (a gateway.access.views.SystemRows)
    parts: Mapping[str, str] = field(default_factory=dict)


SYSTEMS: tuple[System, ...] = (
    System(
        key="urban",
        name="urban-management",
        readiness_path="/UrbanService.asmx?wsdl",
        connect=lambda s, t: UrbanConnector(
            s.backend("urban"), s.urban_username, s.urban_password, t
        ),
    ),
    System(
        key="civil",
        name="civil-affairs",
        readiness_path="/openapi.json",
        connect=lambda s, t: CivilAffairsConnector(
            s.backend("civil"), s.civil_app_key, s.civil_secret, t
        ),
    ),
    System(
        key="legal",
        name="legal-aid",
        readiness_path="/openapi.json",
        connect=lambda s, t: LegalAidConnector(
            s.backend("legal"),
            s.legal_client_id,
            s.legal_client_secret,
            t,
            rate_limit_rps=s.legal_rate_limit_rps,
        ),
    ),
    System(
        key="engage",
        name="engagement",
        readiness_path="/openapi.json",
        connect=lambda s, t: EngagementConnector(
            s.backend("engage"), s.engage_app_id, s.engage_app_secret, t
        ),
        parts={
            "data": "gateway.backends.engage_data:EngageData",
            "access": "gateway.access.engage_scope:EngageScope",
            "policy": "gateway.access.engage_policy:ROWS",
        },
    ),
)

BY_KEY = {system.key: system for system in SYSTEMS}


def system_parts(kind: str) -> list[Any]:
    """Each registered system's part of this kind, imported, in registration order."""
    found = []
    for system in SYSTEMS:
        ref = system.parts.get(kind)
        if ref:
            module, _, attribute = ref.partition(":")
            found.append(getattr(importlib.import_module(module), attribute))
    return found
