"""How a person named in another system is linked to a resident, as the request data does it."""

from __future__ import annotations

from adapters import MatchMethod, resident_from_civil_affairs
from gateway.backends.data import RequestData
from mocks import Population
from mocks.civil.records import person_record
from tests.conftest import AS_OF


def test_an_id_number_typed_with_a_lower_case_x_still_matches_by_id_number(
    demo_population: Population,
) -> None:
    person = next(
        demo_population.person(i)
        for i in range(demo_population.registry.size)
        if demo_population.person(i).id_number.endswith("X")
    )
    resident = resident_from_civil_affairs(person_record(person), AS_OF.date())
    typed = resident.id_number[:-1] + "x"
    match, found = RequestData._identified(typed, "", {resident.id_number: resident}, {})
    assert match.method is MatchMethod.ID_NUMBER
    assert found == resident
