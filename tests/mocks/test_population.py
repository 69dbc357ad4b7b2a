from __future__ import annotations

import random
import re
from collections import Counter
from datetime import datetime, timedelta

import pytest

from mocks.population import Population, id_number_is_valid
from mocks.population.cases import BEIJING
from mocks.population.idcodes import id_check_char, resident_index_of_phone, resident_phone
from mocks.population.vocab import PERSON_TYPES
from tests.conftest import frozen_population

MOBILE = re.compile(r"^1[3-9]\d{9}$")


@pytest.mark.parametrize(
    "number",
    [
        pytest.param("11010519491231002X", id="x-check"),
        pytest.param("440524188001010014", id="digit"),
    ],
)
def test_published_examples_pass_the_check(number: str) -> None:
    assert id_number_is_valid(number)


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("11010519491231002Y", "wrong check char"),
        ("110105194912310021", "wrong check digit"),
        ("11010519491231002", "too short"),
        ("1101051949123100AX", "letters in the body"),
    ],
)
def test_bad_numbers_fail_the_check(number: str, why: str) -> None:
    assert not id_number_is_valid(number), why


def test_check_character_follows_iso_7064() -> None:
    # 17 ones: the weights sum to 100, 100 mod 11 = 1, which maps to "0"
    assert id_check_char("1" * 17) == "0"


def test_every_generated_id_number_is_valid_and_unique(demo_population: Population) -> None:
    registry = demo_population.registry
    numbers = [registry.id_number(i) for i in range(registry.size)]
    assert all(id_number_is_valid(n) for n in numbers)
    assert len(set(numbers)) == registry.size
    assert all(registry.index_of_id(n) == i for i, n in enumerate(numbers))


def test_id_number_agrees_with_birth_and_sex(demo_population: Population) -> None:
    for index in range(0, demo_population.registry.size, 97):
        person = demo_population.person(index)
        assert person.id_number[6:14] == f"{person.birth:%Y%m%d}"
        assert int(person.id_number[16]) % 2 == (1 if person.male else 0)


def test_phones_are_mobiles_and_invert_to_their_owner(demo_population: Population) -> None:
    assert all(resident_index_of_phone(resident_phone(i)) == i for i in range(0, 500_000, 331))
    phones = [demo_population.person(i).phone_digits for i in range(2000)]
    assert all(MOBILE.match(p) for p in phones if p)
    for index in range(0, 2000, 7):
        person = demo_population.person(index)
        if person.phone:
            assert index in demo_population.registry.indices_of_phone(person.phone)


def test_same_seed_same_population_other_seed_other_people() -> None:
    first, again, other = (frozen_population("tiny", seed) for seed in (5, 5, 6))
    assert [first.person(i).id_number for i in range(50)] == [
        again.person(i).id_number for i in range(50)
    ]
    assert [first.person(i).name for i in range(50)] != [other.person(i).name for i in range(50)]


def test_tags_come_in_realistic_proportions(demo_population: Population) -> None:
    people = [demo_population.person(i) for i in range(demo_population.registry.size)]
    counts = Counter(tag for p in people for tag in p.tags)
    share = {name: counts[t.code] / len(people) for name, t in PERSON_TYPES.items()}
    assert 0.04 < share["PARTY"] < 0.10
    assert 0.005 < share["VETERAN"] < 0.04
    assert 0.02 < share["DISABLED"] < 0.08
    assert 0.01 < share["ALONE"] < 0.06
    assert 0.005 < share["DIBAO"] < 0.03
    assert 0.05 < share["MOBILE"] < 0.20
    elderly = sum(demo_population.registry.age(p.birth) >= 60 for p in people) / len(people)
    assert 0.15 < elderly < 0.45


def test_living_alone_means_a_household_of_one_elderly_person(demo_population: Population) -> None:
    alone = PERSON_TYPES["ALONE"].code
    for index in range(demo_population.registry.size):
        person = demo_population.person(index)
        if alone in person.tags:
            assert person.household.size == 1
            assert demo_population.registry.age(person.birth) >= 60


def test_case_figures_match_what_the_seeds_report(demo_population: Population) -> None:
    now = demo_population.now()
    community = demo_population.geography.communities[0]
    start = now - timedelta(days=90)
    cases = [
        c for o in community.grid_ordinals for c in demo_population.cases_of_grid(o, start, now)
    ]
    per_day = len(cases) / 90
    assert 100 <= per_day <= 200
    closed = [c for c in cases if c.status(now) == "结案"]
    days = (
        sum((c.closed - c.filed).total_seconds() for c in closed if c.closed) / len(closed) / 86400
    )
    assert 2.5 <= days <= 5
    overdue = sum(c.is_overdue(now) for c in cases) / len(cases)
    assert 0.01 <= overdue <= 0.08
    ratings = Counter(c.satisfaction for c in closed if c.satisfaction)
    assert 0.90 <= ratings["满意"] / sum(ratings.values()) <= 0.98


