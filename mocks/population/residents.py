"""Residents drawn on demand from their registry index, and the look-ups the registry offers.

Only the ID-number index is built up front (it cannot be inverted from the number); everything
else about a person is drawn again from the seed when asked for, so the district preset of half
a million people fits in memory.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from .geography import Geography, Grid
from .households import GridLayout, Household, age_range, child_age, spouse_age
from .idcodes import make_id_number, normalise_phone, resident_index_of_phone, resident_phone
from .newcomers import Newcomers, address_of
from .presets import Preset
from .vocab import (
    COUNTY_CODE,
    GIVEN_CHARS_FEMALE,
    GIVEN_CHARS_MALE,
    OTHER_ADDRESS_CODES,
    OTHER_PROVINCE_NAMES,
    PERSON_TYPES,
    PLACE_WORDS,
    SURNAMES,
)

RELATION_HEAD = "户主"


@dataclass(frozen=True, slots=True)
class Identity:
    male: bool
    birth: date
    address_code: str
    sequence: int
    relation: str


@dataclass(frozen=True, slots=True)
class Person:
    index: int
    registry_number: str
    name: str
    id_number: str
    male: bool
    sex_recorded: bool
    birth: date
    phone: str
    registered_address: str
    current_address: str
    household: Household
    grid: Grid
    tags: tuple[str, ...]
    low_income_certificate: str
    disability_certificate: str
    relation: str

    @property
    def phone_digits(self) -> str:
        return normalise_phone(self.phone)

    @property
    def building_code(self) -> str:
        return self.household.building.code


def registry_number(index: int) -> str:
    return f"RK{COUNTY_CODE}{index:08d}"


def index_of_registry_number(value: str) -> int | None:
    prefix = f"RK{COUNTY_CODE}"
    if len(value) != len(prefix) + 8 or not value.startswith(prefix) or not value[-8:].isdigit():
        return None
    return int(value[-8:])


ID_INDEX_CACHE_SIZE = 4
ID_INDEX_CACHE_MAX_RESIDENTS = 200_000
_DRAWN_ID_INDEXES: dict[tuple[int, Preset, date], tuple[dict[str, int], dict[int, int]]] = {}


class Registry:
    """The synthetic resident population of one preset."""

    def __init__(self, seed: int, preset: Preset, geography: Geography, as_of: date) -> None:
        self.seed = seed
        self.preset = preset
        self.geography = geography
        self.as_of = as_of
        self.size = preset.residents
        self._layouts: dict[int, GridLayout] = {}
        self._sequence_overrides: dict[int, int] = {}
        self._index_by_id: dict[str, int] = {}
        self.newcomers = Newcomers()
        self.person = lru_cache(maxsize=50_000)(self._draw_person)
        # Household members are numbered together: a small cache spares drawing a head's and a
        # spouse's age again for each child.
        self.age_in_household = lru_cache(maxsize=4096)(self._age_in_household)
        # Every resident's ID number is drawn to index them, most of a population's start-up.
        # The index follows from seed, preset and date alone: a process that builds the same
        # population again (a test suite, the pytest plugin) copies it instead.
        key = (seed, preset, as_of)
        drawn = _DRAWN_ID_INDEXES.get(key)
        if drawn is None:
            for index in range(self.size):
                self._register_id(index)
            if self.size <= ID_INDEX_CACHE_MAX_RESIDENTS:
                while len(_DRAWN_ID_INDEXES) >= ID_INDEX_CACHE_SIZE:
                    del _DRAWN_ID_INDEXES[next(iter(_DRAWN_ID_INDEXES))]
                _DRAWN_ID_INDEXES[key] = (dict(self._index_by_id), dict(self._sequence_overrides))
        else:
            self._index_by_id, self._sequence_overrides = dict(drawn[0]), dict(drawn[1])

    def _register_id(self, index: int) -> None:
        identity = self.identity(index)
        sequence = identity.sequence
        id_number = make_id_number(identity.address_code, identity.birth, sequence)
        # Two draws may meet on the same number; the registry never issues one twice.
        while id_number in self._index_by_id:
            sequence = (sequence + 2) % 1000
            id_number = make_id_number(identity.address_code, identity.birth, sequence)
        if sequence != identity.sequence:
            self._sequence_overrides[index] = sequence
        self._index_by_id[id_number] = index

    def layout(self, grid_ordinal: int) -> GridLayout:
        layout = self._layouts.get(grid_ordinal)
        if layout is None:
            grid = self.geography.grids[grid_ordinal]
            layout = GridLayout(self.seed, grid, self.preset.residents_per_grid)
            self._layouts[grid_ordinal] = layout
        return layout

    def _rng(self, index: int, stream: int) -> random.Random:
        return random.Random((self.seed << 36) ^ (stream << 30) ^ index)

    def identity(self, index: int) -> Identity:
        grid_ordinal, local = divmod(index, self.preset.residents_per_grid)
        household = self.layout(grid_ordinal).household_of(local)
        position = local - household.first_local
        rng = self._rng(index, 1)
        rng.randint(*age_range(household.kind, position))  # drawn, so later draws stay put
        age = self.age_in_household(index)
        birth = self.as_of - timedelta(days=age * 365 + rng.randint(30, 360))
        head_male = household.head_male
        middle_male = household.middle_male
        if position == 0:
            male = head_male
        elif household.kind == "three_generations" and position <= 2:
            male = middle_male if position == 1 else not middle_male
        elif position == 1:
            male = not head_male
        else:
            male = rng.random() < 0.5
        relation = RELATION_HEAD if position == 0 else ("配偶" if position == 1 else "子女")
        if household.kind == "three_generations" and position > 0:
            relation = "子女" if position == 1 else ("子女的配偶" if position == 2 else "孙子女")
        local_born = rng.random() < 0.85
        address_code = COUNTY_CODE if local_born else rng.choice(OTHER_ADDRESS_CODES)
        sequence = rng.randrange(0, 1000, 2) + (1 if male else 0)
        return Identity(male, birth, address_code, sequence, relation)

    def _age_in_household(self, index: int) -> int:
        """A head's age is drawn from the household's kind; the others' follow from it: a
        spouse within a few years, a child 22 to 38 years younger than the younger parent."""
        grid_ordinal, local = divmod(index, self.preset.residents_per_grid)
        household = self.layout(grid_ordinal).household_of(local)
        position = local - household.first_local
        drawn = self._rng(index, 1).randint(*age_range(household.kind, position))
        if position == 0 or household.kind in ("single", "elderly_alone"):
            return drawn
        first = index - position
        rng = self._rng(index, 5)
        kind = household.kind
        if kind == "three_generations":
            if position == 1:  # the head's child
                return self.age_in_household(first) - rng.randint(26, 38)
            if position == 2:  # their spouse
                return spouse_age(self.age_in_household(first + 1), rng)
            parents = min(self.age_in_household(first + 1), self.age_in_household(first + 2))
            return child_age(parents, rng)
        if position == 1:
            return spouse_age(self.age_in_household(first), rng)
        return child_age(min(self.age_in_household(first), self.age_in_household(first + 1)), rng)

    def id_number(self, index: int) -> str:
        identity = self.identity(index)
        sequence = self._sequence_overrides.get(index, identity.sequence)
        return make_id_number(identity.address_code, identity.birth, sequence)

    def age(self, birth: date) -> int:
        years = self.as_of.year - birth.year
        return years - ((self.as_of.month, self.as_of.day) < (birth.month, birth.day))

    def knows(self, index: int) -> bool:
        return 0 <= index < self.size or index in self.newcomers.people

    def register_newcomer_id(self, id_number: str, index: int) -> None:
        self._index_by_id[id_number] = index

    def listed_indices(self, grid_ordinal: int) -> Sequence[int]:
        """A grid's residents as the civil-affairs registry lists them, newcomers last."""
        return self.newcomers.listed(self.grid_indices(grid_ordinal), grid_ordinal)

    def _draw_person(self, index: int) -> Person:
        if index >= self.size:
            return self.newcomers.person(index)
        identity = self.identity(index)
        grid_ordinal, local = divmod(index, self.preset.residents_per_grid)
        grid = self.geography.grids[grid_ordinal]
        household = self.layout(grid_ordinal).household_of(local)
        position = local - household.first_local
        head_index = index - position
        rng = self._rng(index, 2)
        age = self.age(identity.birth)
        surname_rng = self._rng(head_index, 3)
        surname = SURNAMES[surname_rng.randrange(len(SURNAMES))]
        married_in = 2 if household.kind == "three_generations" else 1
        if position == married_in:
            surname = SURNAMES[rng.randrange(len(SURNAMES))]
        pool = GIVEN_CHARS_MALE if identity.male else GIVEN_CHARS_FEMALE
        given = "".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2, 2))))
        tags = self._draw_tags(rng, identity, household.kind, age)
        phone = self._draw_phone(rng, index, head_index, age)
        community = grid.community
        current = address_of(grid, household)
        registered = current
        if PERSON_TYPES["MOBILE"].code in tags:
            province = OTHER_PROVINCE_NAMES[OTHER_ADDRESS_CODES.index(identity.address_code)]
            village = PLACE_WORDS[rng.randrange(len(PLACE_WORDS))]
            registered = f"{province}{village}县{village}镇{village}村{rng.randint(1, 40)}组"
        id_number = self.id_number(index)
        low_income = ""
        if PERSON_TYPES["DIBAO"].code in tags:
            low_income = f"DB{community.code}{local:05d}"
        disability = ""
        if PERSON_TYPES["DISABLED"].code in tags:
            disability = f"{id_number}{rng.randint(1, 7)}{rng.randint(1, 4)}"
        return Person(
            index=index,
            registry_number=registry_number(index),
            name=surname + given,
            id_number=id_number,
            male=identity.male,
            sex_recorded=rng.random() > 0.02,
            birth=identity.birth,
            phone=phone,
            registered_address=registered,
            current_address=current,
            household=household,
            grid=grid,
            tags=tags,
            low_income_certificate=low_income,
            disability_certificate=disability,
            relation=identity.relation,
        )

    def _draw_tags(
        self, rng: random.Random, identity: Identity, kind: str, age: int
    ) -> tuple[str, ...]:
        tags: list[str] = []
        if age >= 18 and rng.random() < 0.08:
            tags.append(PERSON_TYPES["PARTY"].code)
        if age >= 30 and rng.random() < (0.05 if identity.male else 0.004):
            tags.append(PERSON_TYPES["VETERAN"].code)
        if rng.random() < (0.09 if age >= 60 else 0.03):
            tags.append(PERSON_TYPES["DISABLED"].code)
        if kind == "elderly_alone":
            tags.append(PERSON_TYPES["ALONE"].code)
        if kind == "elderly_couple":
            tags.append(PERSON_TYPES["EMPTY_NEST"].code)
        roll = rng.random()
        if roll < 0.015:
            tags.append(PERSON_TYPES["DIBAO"].code)
        elif roll < 0.025:
            tags.append(PERSON_TYPES["DIBAO_EDGE"].code)
        if 20 <= age <= 50 and rng.random() < 0.06:
            tags.append(PERSON_TYPES["NEW_EMPLOYMENT"].code)
        if identity.address_code != COUNTY_CODE and rng.random() < 0.7:
            tags.append(PERSON_TYPES["MOBILE"].code)
        return tuple(tags)

    def _draw_phone(self, rng: random.Random, index: int, head_index: int, age: int) -> str:
        if age < 12:
            return ""
        if index != head_index and age >= 75 and rng.random() < 0.5:
            own = resident_phone(head_index)  # an old parent registered with the head's phone
        else:
            own = resident_phone(index)
        style = rng.random()
        # Legacy entry forms let clerks type phones any way they liked.
        if style < 0.02:
            return f"+86 {own[:3]} {own[3:7]} {own[7:]}"
        if style < 0.04:
            return f"{own[:3]}-{own[3:7]}-{own[7:]}"
        return own

    def index_of_id(self, id_number: str) -> int | None:
        return self._index_by_id.get(id_number.upper())

    def indices_of_phone(self, phone: str) -> list[int]:
        added = self.newcomers.of_phone(phone)
        owner = resident_index_of_phone(normalise_phone(phone))
        if owner is None or owner >= self.size:
            return list(added)
        digits = normalise_phone(phone)
        grid_ordinal, local = divmod(owner, self.preset.residents_per_grid)
        household = self.layout(grid_ordinal).household_of(local)
        base = grid_ordinal * self.preset.residents_per_grid + household.first_local
        members = range(base, base + household.size)
        return [i for i in members if self.person(i).phone_digits == digits] + added

    def grid_indices(self, grid_ordinal: int) -> range:
        start = grid_ordinal * self.preset.residents_per_grid
        return range(start, start + self.preset.residents_per_grid)

    def household_indices(self, grid_ordinal: int, household: Household) -> Sequence[int]:
        added = self.newcomers.household(grid_ordinal, household.number)
        if added is not None:
            return added[1]
        start = grid_ordinal * self.preset.residents_per_grid + household.first_local
        return range(start, start + household.size)

    def household_by_number(self, grid_ordinal: int, number: int) -> Household | None:
        added = self.newcomers.household(grid_ordinal, number)
        return added[0] if added else self.layout(grid_ordinal).household_by_number(number)
