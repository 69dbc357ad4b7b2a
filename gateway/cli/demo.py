"""What `govgraph demo` offers a newcomer: first queries with real (synthetic) identifiers,
development tokens for a few roles, and the origins a local dev server may call from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DEMO_ORIGINS = "http://localhost:*,http://127.0.0.1:*"


BUILD_DASHBOARD = "npm --prefix examples ci && npm --prefix examples run build"


def built_dashboard() -> Path | None:
    """The leaders' dashboard of a source checkout, once built (`BUILD_DASHBOARD`)."""
    built = Path(__file__).resolve().parents[2] / "examples" / "dashboard" / "dist"
    return built if (built / "index.html").is_file() else None


def first_queries(id_number: str, community: str, until: str, since: str) -> list[str]:
    return [
        "{ grids(first: 5) { edges { node { code name leader { name } residents(first: 3) "
        "{ totalCount edges { node { name age tags { label } } } } } } } }",
        f'{{ resident(idNumber: "{id_number}") {{ name grid {{ name }} reportedCases {{ number '
        "status } legalAidCases { number statusLabel } enrolments { service { name } } } }",
        f'{{ statistics(scope: COMMUNITY, code: "{community}", since: "{since}", until: "{until}") '
        "{ reported closed overdue averageDaysToClose onTimeRate satisfactionRate } }",
    ]


def demo_tokens(settings: Any, population: Any) -> dict[str, str]:
    from gateway.access.auth import Role, mint_token

    grid = population.geography.grids[0]
    application = population.legal.applications[0]
    index = population.registry.index_of_id(application.applicant.id_number)
    person = population.person(index if index is not None else 0)

    def mint(role: Role, **claims: Any) -> str:
        return mint_token(
            settings.jwt_secret,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            role=role,
            subject=f"demo-{role.value}",
            lifetime_s=12 * 3600,
            **claims,
        )

    return {
        f"grid worker of {grid.name}": mint(Role.GRID_WORKER, grids=[grid.code]),
        f"community admin of {grid.community.name}": mint(
            Role.COMMUNITY_ADMIN, communities=[grid.community.code]
        ),
        "district admin (personal data masked)": mint(Role.DISTRICT_ADMIN),
        "the resident in the second query": mint(
            Role.RESIDENT, registry_number=person.registry_number, id_number=person.id_number
        ),
    }