def test_a_case_number_draws_the_same_case_alone(demo_population: Population) -> None:
    now = demo_population.now()
    listed = next(demo_population.cases_of_grid(3, now - timedelta(days=3), now))
    assert demo_population.case(listed.number) == listed
    assert demo_population.case("2026110199999001") is None
    assert demo_population.case("not-a-number") is None


def test_a_page_of_a_grids_cases_equals_slicing_the_whole_list(
    demo_population: Population,
) -> None:
    """Pages are counted from running day totals where they can be: they must agree with
    drawing every case, for ranges that start at midnight or mid-day and end now or earlier."""
    rng = random.Random(8)
    now = demo_population.now()
    for _ in range(120):
        grid = rng.randrange(len(demo_population.geography.grids))
        if demo_population.geography.grids[grid].parent_code is not None:
            continue
        end = now - timedelta(hours=rng.choice([0, 0, rng.randrange(24 * 60)]))
        start = end - timedelta(hours=rng.randrange(1, 24 * 120), minutes=rng.randrange(60))
        if rng.random() < 0.4:
            start = datetime(start.year, start.month, start.day, tzinfo=BEIJING)
        offset, size = rng.choice([0, 0, 5, 20, 300]), rng.choice([1, 5, 20, 100])
        total, page = demo_population.grid_case_page(grid, start, end, offset, size)
        every = list(demo_population.cases_of_grid(grid, start, end))
        assert total == len(every)
        assert [c.number for c in page] == [c.number for c in every[offset : offset + size]]


def test_a_sample_of_cases_reads_as_many_descriptions(demo_population: Population) -> None:
    """Place, problem and what the reporter adds: not the two dozen class texts."""
    from datetime import timedelta

    now = demo_population.as_of
    grid = demo_population.geography.grids[0]
    cases = []
    for ordinal in grid.community.grid_ordinals:
        cases += list(demo_population.cases_of_grid(ordinal, now - timedelta(days=30), now))
    sample = cases[:200]
    assert len(sample) == 200
    assert len({c.description for c in sample}) >= 150
    assert all(c.description.startswith(c.address) for c in sample)  # where, first
    assert all(c.event.description in c.description for c in sample)  # then what


def test_open_cases_stand_at_every_stage_and_only_the_public_rate(
    demo_population: Population,
) -> None:
    """A dispatcher's board: at any moment 5-15 % of a community's month of cases open, at every
    stage, not all at 处置; ratings come from the public (12345, the mini program), never from
    a patrol."""
    community = demo_population.geography.communities[0]
    for days_back in (0, 9, 23):
        moment = demo_population.now() - timedelta(days=days_back)
        cases = [
            c
            for o in community.grid_ordinals
            for c in demo_population.cases_of_grid(o, moment - timedelta(days=30), moment)
        ]
        stages = Counter(c.status(moment) for c in cases)
        open_cases = sum(n for stage, n in stages.items() if stage not in ("结案", "作废"))
        assert 0.05 <= open_cases / len(cases) <= 0.15, (days_back, stages)
        for stage, least in (("立案", 0.02), ("派遣", 0.01), ("核查", 0.08)):
            assert stages[stage] / open_cases >= least, (days_back, stages)
        assert stages["处置"] / open_cases <= 0.85
        rated = [c for c in cases if c.satisfaction]
        assert rated and {c.source for c in rated} <= {"12345热线", "公众举报/小程序"}


def test_household_ages_are_those_of_a_family(demo_population: Population) -> None:
    registry = demo_population.registry
    per_grid = demo_population.preset.residents_per_grid
    spouses, children = [], []
    for grid in range(5):
        for household in registry.layout(grid).households:
            first = grid * per_grid + household.first_local
            ages = [registry.age(registry.person(first + i).birth) for i in range(household.size)]
            if household.kind == "three_generations":
                spouses.append(abs(ages[1] - ages[2]))
                children += [min(ages[1], ages[2]) - a for a in ages[3:]]
                children.append(ages[0] - ages[1])
            elif household.size >= 2:
                spouses.append(abs(ages[0] - ages[1]))
                children += [min(ages[0], ages[1]) - a for a in ages[2:]]
    assert len(spouses) > 200 and len(children) > 200
    assert max(spouses) <= 10
    assert min(children) >= 22


def test_a_population_built_again_is_the_same_and_keeps_its_own_newcomers() -> None:
    from mocks.population import residents

    residents._DRAWN_ID_INDEXES.clear()
    drawn = frozen_population("tiny")  # draws every ID number and keeps the index
    copied = frozen_population("tiny")  # copies that index
    assert residents._DRAWN_ID_INDEXES, "the second build should have had an index to copy"
    size = drawn.registry.size
    assert [copied.registry.id_number(i) for i in range(size)] == [
        drawn.registry.id_number(i) for i in range(size)
    ]
    for index in (0, size // 2, size - 1):
        assert copied.registry.index_of_id(drawn.registry.id_number(index)) == index
    # an ID number one population learns (a newcomer's) stays its own
    copied.registry.register_newcomer_id("110101200001010015", size)
    assert copied.registry.index_of_id("110101200001010015") == size
    assert drawn.registry.index_of_id("110101200001010015") is None
    assert frozen_population("tiny").registry.index_of_id("110101200001010015") is None
