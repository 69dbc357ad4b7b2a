"""A serving process moves what start-up built out of the collector's reach, so that full
collections scan only what requests made; an app built for a test or an embedding leaves the
collector alone."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.http.app import create_app, create_app_from_env
from gateway.settings import Settings


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the suite builds and drops hundreds of apps


async def test_a_serving_app_freezes_what_start_up_built(unfrozen: None, tmp_path: Path) -> None:
    settings = Settings().with_values(
        {"audit_path": str(tmp_path / "audit.log"), "case_poll_interval_s": 0}
    )
    app = create_app(settings, freeze_heap_on_start=True)
    assert gc.get_freeze_count() == 0
    async with app.router.lifespan_context(app):
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # the modules, the schema, the connectors
        # the app itself is out of every generation the collector walks
        assert all(o is not app for o in gc.get_objects())


async def test_an_app_built_in_process_leaves_the_collector_alone(
    unfrozen: None, tmp_path: Path
) -> None:
    app = create_app(Settings().with_values({"audit_path": str(tmp_path / "audit.log")}))
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() == 0


async def test_the_process_managers_factory_freezes_too(
    unfrozen: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVGRAPH_AUDIT_PATH", str(tmp_path / "audit.log"))
    monkeypatch.setenv("GOVGRAPH_CASE_POLL_INTERVAL_S", "0")
    app = create_app_from_env()
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() > 10_000
