"""govgraph's pytest plugin (entry point `pytest11`: installed with the package, on by itself).

Fixtures, all named `govgraph_*` so they meet none of a project's own:

- `govgraph_population`: the seeded population (preset and seed from the options below);
- `govgraph_scenario`: the scenario for this test (the `govgraph_scenario` marker, else the
  `govgraph_scenario` ini option), or None;
- `govgraph_mocks`: the four mock systems in process, the scenario applied and its faults
  started; `client(system)` talks to one's ASGI app;
- `govgraph_mock_servers`: the same over real sockets on 127.0.0.1 (`url(system)`);
- `govgraph_gateway`: a gateway over a real socket in front of the mock servers, with tokens
  per role, `query(...)` and each system's `breaker(...)`;
- `govgraph_gateway_settings`: a dict of settings for that gateway; override it in a conftest.

Options: `--govgraph-preset` / ini `govgraph_preset` (tiny, demo, district; default tiny),
`--govgraph-seed` / ini `govgraph_seed` (default 1), ini `govgraph_scenario` (a path relative to
the ini file). Marker: `@pytest.mark.govgraph_scenario("path/to/scenario.toml")`, relative to
the test's file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mocks import Population
    from mocks.scenario import Scenario

    from .handles import GatewayHandle, MockSystems


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("govgraph", "govgraph mock systems and gateway")
    group.addoption("--govgraph-preset", help="population preset: tiny, demo or district")
    group.addoption("--govgraph-seed", type=int, help="population seed")
    parser.addini("govgraph_preset", "population preset for the govgraph fixtures", default="tiny")
    parser.addini("govgraph_seed", "population seed for the govgraph fixtures", default="1")
    parser.addini("govgraph_scenario", "a scenario file applied by the govgraph fixtures")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "govgraph_scenario(path): the scenario file the govgraph fixtures apply"
    )


@pytest.fixture
def govgraph_population(request: pytest.FixtureRequest) -> Population:
    from mocks import Population

    config = request.config
    preset = config.getoption("--govgraph-preset") or config.getini("govgraph_preset")
    seed = config.getoption("--govgraph-seed") or int(config.getini("govgraph_seed"))
    return Population(seed=seed, preset=preset)


@pytest.fixture
def govgraph_scenario(request: pytest.FixtureRequest) -> Scenario | None:
    from mocks.scenario import ScenarioError, load_scenario

    marker = request.node.get_closest_marker("govgraph_scenario")
    if marker is not None:
        path = Path(request.node.path).parent / str(marker.args[0])
    elif request.config.getini("govgraph_scenario"):
        base = request.config.inipath.parent if request.config.inipath else Path.cwd()
        path = base / str(request.config.getini("govgraph_scenario"))
    else:
        return None
    try:
        return load_scenario(path)
    except ScenarioError as error:
        pytest.fail(f"govgraph scenario: {error}", pytrace=False)


def _systems(population: Population, scenario: Scenario | None) -> Iterator[MockSystems]:
    from mocks import build_mocks
    from mocks.scenario import ScenarioError

    from .handles import MockSystems

    mocks = build_mocks(population, legal_rps=1_000)
    systems = MockSystems(mocks)
    try:
        if scenario is not None:
            systems.play(scenario)
    except ScenarioError as error:
        pytest.fail(f"govgraph scenario: {error}", pytrace=False)
    try:
        yield systems
    finally:
        mocks.stop()


@pytest.fixture
def govgraph_mocks(
    govgraph_population: Population, govgraph_scenario: Scenario | None
) -> Iterator[MockSystems]:
    yield from _systems(govgraph_population, govgraph_scenario)


@pytest.fixture
def govgraph_mock_servers(
    govgraph_population: Population, govgraph_scenario: Scenario | None
) -> Iterator[MockSystems]:
    from .servers import BackgroundServers

    for systems in _systems(govgraph_population, govgraph_scenario):
        servers = BackgroundServers(dict(systems.mocks.apps())).start()
        systems.urls.update(servers.urls)
        try:
            yield systems
        finally:
            servers.stop()


@pytest.fixture
def govgraph_gateway_settings() -> dict[str, Any]:
    """Settings for `govgraph_gateway` beyond the mocks' URLs, e.g. a short breaker cooldown:
    override this fixture to change them."""
    return {}


@pytest.fixture
def govgraph_gateway(
    govgraph_mock_servers: MockSystems,
    govgraph_gateway_settings: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[GatewayHandle]:
    from gateway.http.app import create_app
    from gateway.settings import Settings

    from .handles import GatewayHandle
    from .servers import BackgroundServers

    urls = {f"{key}_url": url for key, url in govgraph_mock_servers.urls.items()}
    # The audit trail goes to the test's own folder (`handle.settings.audit_path`), never into
    # the project under test.
    audit = tmp_path_factory.mktemp("govgraph-audit") / "audit.log"
    settings = Settings().with_values(
        {"audit_path": str(audit), **urls, **govgraph_gateway_settings}
    )
    servers = BackgroundServers({"gateway": create_app(settings)}, lifespan={"gateway": "on"})
    servers.start()
    try:
        yield GatewayHandle(servers.urls["gateway"], settings, govgraph_mock_servers)
    finally:
        servers.stop()
