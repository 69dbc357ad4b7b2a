"""The `govgraph` command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from collections.abc import Sequence


def _mocks(args: argparse.Namespace) -> int:
    from mocks import DEFAULT_PORTS, Population, build_mocks
    from mocks.serve import describe, serve_forever

    started = time.perf_counter()
    population = Population(seed=args.seed, preset=args.scale)
    mocks = build_mocks(population, latency_ms=args.latency_ms, jitter_ms=args.jitter_ms)
    ports = {
        "urban": args.urban_port or DEFAULT_PORTS["urban"],
        "civil": args.civil_port or DEFAULT_PORTS["civil"],
        "legal": args.legal_port or DEFAULT_PORTS["legal"],
    }
    preset = population.preset
    print(
        f"population seed={args.seed} scale={preset.name}: {preset.grids} grids, "
        f"{preset.residents} residents, built in {time.perf_counter() - started:.1f}s"
    )
    print(describe(mocks, args.host, ports), flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever(mocks, args.host, ports))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govgraph", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    mocks = commands.add_parser("mocks", help="run the three mock legacy systems")
    mocks.add_argument("--seed", type=int, default=1)
    mocks.add_argument("--scale", choices=("tiny", "demo", "district"), default="demo")
    mocks.add_argument("--latency-ms", type=float, default=0.0)
    mocks.add_argument("--jitter-ms", type=float, default=0.0)
    mocks.add_argument("--host", default="127.0.0.1")
    mocks.add_argument("--urban-port", type=int)
    mocks.add_argument("--civil-port", type=int)
    mocks.add_argument("--legal-port", type=int)
    mocks.set_defaults(handler=_mocks)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.handler(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
