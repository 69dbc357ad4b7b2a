"""What a reporter writes about a case: where exactly (a spot near the building), the problem
as its class names it, and what they add. Composed, so a grid's cases read as many, not as the
two dozen class descriptions."""

from __future__ import annotations

import random

from .vocab import EventClass

SPOTS = (
    "小区东门",
    "小区西门",
    "单元门口",
    "楼道内",
    "地下车库入口",
    "菜场门口",
    "公交站台旁",
    "人行道上",
    "绿化带边",
    "学校门口",
    "便利店门前",
    "健身器材旁",
    "垃圾分类亭旁",
    "停车场出口",
    "河边步道",
    "小广场",
)
ADDED = (
    "",
    "，已持续两天",
    "，居民多次反映",
    "，影响通行",
    "，晚上尤其明显",
    "，存在安全隐患",
    "，请尽快处理",
    "，附近老人和孩子较多",
    "，上周处理过又出现",
    "，附照片说明",
)


def describe(rng: random.Random, event: EventClass, address: str) -> str:
    return f"{address}{rng.choice(SPOTS)}：{event.description}{rng.choice(ADDED)}"
