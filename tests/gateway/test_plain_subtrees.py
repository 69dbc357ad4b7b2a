"""Objects whose selected fields are all plain reads are completed by one walk (`schema.plans`),
with the same data and errors as graphql-core's completion: odd values anywhere in a subtree send
it back to graphql-core, which reports them as it always did."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from tests.gateway.test_direct_leaves import ITEMS, Colour, Item, _answer, _gateways, _item


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Person(Named):
    age: int


@strawberry.type
class Box:
    label: str
    item: Item | None
    items: list[Item | None]
    strict: list[Item]
    people: list[Named]
    owner: Person | None = None

    @strawberry.field
    def shout(self) -> str:
        return self.label.upper()


GOOD = [_item(), _item(note="n", colour=Colour.BLUE)]


class Lookalike:
    """Has a person's attributes, but is not one: graphql-core refuses it by `is_type_of`."""

    name = "l"
    age = 4


def _box(label: str, items: list[Any], strict: list[Any] | None = None) -> Box:
    return Box(
        label=label,
        item=items[0] if items else None,
        items=items,
        strict=strict if strict is not None else GOOD,
        people=[Person(name="p", age=3)],
    )


BOXES = [
    _box("plain", GOOD),
    None,
    _box("odd items", ITEMS),
    _box("odd strict", GOOD, strict=[_item(name=None)]),
    _box("empty", []),
    Box(label=None, item=None, items=[], strict=[], people=[]),  # type: ignore[arg-type]
    Box(label="not a list", item=None, items="abc", strict=[], people=[]),  # type: ignore[arg-type]
    Box(label="a tuple", item=GOOD[0], items=tuple(GOOD), strict=[], people=[]),  # type: ignore[arg-type]
    Box(label="owned", item=None, items=[], strict=[], people=[], owner=Person(name="o", age=5)),
    Box(label="lookalike", item=None, items=[], strict=[], people=[], owner=Lookalike()),  # type: ignore[arg-type]
]


@strawberry.type
class Query:
    @strawberry.field
    def boxes(self) -> list[Box | None]:
        return BOXES


QUERIES = [
    "{ boxes { label __typename item { name count } items { name colour seen } strict { note } } }",
    "{ boxes { a: label b: label item { n: name, n2: name } items { name } } }",
    "{ boxes { ...B } } fragment B on Box { label items { ...I } } fragment I on Item { tags }",
    "{ boxes { label @include(if: false) item @skip(if: true) { name } items { count } } }",
    "{ boxes { label shout items { name } } }",  # a resolver: the box is not walked
    "{ boxes { people { name __typename ... on Person { age } } } }",  # an interface
    "{ boxes { label owner { name age __typename } } }",
]


def _schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    return _gateways(query=Query), strawberry.Schema(query=Query)


@pytest.mark.parametrize("query", QUERIES)
def test_walked_subtrees_match_graphql_core_values_and_errors(query: str) -> None:
    ours, stock = _schemas()
    assert _answer(ours, query) == _answer(stock, query)


def _counting_graphql_core(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    completed: Counter[str] = Counter()
    original: Callable[..., Any] = StrawberryGraphQLCoreExecutionContext.complete_object_value

    def counted(self: Any, return_type: Any, *args: Any) -> Any:
        completed[return_type.name] += 1
        return original(self, return_type, *args)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "complete_object_value", counted)
    return completed


def test_plain_boxes_are_walked_and_odd_ones_completed_by_graphql_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    completed = _counting_graphql_core(monkeypatch)
    ours, _ = _schemas()
    data, errors = _answer(ours, "{ boxes { label item { name } items { name } } }")
    assert data is not None and data["boxes"][0]["items"][1]["name"] == "a"
    assert errors  # the odd items' nulls, reported
    # graphql-core completed the boxes with odd values (odd items, no label, not a list) and,
    # inside them, only the items it found odd; the plain boxes it never saw.
    assert completed["Box"] == 3
    assert 0 < completed["Item"] < len(ITEMS) + len(GOOD) * 2
    completed.clear()
    data, errors = _answer(ours, "{ boxes { owner { name } } }")
    assert data is not None and data["boxes"][8] == {"owner": {"name": "o"}}
    assert [path for _, path, _ in errors] == [["boxes", 9, "owner"]]
    assert completed == Counter({"Box": 1, "Person": 1})  # the lookalike's box, and it


