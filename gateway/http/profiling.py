"""Profiles for the benchmark (`govgraph bench --profile`): with `profile_dir` set, every
request that names itself in `X-Profile-As` is sampled by pyinstrument, and the samples of each
name are summed and written on shutdown as a call tree (`NAME.txt`) and a speedscope file
(`NAME.speedscope.json`, for https://www.speedscope.app or any flame-graph viewer offline).
Never on in production: `Settings.check` refuses it there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

HEADER = b"x-profile-as"
INTERVAL_S = 0.0005


class RequestProfiles:
    def __init__(self, app: ASGIApp, directory: str) -> None:
        self.app = app
        self.directory = Path(directory)
        self.sessions: dict[str, Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = dict(scope.get("headers") or []).get(HEADER, b"").decode("ascii", "ignore")
        if scope["type"] != "http" or not name.replace("_", "").isalnum():
            await self.app(scope, receive, send)
            return
        from pyinstrument import Profiler
        from pyinstrument.session import Session

        profiler = Profiler(interval=INTERVAL_S, async_mode="enabled")
        profiler.start()
        try:
            await self.app(scope, receive, send)
        finally:
            session = profiler.stop()
            earlier = self.sessions.get(name)
            self.sessions[name] = session if earlier is None else Session.combine(earlier, session)

    def write(self) -> list[Path]:
        from pyinstrument.renderers import ConsoleRenderer, SpeedscopeRenderer

        self.directory.mkdir(parents=True, exist_ok=True)
        written = []
        for name, session in sorted(self.sessions.items()):
            tree = ConsoleRenderer(unicode=True, color=False, short_mode=False).render(session)
            text = self.directory / f"{name}.txt"
            text.write_text(tree, encoding="utf-8")
            flame = self.directory / f"{name}.speedscope.json"
            flame.write_text(SpeedscopeRenderer().render(session), encoding="utf-8")
            written += [text, flame]
        return written
