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
        from pyinstrument.renderers import ConsoleRenderer

        self.directory.mkdir(parents=True, exist_ok=True)
        written = []
        for name, session in sorted(self.sessions.items()):
            tree = ConsoleRenderer(unicode=True, color=False, short_mode=False).render(session)
            text = self.directory / f"{name}.txt"
            text.write_text(tree, encoding="utf-8")
            flame = self.directory / f"{name}.speedscope.json"
            flame.write_text(flame_graph().render(session), encoding="utf-8")
            written += [text, flame]
        return written


def flame_graph() -> Any:
    """pyinstrument's speedscope renderer keeps the samples in time order and then drops every
    node under 1 % of the whole: a dashboard's hundreds of short resolver and answer frames each
    fell under it, and its file held only the root. Repeated calls are summed first, as in the
    call tree, so the file is a flame graph of where the time went."""
    from pyinstrument import processors
    from pyinstrument.renderers import SpeedscopeRenderer

    class FlameGraphRenderer(SpeedscopeRenderer):
        def default_processors(self) -> Any:
            return [
                processors.remove_importlib,
                processors.remove_tracebackhide,
                processors.merge_consecutive_self_time,
                processors.aggregate_repeated_calls,
                processors.remove_irrelevant_nodes,
                processors.remove_unnecessary_self_time_nodes,
                processors.remove_first_pyinstrument_frames_processor,
            ]

    return FlameGraphRenderer(processor_options={"filter_threshold": 0.001})
