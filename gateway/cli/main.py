"""The `govgraph` command."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from gateway.cli.serve import serve_command
from gateway.systems import SYSTEMS


def _mocks(args: argparse.Namespace) -> int:
    from mocks import DEFAULT_PORTS, Population, build_mocks
    from mocks.scenario import ScenarioError, load_scenario
    from mocks.serve import describe, serve_forever

    from .loop import run_servers

    scenario = None
    if args.scenario:
        try:
            scenario = load_scenario(args.scenario)
        except ScenarioError as error:
            print(f"govgraph mocks: {error}", file=sys.stderr)
            return 2
    started = time.perf_counter()
    population = Population(seed=args.seed, preset=args.scale)
    mocks = build_mocks(
        population,
        latency_ms=args.latency_ms,
        jitter_ms=args.jitter_ms,
        legal_rps=args.legal_rps,
    )
    ports = {key: getattr(args, f"{key}_port") or port for key, port in DEFAULT_PORTS.items()}
    preset = population.preset
    print(
        f"population seed={args.seed} scale={preset.name}: {preset.grids} grids, "
        f"{preset.residents} residents, built in {time.perf_counter() - started:.1f}s"
    )
    if scenario is not None:
        try:
            applied = mocks.play(scenario)
        except ScenarioError as error:
            print(f"govgraph mocks: {error}", file=sys.stderr)
            return 2
        print(f"scenario {scenario.name}: {applied.summary()}; {len(scenario.steps)} fault steps")
    print(describe(mocks, args.host, ports), flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        run_servers(serve_forever(mocks, args.host, ports))
    return 0


def _port(text: str) -> int:
    """A TCP port, 0 for any free one: refused by argparse (exit 2) outside 0-65535."""
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"not a port: {text!r}")
    return int(text)


def _demo(args: argparse.Namespace) -> int:
    from gateway.cli.demo import run_demo

    return run_demo(args)


def _schema(args: argparse.Namespace) -> int:
    from schema import build_schema, client_sdl, subgraph_sdl

    if args.subgraph:
        from schema.subgraphs import SUBGRAPHS

        if args.subgraph not in SUBGRAPHS:
            print(f"govgraph schema: --subgraph is one of {', '.join(SUBGRAPHS)}", file=sys.stderr)
            return 2
        print(subgraph_sdl(build_schema(subgraph=args.subgraph)))
    else:
        print(client_sdl(build_schema()), end="")
    return 0


def _token(args: argparse.Namespace) -> int:
    from gateway.access.auth import Role, mint_token
    from gateway.settings import Settings

    settings = Settings.load(path=args.config)
    if settings.production:
        print("govgraph token: refused in production mode", file=sys.stderr)
        return 2
    print(
        mint_token(
            settings.jwt_secret,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            role=Role(args.role),
            subject=args.subject or f"dev-{args.role}",
            grids=args.grid,
            communities=args.community,
            registry_number=args.registry_number,
            id_number=args.id_number,
            department=args.department,
            lifetime_s=args.lifetime,
        )
    )
    return 0


def _audit(args: argparse.Namespace) -> int:
    from pathlib import Path

    from gateway.access.audit_verify import verify_files
    from gateway.settings import Settings

    key = Settings.load(path=args.config).audit_hmac_key.encode() if args.key else None
    try:
        verdict = verify_files([Path(p) for p in args.files], key)
    except OSError as unreadable:  # a file named that is not there, or may not be read
        print(
            f"govgraph audit verify: cannot read {unreadable.filename}: {unreadable.strerror}",
            file=sys.stderr,
        )
        return 2
    print(verdict.describe())
    return 0 if verdict.ok else (3 if verdict.torn else 1)


def _bench(args: argparse.Namespace) -> int:
    from pathlib import Path

    try:
        from bench.harness import Options
        from bench.processes import GATEWAY_PYTHON, runs_the_gateway
        from bench.report import markdown
        from bench.run import UnknownQuery, run
    except ImportError as missing:
        print(
            f"govgraph bench needs the bench extra: pip install 'govgraph[bench]' ({missing.name})"
        )
        return 2

    if args.gateway_python:
        if not runs_the_gateway(args.gateway_python):
            print(f"govgraph bench: {args.gateway_python} cannot run govgraph's gateway")
            return 2
        os.environ[GATEWAY_PYTHON] = args.gateway_python
    try:
        report = run(
            Options(
                quick=args.quick,
                latency_ms=args.latency_ms,
                concurrency=args.concurrency,
                requests=3 if args.quick else args.requests,
                json_path=Path(args.json) if args.json else None,
                markdown_path=Path(args.markdown) if args.markdown else None,
                peer=not args.quick and not args.no_peer,
                only=tuple(q for q in (args.only or "").split(",") if q),
                profile_dir=Path(args.profile) if args.profile else None,
            )
        )
    except UnknownQuery as unknown:
        print(f"govgraph bench: {unknown}", file=sys.stderr)
        return 2
    if "profiles" in report:
        for name, path in report["profiles"].items():
            print(f"{name}: {path}")
        return 0
    print(markdown(report))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govgraph", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    mocks = commands.add_parser("mocks", help="run the three mock legacy systems")
    mocks.add_argument("--seed", type=int, default=1)
    mocks.add_argument("--scale", choices=sorted(_presets()), default="demo")
    mocks.add_argument("--latency-ms", type=float, default=0.0)
    mocks.add_argument("--jitter-ms", type=float, default=0.0)
    mocks.add_argument(
        "--legal-rps", type=float, default=20.0, help="the legal-aid system's per-client limit"
    )
    mocks.add_argument("--host", default="127.0.0.1")
    mocks.add_argument(
        "--scenario",
        metavar="FILE",
        help="a scenario (TOML): records added to the population, faults on a timeline",
    )
    for system in SYSTEMS:  # each mock answers as its system, on a port of its own
        mocks.add_argument(f"--{system.key}-port", type=_port)
    mocks.set_defaults(handler=_mocks)

    serve = commands.add_parser("serve", help="run the gateway against configured backends")
    serve.add_argument("--config", help="a TOML settings file (else GOVGRAPH_CONFIG)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=_port)
    serve.add_argument(
        "--workers", type=int, help="worker processes (more than one needs a state_url)"
    )
    serve.add_argument(
        "--subgraph",
        metavar="NAME",
        help="serve a Federation v2 subgraph for a supergraph router: urban, civil, legal, "
        "engagement or all (see docs/federation.md)",
    )
    serve.set_defaults(handler=serve_command)

    demo = commands.add_parser("demo", help="run the mocks and the gateway together")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--scale", choices=("tiny", "demo", "district"), default="demo")
    demo.add_argument("--latency-ms", type=float, default=0.0)
    demo.add_argument("--port", type=_port, default=8000)
    demo.add_argument(
        "--federated",
        action="store_true",
        help="the gateway as a subgraph behind Hive Gateway (npm --prefix federation/router ci)",
    )
    for system in SYSTEMS:
        demo.add_argument(f"--{system.key}-port", type=_port, help=argparse.SUPPRESS)
    demo.set_defaults(handler=_demo)

    token = commands.add_parser("token", help="print a development token (refused in production)")
    token.add_argument("--role", required=True, choices=[r.value for r in _roles()])
    token.add_argument("--grid", action="append", default=[], help="grid code (repeat)")
    token.add_argument("--community", action="append", default=[], help="community code (repeat)")
    token.add_argument("--registry-number")
    token.add_argument("--id-number")
    token.add_argument("--department", help="a department's code, e.g. BM09 (department role)")
    token.add_argument("--subject")
    token.add_argument("--lifetime", type=int, default=3600)
    token.add_argument("--config")
    token.set_defaults(handler=_token)

    audit = commands.add_parser("audit", help="audit-trail tools")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_commands.add_parser("verify", help="check the hash chain of audit files")
    verify.add_argument(
        "files", nargs="+", help="oldest first (audit.log.2 audit.log.1 audit.log), or a directory"
    )
    verify.add_argument(
        "--key",
        action="store_true",
        help="also check every line's seal with the audit key (GOVGRAPH_AUDIT_HMAC_KEY)",
    )
    verify.add_argument("--config", help="a TOML settings file (else GOVGRAPH_CONFIG)")
    verify.set_defaults(handler=_audit)

    bench = commands.add_parser(
        "bench", help="benchmark the gateway against the mocks (and the peer)"
    )
    bench.add_argument("--quick", action="store_true", help="a few queries, a few requests")
    bench.add_argument("--json", help="write the results as JSON here")
    bench.add_argument("--markdown", help="write a Markdown table here")
    bench.add_argument("--latency-ms", type=float, default=20.0)
    bench.add_argument("--concurrency", type=int, default=10)
    bench.add_argument("--requests", type=int, default=20)
    bench.add_argument("--no-peer", action="store_true")
    bench.add_argument(
        "--only",
        help="just these standard queries, comma-separated; `peer` for the peer side by side",
    )
    bench.add_argument(
        "--gateway-python",
        help="run the gateway processes under this interpreter (govgraph installed in it)",
    )
    bench.add_argument(
        "--profile",
        nargs="?",
        const="bench/results/profiles",
        help=(
            "profile each standard query and the peer query instead (call trees and flame graphs"
            " into this folder)"
        ),
    )
    bench.set_defaults(handler=_bench)

    schema = commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    schema.add_argument(
        "--subgraph",
        metavar="NAME",
        help="the Federation v2 SDL a router composes for that subgraph (keys, @link)",
    )
    schema.set_defaults(handler=_schema)
    return parser


def _presets() -> list[str]:
    from mocks.population.presets import PRESETS

    return list(PRESETS)


def _roles() -> list[Any]:
    from gateway.access.auth import Role

    return list(Role)


def main(argv: Sequence[str] | None = None) -> int:
    from gateway.settings import SettingsError

    args = build_parser().parse_args(argv)
    try:
        result: int = args.handler(args)
    except SettingsError as refused:  # a config file or GOVGRAPH_* value that cannot be used
        print(f"govgraph: {refused}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
