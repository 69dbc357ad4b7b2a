"""`govgraph serve`: settings checked and the app built before anything listens, so a setting or
a file that cannot be used ends the start with one line and exit 2."""

from __future__ import annotations

import argparse
import os
import sys

# In-flight requests finish within their deadline; live sockets are closed after this.
SHUTDOWN_GRACE_S = 10


def serve_command(args: argparse.Namespace) -> int:
    """`govgraph serve`: one process, or workers under a supervisor (`gateway.cli.workers`)."""
    import uvicorn

    from gateway.http.app import create_app
    from gateway.http.one_write import PROTOCOL as ONE_WRITE
    from gateway.settings import Settings

    settings = Settings.load(path=args.config)
    if args.workers:
        settings = settings.with_values({"workers": args.workers})
    if args.subgraph:
        settings = settings.with_values({"subgraph": args.subgraph})
        os.environ["GOVGRAPH_SUBGRAPH"] = args.subgraph  # for the workers, too
    try:
        settings.check()
    except ValueError as refused:
        print(f"govgraph serve: {refused}", file=sys.stderr)
        return 2
    from gateway.observability import log_access_to_stdout

    host = args.host or settings.host
    port = args.port or settings.port
    if settings.workers > 1:
        from gateway.cli.workers import serve_workers

        log_access_to_stdout()
        return serve_workers(
            host, port, settings.workers, args.config, SHUTDOWN_GRACE_S, settings.trusted_proxies
        )
    try:
        app = create_app(settings, freeze_heap_on_start=True)
    except (ValueError, OSError) as refused:  # a file that is there but cannot be used
        print(f"govgraph serve: {str(refused)[:300]}", file=sys.stderr)
        return 2
    log_access_to_stdout()  # only once it serves: a refusal leaves the process's logging as it was
    uvicorn.run(
        app,
        host=host,
        port=port,
        http=ONE_WRITE,
        log_level="warning",
        timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
        forwarded_allow_ips=settings.trusted_proxies,
    )
    return 0
