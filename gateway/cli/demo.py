"""What `govgraph demo` offers a newcomer: first queries with real (synthetic) identifiers,
development tokens for a few roles, and the origins a local dev server may call from."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
from datetime import timedelta
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
        f'{{ community(code: "{community}") {{ microProjects {{ title budgetFen status }} '
        "grids { name activities(first: 2) { title signedUp } wishes(first: 2) { content status } "
        "deliberations(first: 1) { title votes { agree disagree } passed } } } }",
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
        "urban-management dispatcher": mint(Role.URBAN_MANAGEMENT),
        "department: 区环境卫生管理所 (BM09)": mint(Role.DEPARTMENT, department="BM09"),
        "the resident in the second query": mint(
            Role.RESIDENT, registry_number=person.registry_number, id_number=person.id_number
        ),
    }


def run_demo(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.cli.loop import run_servers
    from gateway.cli.router import missing, start_router, stop_router, supergraph_for
    from gateway.http.app import create_app
    from gateway.http.one_write import PROTOCOL as ONE_WRITE
    from gateway.settings import Settings
    from mocks import DEFAULT_PORTS, Population, build_mocks
    from mocks.serve import describe, servers
    from schema.subgraphs import SUBGRAPHS

    if args.federated and missing():
        print(f"govgraph demo --federated: {missing()}")
        return 2
    population = Population(seed=args.seed, preset=args.scale)
    mocks = build_mocks(population, latency_ms=args.latency_ms)
    host = "127.0.0.1"
    ports = {key: getattr(args, f"{key}_port") or port for key, port in DEFAULT_PORTS.items()}
    dashboard = built_dashboard()
    settings = Settings().with_values(
        {
            **{f"{key}_url": f"http://{host}:{port}" for key, port in ports.items()},
            "cors_origins": DEMO_ORIGINS,
            "dashboard_dir": str(dashboard or ""),
            "subgraph": "urban" if args.federated else "",
        }
    )
    own_port = args.port + 1 if args.federated else args.port
    tokens = demo_tokens(settings, population)
    app = create_app(settings, explorer_tokens=tokens)
    gateways = [
        uvicorn.Server(
            uvicorn.Config(app, host=host, port=own_port, http=ONE_WRITE, log_level="warning")
        )
    ]
    subgraphs = {"urban": f"http://{host}:{own_port}/graphql"}
    agencies = [s for s in SUBGRAPHS if s not in ("all", "urban")] if args.federated else []
    for offset, name in enumerate(agencies, start=1):  # each agency's subgraph beside urban's
        agency = create_app(settings.with_values({"subgraph": name}))
        config = uvicorn.Config(
            agency, host=host, port=own_port + offset, http=ONE_WRITE, log_level="warning"
        )
        gateways.append(uvicorn.Server(config))
        subgraphs[name] = f"http://{host}:{own_port + offset}/graphql"
    print(describe(mocks, host, ports))
    if args.federated:
        print(f"\nrouter (Hive Gateway) http://{host}:{args.port}/graphql")
        for name, url in subgraphs.items():
            print(f"subgraph {name:<12} {url}")
    else:
        print(f"\ngovgraph gateway   http://{host}:{args.port}/graphql")
    print(f"explorer (GraphiQL) http://{host}:{own_port}/explorer/  (demo tokens offered above it)")
    if dashboard is not None:
        print(f"leaders' dashboard  http://{host}:{own_port}/dashboard/")
    else:
        print(f"leaders' dashboard  not built: {BUILD_DASHBOARD}")
    print(f"CORS: pages on {DEMO_ORIGINS} may call it (a Vite dev server, say)")
    print("\nFirst queries to try:")
    application = population.legal.applications[0]
    if population.registry.index_of_id(application.applicant.id_number) is None:
        application = population.legal.applications[1]
    end = population.as_of.replace(hour=0, minute=0, second=0, microsecond=0)
    for query in first_queries(
        application.applicant.id_number,
        application.community_code,
        end.isoformat(),
        (end - timedelta(days=30)).isoformat(),
    ):
        print(f"  {query}")
    print("\nWithout a token you are the public role (grids, services; no residents). Development")
    print('tokens (paste into the explorer\'s Headers tab as {"Authorization": "Bearer …"}):')
    for label, value in tokens.items():
        print(f"  {label}:\n    {value}")
    print(flush=True)

    async def run_all() -> None:
        await asyncio.gather(
            *(g.serve() for g in gateways), *(s.serve() for s in servers(mocks, host, ports))
        )

    with tempfile.TemporaryDirectory() as work, contextlib.ExitStack() as stack:
        if args.federated:
            supergraph = supergraph_for(subgraphs, Path(work) / "supergraph.graphql")
            router = start_router(args.port, supergraph)
            stack.callback(stop_router, router)
        with contextlib.suppress(KeyboardInterrupt):
            run_servers(run_all())
    return 0