def test_a_resolver_under_an_object_leaves_it_to_graphql_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    completed = _counting_graphql_core(monkeypatch)
    ours, _ = _schemas()
    _answer(ours, "{ boxes { label shout } }")
    assert completed["Box"] == len([b for b in BOXES if b is not None])


@strawberry.type
class Robot(Named):
    model: str


@strawberry.interface
class Resolved:
    """Resolves its types its own way: never walked."""

    name: str

    @classmethod
    def resolve_type(cls, obj: Any, info: Any, abstract_type: Any) -> str:
        return "Plain"


@strawberry.type
class Plain(Resolved):
    size: int


class Apprentice(Person):
    """A subclass Strawberry never saw: its type is its parent's, found by graphql-core."""


@strawberry.type
class Crowd:
    members: list[Named | None]
    leader: Named
    resolved: list[Resolved] = strawberry.field(default_factory=list)


CROWDS = [
    Crowd(
        members=[Person(name="p", age=3), Robot(name="r", model="x"), None],
        leader=Robot(name="r", model="y"),
    ),
    Crowd(members=[Apprentice(name="a", age=1)], leader=Person(name="q", age=2)),
    Crowd(members=[Lookalike()], leader=Person(name="q", age=2)),  # type: ignore[list-item]
    Crowd(members=[], leader=strawberry.cast(Robot, Person(name="c", age=9))),
    Crowd(members=[], leader=None),  # type: ignore[arg-type]
    Crowd(members=[], leader=Person(name="s", age=4), resolved=[Plain(name="n", size=1)]),
]


@strawberry.type
class CrowdQuery:
    @strawberry.field
    def crowds(self) -> list[Crowd | None]:
        return list(CROWDS)


CROWD_TYPES = (Person, Robot, Plain)
CROWD_QUERIES = [
    "{ crowds { members { name __typename } leader { name } } }",
    "{ crowds { members { ... on Person { age } ... on Robot { model } __typename } } }",
    "{ crowds { leader { ...N } } } fragment N on Named { name ... on Robot { model } }",
    "{ crowds { resolved { name __typename ... on Plain { size } } } }",
]


@pytest.mark.parametrize("query", CROWD_QUERIES)
def test_walked_interfaces_match_graphql_core_values_and_errors(query: str) -> None:
    ours = _gateways(query=CrowdQuery, types=CROWD_TYPES)
    stock = strawberry.Schema(query=CrowdQuery, types=CROWD_TYPES)
    assert _answer(ours, query) == _answer(stock, query)


def test_an_interfaces_objects_are_walked_by_their_class_and_odd_ones_left_to_graphql_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    completed = _counting_graphql_core(monkeypatch)
    ours = _gateways(query=CrowdQuery, types=CROWD_TYPES)
    data, errors = _answer(ours, "{ crowds { members { name __typename } leader { name } } }")
    assert data is not None
    assert data["crowds"][0]["members"] == [
        {"name": "p", "__typename": "Person"},
        {"name": "r", "__typename": "Robot"},
        None,
    ]
    assert data["crowds"][1]["members"] == [{"name": "a", "__typename": "Person"}]
    assert [path for _, path, _ in errors] == [["crowds", 2, "members", 0], ["crowds", 4, "leader"]]
    # graphql-core saw only the crowds with an object of another class (the apprentice, the
    # lookalike), a cast one or a null where none may be, and what is inside them
    assert completed["Crowd"] == 4
    assert completed["Person"] + completed["Robot"] <= 4
    completed.clear()
    _answer(ours, "{ crowds { resolved { name } } }")
    assert completed["Crowd"] == len(CROWDS)  # a type resolver of its own: graphql-core's
