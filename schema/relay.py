"""Relay-style connections over legacy paging, and opaque global IDs."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

import strawberry

from adapters.normalise import ascii_digits

from .errors import bad_input
from .text import bilingual

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 20


@strawberry.interface(
    description=bilingual("可按全局ID获取的对象", "An object that can be fetched by its global ID")
)
class Node:
    id: strawberry.ID = strawberry.field(description=bilingual("全局ID", "Global ID"))


@strawberry.type(description=bilingual("分页信息", "Where this page sits in the whole list"))
class PageInfo:
    has_next_page: bool = strawberry.field(
        description=bilingual("是否有下一页", "More after this page")
    )
    has_previous_page: bool = strawberry.field(
        description=bilingual("是否有上一页", "More before this page")
    )
    start_cursor: str | None = strawberry.field(
        description=bilingual("本页首条游标", "Cursor of the first edge")
    )
    end_cursor: str | None = strawberry.field(
        description=bilingual("本页末条游标", "Cursor of the last edge")
    )


def _edge_cursor(root: Edge[Any]) -> str:
    return encode_cursor(root.offset)


@strawberry.type(
    description=bilingual("列表中的一项及其游标", "One item of a list with its cursor")
)
class Edge(Generic[T]):
    # The cursor is encoded when asked for: most pages are read without their edges' cursors.
    offset: strawberry.Private[int]
    cursor: str = strawberry.field(
        resolver=_edge_cursor,
        description=bilingual("游标，传给 after 取下一页", "Pass as `after` for the next page"),
    )
    node: T = strawberry.field(description=bilingual("数据项", "The item"))


@strawberry.type(description=bilingual("分页列表", "A page of a list, Relay style"))
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(
        description=bilingual("本页各项", "The items of this page")
    )
    page_info: PageInfo = strawberry.field(description=bilingual("分页信息", "Paging information"))
    total_count: int = strawberry.field(description=bilingual("总条数", "Items in the whole list"))


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        prefix, _, number = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad_input("after", "游标无效 / invalid cursor") from None
    if prefix != "o" or not ascii_digits(number):
        raise bad_input("after", "游标无效 / invalid cursor")
    return int(number) + 1


def page_cap(info: strawberry.Info) -> int:
    cap: int = info.context.page_size_cap
    return cap


def page_window(first: int | None, after: str | None, cap: int) -> tuple[int, int]:
    """(offset, limit) from Relay arguments, within the page-size cap."""
    limit = DEFAULT_PAGE_SIZE if first is None else first
    if not 0 <= limit <= cap:
        raise bad_input("first", f"first 应在 0 到 {cap} 之间 / first must be 0..{cap}")
    return decode_cursor(after), limit


def connection(items: Sequence[T], offset: int, total: int) -> Connection[T]:
    edges = [Edge(offset=offset + i, node=item) for i, item in enumerate(items)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=offset + len(items) < total,
            has_previous_page=offset > 0,
            start_cursor=encode_cursor(offset) if items else None,
            end_cursor=encode_cursor(offset + len(items) - 1) if items else None,
        ),
        total_count=total,
    )


def global_id(kind: str, key: str) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{kind}:{key}".encode()).decode())


def parse_global_id(value: str) -> tuple[str, str]:
    try:
        kind, _, key = base64.urlsafe_b64decode(value.encode()).decode().partition(":")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad_input("id", "ID 无效 / invalid ID") from None
    # Keys are the systems' own codes: ASCII letters, digits and a few marks, never anything a
    # backend could choke on.
    if not kind or not key or len(key) > 64 or not all(ch in KEY_CHARACTERS for ch in key):
        raise bad_input("id", "ID 无效 / invalid ID")
    return kind, key


KEY_CHARACTERS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_.")
