"""A scenario applied: its records written into the shared population through the same paths
the mocks' own write operations take, and its faults switched on a timeline."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .engage.service import EngagementService
from .harness import Harness
from .population import Applicant, Person, Population, Reporter
from .population.newcomers import Newcomer, admit
from .population.vocab import EVENT_CLASSES, PERSON_TYPES
from .scenario import Scenario, ScenarioError

TAG_CODES = {t.label: t.code for t in PERSON_TYPES.values()} | {
    t.code: t.code for t in PERSON_TYPES.values()
}


@dataclass(slots=True)
class Applied:
    """What a scenario added, by the names it gave: residents, and the records made for them."""

    people: dict[str, Person] = field(default_factory=dict)
    cases: dict[str, list[str]] = field(default_factory=dict)  # reporter (or grid) → numbers
    applications: dict[str, list[str]] = field(default_factory=dict)
    wishes: dict[str, list[str]] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "residents": {a: p.registry_number for a, p in self.people.items()},
            "cases": self.cases,
            "applications": self.applications,
            "wishes": self.wishes,
        }


def _account(population: Population, person: Person) -> Any:
    users = population.engagement.users_of_phone(person.phone)
    return next((u for u in users if u.person_index == person.index), None)


def find_resident(
    population: Population, wanted: dict[str, Any], taken: set[int] | None = None
) -> Person:
    """The first seeded resident (not in `taken`) with everything `wanted` names: grid, tags
    (codes or labels), ages, a platform account bound to their own phone."""
    taken = set() if taken is None else taken
    tags = set()
    for tag in wanted.get("tags", []):
        if tag not in TAG_CODES:
            raise ScenarioError(f"residents: unknown tag {tag!r}")
        tags.add(TAG_CODES[tag])
    grids = [population.geography.grid_by_code.get(wanted["grid"])] if "grid" in wanted else None
    if grids == [None]:
        raise ScenarioError(f"residents.{wanted['as']}: no grid {wanted['grid']}")
    candidates = (
        (i for g in grids if g is not None for i in population.registry.grid_indices(g.ordinal))
        if grids
        else iter(range(population.registry.size))
    )
    low, high = wanted.get("min_age", 0), wanted.get("max_age", 200)
    for index in candidates:
        if index in taken:
            continue
        person = population.person(index)
        if not tags <= set(person.tags):
            continue
        if not low <= population.registry.age(person.birth) <= high:
            continue
        if wanted.get("platform_account") and _account(population, person) is None:
            continue
        taken.add(index)
        return person
    raise ScenarioError(f"residents.{wanted['as']}: no seeded resident matches {wanted}")


def _event(name: str) -> Any:
    found = next((e for e in EVENT_CLASSES if name in (e.sub_name, e.sub_code)), None)
    if found is None:
        raise ScenarioError(f"cases: unknown class {name!r} (a sub class name or code)")
    return found


def _grid_of(population: Population, record: dict[str, Any], person: Person | None) -> Any:
    code = record.get("grid") or (person.grid.code if person else "")
    grid = population.geography.grid_by_code.get(code)
    if grid is None:
        raise ScenarioError(f"cases: no grid {code}")
    return grid


def _newcomer(population: Population, record: dict[str, Any]) -> Newcomer:
    grid = population.geography.grid_by_code.get(record.get("grid", ""))
    if grid is None and "household" not in record:
        raise ScenarioError(f"people.{record['as']}: no grid {record.get('grid')}")
    if grid is not None and grid.parent_code is not None:
        raise ScenarioError(f"people.{record['as']}: {grid.code} is a micro-grid; give its grid")
    try:
        birth = date.fromisoformat(record["birth"])
    except ValueError:
        raise ScenarioError(f"people.{record['as']}.birth: not a date") from None
    if birth > population.now().date():
        raise ScenarioError(f"people.{record['as']}.birth: in the future")
    tags = []
    for tag in record.get("tags", []):
        if tag not in TAG_CODES:
            raise ScenarioError(f"people.{record['as']}: unknown tag {tag!r}")
        tags.append(TAG_CODES[tag])
    return Newcomer(
        name=record["name"],
        male=record["sex"] == "男",
        birth=birth,
        grid=grid or population.geography.grids[0],  # a member's grid is their household's
        tags=tuple(tags),
        phone=record.get("phone", ""),
        relation=record.get("relation", "家庭成员"),
    )


def _check(population: Population, scenario: Scenario, people: dict[str, Person]) -> None:
    """Everything that can refuse the scenario besides its newcomers (resolved before it),
    before anything is written: it is applied whole or not at all."""
    newcomers = {p["as"] for p in scenario.records("people")}
    for record in scenario.records("cases"):
        _event(record["class"])
        if record.get("reporter") not in newcomers:
            _grid_of(population, record, people.get(record.get("reporter", "")))
    for record in scenario.records("wishes"):
        if record["author"] not in people or _account(population, people[record["author"]]) is None:
            raise ScenarioError(
                f"wishes: {record['author']} has no platform account "
                "(ask for one with platform_account = true)"
            )


def apply_scenario(population: Population, scenario: Scenario) -> Applied:
    applied = Applied()
    taken: set[int] = set()
    for wanted in scenario.records("residents"):
        applied.people[wanted["as"]] = find_resident(population, wanted, taken)
    newcomers = [(r, _newcomer(population, r)) for r in scenario.records("people")]
    _check(population, scenario, applied.people)
    for record, newcomer in newcomers:
        joins = applied.people.get(record["household"]) if "household" in record else None
        applied.people[record["as"]] = admit(population.registry, newcomer, joins)
    for record in scenario.records("cases"):
        person = applied.people.get(record.get("reporter", ""))
        grid = _grid_of(population, record, person)
        grid_code = grid.code
        box = population.top_grid(grid).box
        reporter = Reporter(person.name, person.phone, person.id_number) if person else None
        source = record.get("source") or ("12345热线" if person else "监督员上报")
        for _ in range(record.get("count", 1)):
            case = population.report_case(
                grid,
                _event(record["class"]),
                source,
                record["description"],
                record.get("address") or (person.current_address if person else grid.name),
                round((box.west + box.east) / 2, 6),
                round((box.south + box.north) / 2, 6),
                reporter,
            )
            applied.cases.setdefault(record.get("reporter", grid_code), []).append(case.number)
    for record in scenario.records("legal_aid"):
        person = applied.people[record["applicant"]]
        applicant = Applicant(
            person.name, person.male, person.phone, person.id_number, person.current_address
        )
        happened = record.get("happened") or population.now().date().isoformat()
        application = population.apply_legal_aid(
            applicant,
            person.grid.community.code,
            record["aid_type"],
            record["case_type"],
            record["description"],
            date.fromisoformat(happened),
        )
        applied.applications.setdefault(record["applicant"], []).append(application.record_code)
    service = EngagementService(population)
    for record in scenario.records("wishes"):
        person = applied.people[record["author"]]
        user = _account(population, person)
        posted = service.wish_post(
            {"openid": user.openid, "grid_code": user.grid_code, "content": record["content"]}
        )
        applied.wishes.setdefault(record["author"], []).append(posted["wish"]["wish_id"])
    return applied


class FaultTimeline:
    """Switches each step's faults on at its time from `start()`, on a daemon thread: setting a
    harness's faults is one attribute, read once per request, so no lock is needed."""

    def __init__(
        self,
        scenario: Scenario,
        apps: Mapping[str, Harness],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.steps = scenario.steps
        self.apps = apps
        self.clock = clock
        self.applied = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> FaultTimeline:
        started = self.clock()
        self.run_due(0.0)
        if self.applied < len(self.steps):
            self._thread = threading.Thread(target=self._run, args=(started,), daemon=True)
            self._thread.start()
        return self

    def run_due(self, elapsed_s: float) -> None:
        """Applies every step due by `elapsed_s` that has not been applied yet."""
        while self.applied < len(self.steps) and self.steps[self.applied].at_s <= elapsed_s:
            step = self.steps[self.applied]
            self.apps[step.system].faults = step.faults
            self.applied += 1

    def _run(self, started: float) -> None:
        while self.applied < len(self.steps) and not self._stop.is_set():
            wait = self.steps[self.applied].at_s - (self.clock() - started)
            if wait > 0 and self._stop.wait(min(wait, 0.5)):
                return
            self.run_due(self.clock() - started)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
