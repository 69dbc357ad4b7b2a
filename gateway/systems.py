"""The legacy systems govgraph federates, each described once: its key (settings prefix,
transport and mock), its name in errors, metrics and `/readyz`, how its connector is made from
the settings (`<key>_url` and its credentials), and what `/readyz` fetches to know it answers.
Its mock registers in `mocks/serve.py`, apart: the gateway never imports the mocks.

The gateway iterates over `SYSTEMS` to build connectors, probe readiness, watch metrics and
shut down; adding a system is `docs/adding-a-system.md`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from connectors.base import Backend
from connectors.civil import CivilAffairsConnector
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
)

BY_KEY = {system.key: system for system in SYSTEMS}
