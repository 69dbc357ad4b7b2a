"""People a scenario adds to the registry (新迁入): they take registry indices past the seeded
ones, so nothing drawn from the seed moves, and the registry's look-ups (by registry number, ID
number, phone, grid and household) find them beside the seeded residents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from .geography import Grid
from .households import Household
from .idcodes import make_id_number, normalise_phone, resident_phone
from .vocab import CITY_NAME, COUNTY_CODE, COUNTY_NAME, PROVINCE_NAME

if TYPE_CHECKING:
    from .residents import Person, Registry


@dataclass(frozen=True, slots=True)
class Newcomer:
    """What a scenario says of a new resident; the rest is the registry's to assign."""

    name: str
    male: bool
    birth: date
    grid: Grid
    tags: tuple[str, ...] = ()
    phone: str = ""
    relation: str = "户主"


@dataclass(slots=True)
class Newcomers:
    people: dict[int, Person] = field(default_factory=dict)
    by_grid: dict[int, list[int]] = field(default_factory=dict)
    by_phone: dict[str, list[int]] = field(default_factory=dict)
    households: dict[tuple[int, int], tuple[Household, list[int]]] = field(default_factory=dict)

    def person(self, index: int) -> Person:
        return self.people[index]

    def listed(self, seeded: range, grid_ordinal: int) -> Sequence[int]:
        """A grid's residents as the registry lists them: the seeded ones, then newcomers."""
        added = self.by_grid.get(grid_ordinal)
        return [*seeded, *added] if added else seeded

    def of_phone(self, phone: str) -> list[int]:
        return self.by_phone.get(normalise_phone(phone), [])

    def household(self, grid_ordinal: int, number: int) -> tuple[Household, list[int]] | None:
        return self.households.get((grid_ordinal, number))


def address_of(grid: Grid, household: Household) -> str:
    community = grid.community
    building = household.building
    return (
        f"{PROVINCE_NAME}{CITY_NAME}{COUNTY_NAME}{community.street.name}{community.name}"
        f"{community.road}{building.road_number}号{building.number}幢{household.room}室"
    )


def _new_household(registry: Registry, grid: Grid) -> Household:
    layout = registry.layout(grid.ordinal)
    added = sum(1 for ordinal, _ in registry.newcomers.households if ordinal == grid.ordinal)
    number = len(layout.households) + added + 1
    return Household(
        number=number,
        code=f"{grid.code}{number:04d}",
        kind="newcomer",
        first_local=-1,  # not in the seeded layout: its members are listed in `households`
        size=0,
        building=layout.buildings[0],
        room=f"99{added + 1:02d}",
        head_male=True,
        middle_male=False,
    )


def _id_number(registry: Registry, birth: date, male: bool) -> str:
    for sequence in range(901 if male else 900, 1000, 2):
        candidate = make_id_number(COUNTY_CODE, birth, sequence)
        if registry.index_of_id(candidate) is None:
            return candidate
    raise ValueError(f"no ID number left for a birth on {birth}")


def admit(registry: Registry, newcomer: Newcomer, joins: Person | None = None) -> Person:
    """Registers the newcomer: in a new household of their grid as its head, or in `joins`'s
    household (another newcomer's)."""
    from .residents import Person, registry_number

    book = registry.newcomers
    index = registry.size + len(book.people)
    if joins is not None:
        household, members = book.households[(joins.grid.ordinal, joins.household.number)]
    else:
        household = _new_household(registry, newcomer.grid)
        members = []
        book.households[(newcomer.grid.ordinal, household.number)] = (household, members)
    grid = joins.grid if joins is not None else newcomer.grid
    phone = newcomer.phone or resident_phone(index)
    address = address_of(grid, household)
    person = Person(
        index=index,
        registry_number=registry_number(index),
        name=newcomer.name,
        id_number=_id_number(registry, newcomer.birth, newcomer.male),
        male=newcomer.male,
        sex_recorded=True,
        birth=newcomer.birth,
        phone=phone,
        registered_address=address,
        current_address=address,
        household=household,
        grid=grid,
        tags=newcomer.tags,
        low_income_certificate="",
        disability_certificate="",
        relation=newcomer.relation if joins is not None else "户主",
    )
    book.people[index] = person
    members.append(index)
    book.by_grid.setdefault(grid.ordinal, []).append(index)
    book.by_phone.setdefault(normalise_phone(phone), []).append(index)
    registry.register_newcomer_id(person.id_number, index)
    return person
