"""Another team's subgraph: a fire-safety service (智慧消防) of the kind a district's fire
brigade already runs, with its own sensors routed to grids. It knows grids only by their code
and extends govgraph's `Grid` entity with `fireAlarms`, so one query through the city's router
asks both. Written as that team would, with no govgraph code: Strawberry's federation support
and synthetic alarms drawn from the grid code.

    python examples/fire-safety/app.py --port 8201

`docs/federation.md` shows how it is composed with govgraph and served by the router.
"""

from __future__ import annotations

import argparse
import hashlib
from datetime import datetime, timedelta, timezone
from enum import Enum

import strawberry
from strawberry.asgi import GraphQL

BEIJING = timezone(timedelta(hours=8))
SENSORS_PER_GRID = 310  # 620,000 sensors over a city's 2,000 grids
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=BEIJING)


@strawberry.enum(description="告警类型 / What raised the alarm")
class AlarmKind(Enum):
    SMOKE = "烟感"
    GAS = "燃气"
    ELECTRICAL = "电气火灾"
    BLOCKED_EXIT = "消防通道占用"


@strawberry.type(description="消防告警 / A fire-safety alarm from a sensor in the grid")
class FireAlarm:
    sensor_id: str = strawberry.field(description="传感器编号 / Sensor id")
    kind: AlarmKind = strawberry.field(description="告警类型 / Kind")
    raised_at: datetime = strawberry.field(description="告警时间 / When it was raised")
    handled: bool = strawberry.field(description="是否已处置 / Whether it was handled")


def alarms_of(grid_code: str) -> list[FireAlarm]:
    """A grid's alarms in the last week, drawn from its code: the same on every call."""
    digest = hashlib.sha256(grid_code.encode()).digest()
    kinds = list(AlarmKind)
    return [
        FireAlarm(
            sensor_id=f"XF{grid_code[-6:]}{digest[i] % SENSORS_PER_GRID:03d}",
            kind=kinds[digest[i + 8] % len(kinds)],
            raised_at=NOW - timedelta(hours=digest[i + 16] % 168),
            handled=digest[i + 24] % 4 != 0,
        )
        for i in range(digest[31] % 4)
    ]


# The grid is govgraph's: this service adds a field to it and leaves its description alone.
@strawberry.federation.type(keys=["code"])
class Grid:
    code: str

    @strawberry.field(description="近7天消防告警 / Fire-safety alarms in the last 7 days")
    def fire_alarms(self) -> list[FireAlarm]:
        return alarms_of(self.code)

    @classmethod
    def resolve_reference(cls, code: str) -> Grid:
        return cls(code=code)


@strawberry.type
class Query:
    @strawberry.field(description="在线传感器数 / Sensors online")
    def fire_sensors_online(self) -> int:
        return 620_000


schema = strawberry.federation.Schema(query=Query, types=[Grid], federation_version="2.9")
app = GraphQL(schema, graphql_ide=None)


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8201)
    parser.add_argument("--print-schema", action="store_true", help="print the subgraph SDL")
    args = parser.parse_args()
    if args.print_schema:
        print(schema.as_str())
        return
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
