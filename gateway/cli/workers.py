"""Several worker processes on one port, with the connections spread evenly over them.

uvicorn's own supervisor binds one socket and hands it to every worker. The workers then race to
accept from it, and one that wakes first takes every connection waiting: twenty keep-alive
connections opened together were split 16:4 to 19:1 between two workers, so a proxy's or a load
balancer's pool of connections stayed on one worker and the second worker's core did little.

On Linux each worker here binds a listening socket of its own to the same address, with
`SO_REUSEPORT`. The kernel then spreads new connections over the workers' sockets by their
addresses, evenly. A worker listens only once its application has started, so no connection
waits on a worker that is still warming up. uvicorn still supervises the workers: it restarts
one that dies, and stops them all on SIGINT or SIGTERM. A worker that stops drops the
connections waiting in its own queue (unless `net.ipv4.tcp_migrate_req` is on); their clients
connect again and reach another worker. Elsewhere (macOS
spreads nothing, Windows has no such option), the workers share one socket as before."""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from gateway.http.one_write import PROTOCOL as ONE_WRITE


def spreads_connections() -> bool:
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def bind_own_socket(host: str, port: int) -> socket.socket:
    """A worker's socket: bound, not yet listening (asyncio listens when the server starts).
    Where the port was taken after it was checked, the worker exits as one that failed to
    start, and uvicorn stops the server rather than starting the worker again and again."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError as taken:
        sock.close()
        print(f"govgraph serve: a worker cannot listen on {host}:{port}: {taken}", file=sys.stderr)
        raise SystemExit(STARTUP_FAILURE) from None
    return sock


class OwnSocket:
    """Stands in uvicorn's list of sockets for each worker. The list is pickled into every new
    worker process, and there this becomes a socket of the worker's own."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port

    def __reduce__(self) -> tuple[object, tuple[str, int]]:
        return bind_own_socket, (self.host, self.port)


class PortTaken(OSError):
    """The address the workers were to share cannot be had."""


def claim_port(host: str, port: int) -> int:
    """The port the workers will share, checked free: a bind without `SO_REUSEPORT` fails where
    anything listens, another govgraph's workers included, so two servers never split one port.
    Port 0 becomes a free port, the same for every worker."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as taken:
            raise PortTaken(taken.errno, taken.strerror) from None
        return int(probe.getsockname()[1])


def run_workers(config: uvicorn.Config) -> bool:
    """Runs `config.workers` workers under uvicorn's supervisor until SIGINT or SIGTERM; False
    where a worker failed to start (uvicorn then stops them all)."""
    if not spreads_connections():
        supervisor = Multiprocess(config, sockets=[config.bind_socket()])
    else:
        config.port = claim_port(config.host, config.port)
        # uvicorn only passes the list on to each worker, where it unpickles to real sockets.
        own = cast(list[socket.socket], [OwnSocket(config.host, config.port)])
        supervisor = Multiprocess(config, sockets=own)
    supervisor.run()
    return all(p.exitcode != STARTUP_FAILURE for p in supervisor.processes)


def serve_workers(
    host: str,
    port: int,
    workers: int,
    config_path: str | None,
    grace_s: int,
    trusted_proxies: str,
) -> int:
    """`govgraph serve` with several workers; 2 where the address cannot be had."""
    # Each worker builds its app from the same settings (GOVGRAPH_* and the config file).
    if config_path:
        os.environ["GOVGRAPH_CONFIG"] = config_path
    os.environ["GOVGRAPH_WORKERS"] = str(workers)
    config = uvicorn.Config(
        "gateway.http.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=ONE_WRITE,
        log_level="warning",
        timeout_graceful_shutdown=grace_s,
        forwarded_allow_ips=trusted_proxies,
    )
    try:
        with metrics_directory():
            started = run_workers(config)
    except PortTaken as taken:
        print(f"govgraph serve: cannot listen on {host}:{port}: {taken}", file=sys.stderr)
        return 2
    except OSError as unusable:  # the operator's PROMETHEUS_MULTIPROC_DIR, say
        print(
            f"govgraph serve: cannot use {unusable.filename}: {unusable.strerror}", file=sys.stderr
        )
        return 2
    return 0 if started else 2


@contextmanager
def metrics_directory() -> Iterator[Path]:
    """Where the workers write their metrics for `/metrics` to add up (prometheus-client's
    multiprocess mode): the operator's `PROMETHEUS_MULTIPROC_DIR`, emptied of an earlier run's
    files, or a directory of this server's own, removed when it stops. Without one, each scrape
    would show the figures of whichever worker answered it."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        for stale in Path(given).glob("*.db"):
            stale.unlink(missing_ok=True)
        yield Path(given)
        return
    own = tempfile.mkdtemp(prefix="govgraph-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = own
    try:
        yield Path(own)
    finally:
        del os.environ["PROMETHEUS_MULTIPROC_DIR"]
        shutil.rmtree(own, ignore_errors=True)
