"""The civil-affairs gateway's services: each takes the decoded `data` object and returns
(data, total). Failures are envelope codes, never HTTP statuses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..population import Population, id_number_is_valid
from ..population.residents import index_of_registry_number
from .records import (
    Record,
    building_record,
    center_record,
    enrolment_record,
    household_record,
    organisation_record,
    person_record,
    placement_record,
    service_record,
)

PAGE_SIZE_CAP = 200
BATCH_CAP = 100


class EnvelopeError(Exception):
    def __init__(self, code: str, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason  # why the call was refused, for the journal; "" for other failures


Result = tuple[Any, int]


def _string(data: Record, name: str, required: bool = False) -> str | None:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise EnvelopeError("97", f"缺少参数{name}")
        return None
    if not isinstance(value, str):
        raise EnvelopeError("98", f"参数{name}类型错误")
    return value


def _strings(data: Record, name: str) -> list[str]:
    value = data.get(name)
    if value is None:
        raise EnvelopeError("97", f"缺少参数{name}")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise EnvelopeError("98", f"参数{name}应为字符串数组")
    if not value:
        raise EnvelopeError("97", f"参数{name}不能为空")
    if len(value) > BATCH_CAP:
        raise EnvelopeError("98", f"参数{name}每次最多{BATCH_CAP}个")
    return value


def _page(data: Record, items: Sequence[Any]) -> Result:
    number, size = data.get("pageNo", 1), data.get("pageSize", 20)
    if isinstance(number, bool) or isinstance(size, bool):
        raise EnvelopeError("98", "分页参数类型错误")
    if not isinstance(number, int) or not isinstance(size, int):
        raise EnvelopeError("98", "分页参数类型错误")
    if number < 1 or not 1 <= size <= PAGE_SIZE_CAP:
        raise EnvelopeError("98", f"pageNo从1开始，pageSize在1到{PAGE_SIZE_CAP}之间")
    return list(items[(number - 1) * size : number * size]), len(items)


class CivilAffairsService:
    def __init__(self, population: Population) -> None:
        self.population = population
        self.handlers: dict[str, Callable[[Record], Result]] = {
            "rk.queryByRkbh": self.residents_by_registry_number,
            "rk.queryBySfzh": self.residents_by_id_number,
            "rk.queryByLxdh": self.residents_by_phone,
            "rk.queryByWgbm": self.residents_by_grid,
            "hu.queryByHh": self.households,
            "ld.queryByLdbm": self.buildings,
            "ld.queryByWgbm": self.buildings_of_grid,
            "zz.list": self.organisations,
            "fw.list": self.services,
            "fwzx.list": self.centers,
            "fwdd.list": self.placements,
            "bm.query": self.enrolments,
            "bm.add": self.enrol,
        }

    def residents_by_registry_number(self, data: Record) -> Result:
        found = []
        for number in _strings(data, "rkbhs"):
            index = index_of_registry_number(number)
            if index is not None and self.population.registry.knows(index):
                found.append(person_record(self.population.person(index)))
        return found, len(found)

    def residents_by_id_number(self, data: Record) -> Result:
        found = []
        numbers = _strings(data, "sfzhs")
        if not all(id_number_is_valid(n) for n in numbers):
            raise EnvelopeError("98", "参数sfzhs含无效身份证号")
        for number in numbers:
            index = self.population.registry.index_of_id(number)
            if index is not None:
                found.append(person_record(self.population.person(index)))
        return found, len(found)

    def residents_by_phone(self, data: Record) -> Result:
        phone = _string(data, "lxdh", required=True)
        assert phone is not None  # noqa: S101
        found = [
            person_record(self.population.person(i))
            for i in self.population.registry.indices_of_phone(phone)
        ]
        return found, len(found)

    def residents_by_grid(self, data: Record) -> Result:
        population = self.population
        grid_code, community_code = _string(data, "wgbm"), _string(data, "sqbm")
        if not grid_code and not community_code:
            raise EnvelopeError("97", "缺少参数wgbm或sqbm")
        tag, name = _string(data, "rylx"), _string(data, "xm")
        geography = population.geography
        if grid_code:
            grid = geography.grid_by_code.get(grid_code)
            ordinals = [] if grid is None else [population.top_grid(grid).ordinal]
            micro = grid.code if grid is not None and grid.parent_code else None
        else:
            community = geography.community_by_code.get(community_code or "")
            ordinals = [] if community is None else list(community.grid_ordinals)
            micro = None
        listed = [i for o in ordinals for i in population.registry.listed_indices(o)]
        if tag is None and name is None and micro is None:
            # Unfiltered, only the page's people are drawn: a dashboard lists 40 grids of
            # several hundred residents a page of five at a time.
            indices, total = _page(data, listed)
            return [person_record(population.person(i)) for i in indices], total
        matched = [
            p
            for p in map(population.person, listed)
            if (tag is None or tag in p.tags)
            and (name is None or name in p.name)
            and (micro is None or p.household.building.micro_grid_code == micro)
        ]
        page, total = _page(data, matched)
        return [person_record(p) for p in page], total  # records for the page only

    def households(self, data: Record) -> Result:
        found = []
        for code in _strings(data, "hhs"):
            located = self._grid_and_number(code, 4)
            if located is None:
                continue
            ordinal, number = located
            household = self.population.registry.household_by_number(ordinal, number)
            if household is not None:
                found.append(household_record(self.population, ordinal, household))
        return found, len(found)

    def _grid_and_number(self, code: str, digits: int) -> tuple[int, int] | None:
        grid = self.population.geography.grid_by_code.get(code[:15])
        if grid is None or grid.parent_code is not None or len(code) != 15 + digits:
            return None
        if not code[15:].isdigit():
            return None
        return grid.ordinal, int(code[15:])

    def buildings(self, data: Record) -> Result:
        found = []
        for code in _strings(data, "ldbms"):
            located = self._grid_and_number(code, 3)
            if located is None:
                continue
            ordinal, number = located
            buildings = self.population.registry.layout(ordinal).buildings
            if 1 <= number <= len(buildings):
                found.append(building_record(self.population, ordinal, buildings[number - 1]))
        return found, len(found)

    def buildings_of_grid(self, data: Record) -> Result:
        code = _string(data, "wgbm", required=True)
        grid = self.population.geography.grid_by_code.get(code or "")
        if grid is None:
            return _page(data, [])
        top = self.population.top_grid(grid)
        buildings = self.population.registry.layout(top.ordinal).buildings
        if grid.parent_code:
            buildings = [b for b in buildings if b.micro_grid_code == grid.code]
        return _page(data, [building_record(self.population, top.ordinal, b) for b in buildings])

    def organisations(self, data: Record) -> Result:
        community = _string(data, "sqbm")
        orgs = self.population.services.organisations
        return _page(
            data, [organisation_record(o) for o in orgs if community in (None, o.community_code)]
        )

    def services(self, data: Record) -> Result:
        directory = self.population.services
        ids = set(_strings(data, "ids")) if "ids" in data else None
        category, community = _string(data, "category"), _string(data, "sqbm")
        org_community = {o.id: o.community_code for o in directory.organisations}
        items = [
            service_record(s)
            for s in directory.services
            if (ids is None or s.id in ids)
            and category in (None, s.category)
            and community in (None, org_community[s.organisation_id])
        ]
        return _page(data, items)

    def centers(self, data: Record) -> Result:
        ids = set(_strings(data, "ids")) if "ids" in data else None
        grid, community = _string(data, "wgbm"), _string(data, "sqbm")
        items = [
            center_record(c)
            for c in self.population.services.centers
            if (ids is None or c.id in ids)
            and grid in (None, c.grid_code)
            and community in (None, c.community_code)
        ]
        return _page(data, items)

    def placements(self, data: Record) -> Result:
        service, location = _string(data, "service_id"), _string(data, "location_id")
        items = [
            placement_record(p)
            for p in self.population.services.placements
            if service in (None, p.service_id) and location in (None, p.center_id)
        ]
        return _page(data, items)

    def enrolments(self, data: Record) -> Result:
        enrolments = self.population.services.enrolments
        if "rkbhs" in data:
            wanted = set(_strings(data, "rkbhs"))
            return _page(
                data, [enrolment_record(e) for e in enrolments if e.registry_number in wanted]
            )
        service = _string(data, "service_id", required=True)
        return _page(data, [enrolment_record(e) for e in enrolments if e.service_id == service])

    def enrol(self, data: Record) -> Result:
        registry_number = _string(data, "rkbh", required=True) or ""
        service_id = _string(data, "service_id", required=True) or ""
        location_id = _string(data, "location_id", required=True) or ""
        index = index_of_registry_number(registry_number)
        if index is None or not self.population.registry.knows(index):
            raise EnvelopeError("96", "人口信息不存在")
        directory = self.population.services
        if not any(
            p.service_id == service_id and p.center_id == location_id for p in directory.placements
        ):
            raise EnvelopeError("96", "该服务点不提供此服务")
        for existing in directory.enrolments:
            if (
                existing.registry_number == registry_number
                and existing.service_id == service_id
                and existing.status == "在册"
            ):
                raise EnvelopeError("96", "已报名该服务")
        enrolment = self.population.enrol(registry_number, service_id, location_id)
        return enrolment_record(enrolment), 1
