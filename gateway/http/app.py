"""The gateway application: `create_app(settings, transports=None)`.

Routes: `/graphql` (GraphQL over HTTP: POST, and GET for queries), `/healthz` (the process),
`/readyz` (each backend reachable), `/explorer/` (GraphiQL served from the package, nothing from
a CDN), `/dashboard/` (a built static dashboard, when `dashboard_dir` names one). Everything is
built here; no module-level state.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

import adapters
from adapters.normalise import BEIJING
from connectors.errors import AuditUnavailableError
from gateway.access.audit import AuditLog
from gateway.access.auth import Authenticator
from gateway.backends.case_poller import CasePoller, LeaseLeader, SoleLeader
from gateway.backends.wiring import Backends, Transports
from gateway.http.attachments import attachment_endpoint
from gateway.http.compression import GzipAnswers
from gateway.http.cors import CountingCORS
from gateway.http.draining import STATE_KEY as DRAINING
from gateway.http.graphql import build_gateway_schema
from gateway.http.graphql_http import GraphQLHTTP
from gateway.http.live import LiveView
from gateway.http.persisted import InMemoryQueryStore, PersistedDocuments, SharedQueryStore
from gateway.http.profiling import RequestProfiles
from gateway.http.readiness import Readiness
from gateway.http.trusted import TrustedDocuments
from gateway.observability import Metrics, make_tracer
from gateway.settings import Settings
from gateway.state.case_feed import CaseChange, LocalCaseFeed, RedisCaseFeed
from gateway.state.idempotency import IdempotencyStore, InMemoryIdempotencyStore
from gateway.state.live_places import LivePlaces, LocalLivePlaces, SharedLivePlaces
from gateway.state.shared import SharedState
from gateway.state.shared_budgets import SharedMissBudget
from gateway.state.shared_keys import SharedIdempotencyStore
from gateway.systems import SYSTEMS

EXPLORER = Path(__file__).parent / "static" / "explorer"
FAVICON = (Path(__file__).parent / "static" / "favicon.svg").read_bytes()  # a grid, in red


def beijing_clock() -> datetime:
    return datetime.now(BEIJING)


def create_app(
    settings: Settings,
    transports: Transports | None = None,
    clock: Callable[[], datetime] = beijing_clock,
    idempotency: IdempotencyStore | None = None,
    tracer_provider: Any = None,
    explorer_tokens: dict[str, str] | None = None,
    freeze_heap_on_start: bool = False,
) -> Starlette:
    """`explorer_tokens` (label → development token) are offered in the explorer; the demo's.
    `freeze_heap_on_start` is for a serving process, never for one that builds many apps."""
    settings.check()
    audit = AuditLog(
        settings.audit_path or None,
        settings.audit_hmac_key.encode(),
        settings.audit_max_bytes,
        settings.audit_backups,
    )
    authenticator = Authenticator(
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        hs256_secret=settings.jwt_secret or None,
        jwks_path=settings.jwks_path or None,
    )

    service = f"govgraph-{settings.subgraph}" if settings.subgraph else "govgraph"
    metrics = Metrics(tracer=make_tracer(settings.otlp_endpoint, tracer_provider, service))
    shared = (
        SharedState(settings.state_url, settings.state_namespace, settings.state_timeout_s)
        if settings.state_url
        else None
    )
    backends = Backends(settings, transports, shared, on_fallback=metrics.state_fallback)
    trusted = TrustedDocuments(
        settings.trusted_documents_path or None, settings.trusted_documents_strict
    )
    persisted = PersistedDocuments(
        trusted,
        SharedQueryStore(shared, settings.idempotency_ttl_s)
        if shared is not None
        else InMemoryQueryStore(settings.persisted_queries_max_entries),
        settings.max_query_chars,
    )
    store: IdempotencyStore = idempotency or (
        SharedIdempotencyStore(
            shared, settings.idempotency_ttl_s, lease_s=2 * settings.request_deadline_s + 5
        )
        if shared is not None
        else InMemoryIdempotencyStore(settings.idempotency_ttl_s, settings.idempotency_max_keys)
    )
    miss_budget = (
        SharedMissBudget(
            shared,
            settings.identifier_miss_budget,
            settings.identifier_miss_window_s,
            on_fallback=metrics.state_fallback,
        )
        if shared is not None
        else None
    )
    metrics.watch(backends)
    audit.on_failure = metrics.audit_write_failures.inc
    backends.metrics = metrics
    graphql = GraphQLHTTP(
        build_gateway_schema(subgraph=settings.subgraph),
        backends,
        settings,
        clock,
        audit,
        authenticator,
        persisted,
        store,
        metrics,
        miss_budget,
        shared,
    )

    feed: LocalCaseFeed = (
        RedisCaseFeed(settings.state_url, settings.state_namespace, settings.state_timeout_s)
        if settings.state_url
        else LocalCaseFeed()
    )

    async def publish(case: adapters.UrbanCase) -> None:
        await feed.publish(CaseChange.of(case))

    backends.case_listeners.append(publish)
    poller = CasePoller(
        backends,
        feed,
        LeaseLeader(shared, lease_s=max(3 * settings.case_poll_interval_s, 5.0))
        if shared is not None
        else SoleLeader(),
        settings.case_poll_interval_s,
        clock(),
    )
    places: LivePlaces = (
        SharedLivePlaces(
            shared,
            settings.live_connections_per_client,
            workers=settings.workers,
            on_fallback=metrics.state_fallback,
        )
        if shared is not None
        else LocalLivePlaces(settings.live_connections_per_client)
    )
    live = LiveView(graphql, feed, places)
    graphql.live = live  # subscriptions over SSE and multipart HTTP share its places

    async def prometheus(request: Request) -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    readiness = Readiness(backends, SYSTEMS, settings.readiness_cache_s)

    async def readyz(request: Request) -> Response:
        states = await readiness.states()
        # Lines a failed write left waiting are tried again here, so a trail that can be
        # written again brings the replica back without a request having to find it out.
        with contextlib.suppress(AuditUnavailableError):
            await audit.flush()
        # A worker shutting down says so, for a balancer still probing over a kept connection.
        draining = live.draining.started
        ready = (
            audit.writable
            and not draining
            and all(s["reachable"] and s["breaker"] == "closed" for s in states.values())
        )
        body: dict[str, object] = {
            "ready": ready,
            "backends": states,
            "audit": {"writable": audit.writable},
            **({"draining": True} if draining else {}),
        }
        if shared is not None:
            # Shown, but not a reason to leave the pool: reads go on without the store (each
            # worker counts on its own) and only writes wait for it (503 STATE_UNAVAILABLE).
            body["state"] = {"reachable": await shared.ping()}
        return JSONResponse(body, 200 if ready else 503)

    async def home(request: Request) -> Response:
        return RedirectResponse("/explorer/")

    async def favicon(request: Request) -> Response:
        return Response(
            FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"}
        )

    async def tokens(request: Request) -> Response:
        return JSONResponse(explorer_tokens or {}, headers={"Cache-Control": "no-store"})

    profiles: list[RequestProfiles] = []

    def profile_into(app: ASGIApp) -> RequestProfiles:
        profiles.append(RequestProfiles(app, settings.profile_dir))
        return profiles[-1]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, object]]:
        await feed.start()
        if settings.case_poll_interval_s > 0 and not settings.subgraph:
            poller.start()
        if freeze_heap_on_start:
            # What start-up built (modules, the schema, the connectors: some 150,000 objects)
            # lives as long as the process. Left to the collector, every full collection walked
            # it: 85-145 ms, a stall for every request in flight, and a sixth of a request's CPU.
            gc.collect()
            gc.freeze()
        try:
            yield {DRAINING: live.draining}  # found there by the server's protocol on shutdown
        finally:
            for profiled in profiles:
                profiled.write()
            await poller.aclose()
            await feed.aclose()
            await places.aclose()
            await backends.aclose()
            if shared is not None:
                await shared.aclose()

    routes: list[BaseRoute] = [
        Route("/graphql", graphql),  # every method reaches it: others get a coded 405
        WebSocketRoute("/graphql", live),  # live updates: graphql-transport-ws
        Route(
            "/attachments/{link}",
            attachment_endpoint(
                backends, authenticator, audit, settings.audit_hmac_key, clock, graphql.rate
            ),
            methods=["GET"],
        ),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Route("/metrics", prometheus, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]
    if not settings.production:  # production: no explorer, no introspection
        routes += [
            Route("/", home, methods=["GET"]),
            Route("/explorer/tokens.json", tokens, methods=["GET"]),
            Mount("/explorer", StaticFiles(directory=EXPLORER, html=True), name="explorer"),
        ]
    if settings.dashboard_dir:
        dashboard = StaticFiles(directory=settings.dashboard_dir, html=True, check_dir=True)
        routes.append(Mount("/dashboard", dashboard, name="dashboard"))
    middleware = [Middleware(CountingCORS, settings=settings, on_refused=metrics.cors_refused.inc)]
    if settings.compress_min_bytes > 0:
        middleware.append(Middleware(GzipAnswers, min_bytes=settings.compress_min_bytes))
    if settings.profile_dir:
        middleware.insert(0, Middleware(profile_into))
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
    app.state.backends = backends
    app.state.audit = audit
    app.state.metrics = metrics
    app.state.schema = graphql.schema
    app.state.shared = shared
    app.state.feed = feed
    app.state.poller = poller
    app.state.draining = live.draining
    return app


def create_app_from_env() -> Starlette:
    """For process managers: `uvicorn --factory gateway.http.app:create_app_from_env --workers 4
    --http gateway.http.one_write:OneWriteHttpProtocol`."""
    return create_app(Settings.load(), freeze_heap_on_start=True)
