"""The urban-management system's behaviour: sessions, paging, batch caps, cases and statistics."""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any
from xml.etree.ElementTree import Element

from ..population import Grid, Population, Reporter, UrbanCase, id_number_is_valid
from ..population.vocab import CASE_STATUSES, DEPARTMENTS, EVENT_CLASS_BY_SUB, SATISFACTION
from .contract import BATCH_CAP, OPERATIONS, PAGE_SIZE_CAP, Param
from .records import Record, case_record, legacy_time, parse_legacy_time
from .soap import SoapFault
from .statistics import Statistics
from .workflow import WorkflowOperations

SOURCES = ("监督员上报", "12345热线", "公众举报/小程序", "视频", "上级交办")


class UrbanService(WorkflowOperations):
    def __init__(
        self,
        population: Population,
        username: str,
        password: str,
        session_ttl_s: float = 1800.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.population = population
        self.username = username
        self.password = password
        self.session_ttl_s = session_ttl_s
        self.clock = clock
        self.sessions: dict[str, float] = {}
        self._statistics = Statistics(population)

    def call(self, operation: str, elements: dict[str, Element]) -> Record:
        op = OPERATIONS.get(operation)
        if op is None:
            raise SoapFault(
                "Client", "2000", f"未知操作{operation[:40]}", reason="unknown-operation"
            )
        args = {p.name: self._argument(p, elements.get(p.name)) for p in op.params}
        if op.needs_session:
            self._check_session(str(args["Token"]))
        handler: Callable[[dict[str, Any]], Record] = getattr(self, f"op_{operation}")
        return handler(args)

    def _argument(self, param: Param, element: Element | None) -> object:
        if param.kind == "attachments":
            items = [] if element is None else list(element)
            return [{c.tag.split("}", 1)[-1]: (c.text or "").strip() for c in i} for i in items]
        if param.kind == "codes":
            codes = [] if element is None else [(c.text or "").strip() for c in element]
            if param.required and not codes:
                raise SoapFault("Client", "2001", f"缺少参数{param.name}", reason="missing-element")
            if len(codes) > BATCH_CAP:
                raise SoapFault(
                    "Client", "2003", f"{param.name}每次最多{BATCH_CAP}个", reason="too-many-codes"
                )
            return codes
        text = "" if element is None else (element.text or "").strip()
        if not text:
            if param.required:
                raise SoapFault("Client", "2001", f"缺少参数{param.name}", reason="missing-element")
            return None
        if param.kind == "int":
            if not text.lstrip("-").isdigit():
                raise SoapFault("Client", "2002", f"参数{param.name}应为整数", reason="wrong-type")
            return int(text)
        if param.kind == "decimal":
            try:
                return float(text)
            except ValueError as error:
                raise SoapFault(
                    "Client", "2002", f"参数{param.name}应为数字", reason="wrong-type"
                ) from error
        if param.kind == "datetime":
            return parse_legacy_time(text, param.name)
        return text

    def _check_session(self, token: str) -> None:
        expiry = self.sessions.get(token)
        if expiry is None:
            raise SoapFault("Client", "1002", "会话无效，请重新登录")
        if expiry <= self.clock():
            del self.sessions[token]
            raise SoapFault("Client", "1002", "会话已过期，请重新登录")

    @staticmethod
    def _paging(args: dict[str, Any]) -> tuple[int, int]:
        size = args.get("PageSize") or 20
        index = args.get("CurrentPageIndex") or 1
        if not 1 <= size <= PAGE_SIZE_CAP:
            raise SoapFault(
                "Client",
                "2004",
                f"PageSize应在1到{PAGE_SIZE_CAP}之间",
                reason="page-size-out-of-range",
            )
        if index < 1:
            raise SoapFault("Client", "2002", "CurrentPageIndex从1开始", reason="wrong-type")
        return size, index

    # -- operations ------------------------------------------------------------------
    def op_Login(self, args: dict[str, Any]) -> Record:
        if args["UserName"] != self.username or args["Password"] != self.password:
            raise SoapFault("Client", "1001", "用户名或密码错误")
        now = self.clock()
        self.sessions = {t: e for t, e in self.sessions.items() if e > now}
        token = secrets.token_hex(16)
        self.sessions[token] = now + self.session_ttl_s
        expiry = self.population.clock() + timedelta(seconds=self.session_ttl_s)
        return {"Token": token, "ExpireTime": legacy_time(expiry)}

    def op_GetGrids(self, args: dict[str, Any]) -> Record:
        size, index = self._paging(args)
        geography = self.population.geography
        grids: list[Grid] = [*geography.grids, *geography.micro_grids]
        if args["SQBM"]:
            grids = [g for g in grids if g.community.code == args["SQBM"]]
        if args["SJWGBM"]:
            grids = [g for g in grids if g.parent_code == args["SJWGBM"]]
        grids.sort(key=lambda g: g.code)
        page = grids[(index - 1) * size : index * size]
        return {
            "TotalCount": len(grids),
            "PageSize": size,
            "CurrentPageIndex": index,
            "Grids": [self._grid(g) for g in page],
        }

    def op_GetGridsByCodes(self, args: dict[str, Any]) -> Record:
        by_code = self.population.geography.grid_by_code
        return {"Grids": [self._grid(by_code[c]) for c in args["Codes"] if c in by_code]}

    def _grid(self, grid: Grid) -> Record:
        population = self.population
        top = population.top_grid(grid)
        layout = population.registry.layout(top.ordinal)
        if grid.parent_code is None:
            households = len(layout.households)
            residents = population.preset.residents_per_grid
        else:
            mine = [h for h in layout.households if h.building.micro_grid_code == grid.code]
            households, residents = len(mine), sum(h.size for h in mine)
        workers = population.workers(grid) if grid.parent_code is None else []
        box = grid.box
        return {
            "WGBM": grid.code,
            "WGMC": grid.name,
            "WGJB": "网格" if grid.parent_code is None else "微网格",
            "SJWGBM": grid.parent_code or "",
            "SQBM": grid.community.code,
            "SQMC": grid.community.name,
            "JDBM": grid.community.street.code,
            "JDMC": grid.community.street.name,
            "BJ": box.polygon(),
            "ZXX": round((box.west + box.east) / 2, 6),
            "ZXY": round((box.south + box.north) / 2, 6),
            "HS": households,
            "RKS": residents,
            "WGYS": [
                {
                    "WGYBM": w.code,
                    "XM": w.name,
                    "LXDH": w.phone,
                    "ZW": w.role,
                    "SFZZ": "1" if w.full_time else "0",
                }
                for w in workers
            ],
        }

    def op_GetDepartments(self, args: dict[str, Any]) -> Record:
        return {
            "Departments": [
                {"BMBM": code, "BMMC": name, "BMJC": short} for code, name, short in DEPARTMENTS
            ]
        }

    def op_QueryCases(self, args: dict[str, Any]) -> Record:
        size, index = self._paging(args)
        keys = [k for k in ("WGBM", "SBRSFZH", "SBRDH") if args[k]]
        if len(keys) != 1:
            raise SoapFault(
                "Client", "2001", "WGBM、SBRSFZH、SBRDH须且只能提供一个", reason="missing-element"
            )
        if args["ZT"] and args["ZT"] not in CASE_STATUSES:
            raise SoapFault("Client", "2002", "参数ZT取值错误", reason="wrong-type")
        population = self.population
        start = args["KSSJ"] or population.history_start()
        end = args["JSSJ"] or population.now() + timedelta(days=1)
        now = population.now()
        grid = population.geography.grid_by_code.get(args["WGBM"] or "")
        if grid is not None and grid.parent_code is None and not (args["ZT"] or args["DLBM"]):
            total, found = population.grid_case_page(
                grid.ordinal, start, end, (index - 1) * size, size
            )
            return {
                "TotalCount": total,
                "PageSize": size,
                "CurrentPageIndex": index,
                "Cases": [case_record(c, now) for c in found],
            }
        cases = self._cases_for(keys[0], args[keys[0]], start, end)
        if args["ZT"]:
            cases = (c for c in cases if c.status(now) == args["ZT"])
        if args["DLBM"]:
            cases = (c for c in cases if c.event.main_code == args["DLBM"])
        skip, total, page = (index - 1) * size, 0, []
        for case in cases:
            if skip <= total < skip + size:
                page.append(case_record(case, now))
            total += 1
        return {"TotalCount": total, "PageSize": size, "CurrentPageIndex": index, "Cases": page}

    def _cases_for(
        self, key: str, value: str, start: datetime, end: datetime
    ) -> Iterator[UrbanCase]:
        population = self.population
        if key == "WGBM":
            grid = population.geography.grid_by_code.get(value)
            if grid is None:
                return iter(())
            if grid.parent_code is not None:
                micro = grid.code
                top = population.top_grid(grid)
                return (
                    c
                    for c in population.cases_of_grid(top.ordinal, start, end)
                    if self._micro_of(c) == micro
                )
            return population.cases_of_grid(grid.ordinal, start, end)
        registry = population.registry
        if key == "SBRSFZH":
            if not id_number_is_valid(value):
                raise SoapFault("Client", "2002", "参数SBRSFZH格式错误", reason="pattern-mismatch")
            found = registry.index_of_id(value)
            indices = [] if found is None else [found]
        else:
            indices = registry.indices_of_phone(value)
        if not indices:
            return iter(())
        grid_ordinal = indices[0] // population.preset.residents_per_grid

        # Residents report in their own grid; that is where the system's index finds them.
        def matches(case: UrbanCase) -> bool:
            reporter = case.reporter
            if reporter is None:
                return False
            return reporter.id_number == value if key == "SBRSFZH" else reporter.phone == value

        # Cases written since are indexed by reporter wherever they were reported.
        written = [
            population.case(c.number) or c
            for ordinal, cases in population.writes.cases_by_grid.items()
            if ordinal != grid_ordinal
            for c in cases
            if matches(c) and start <= c.filed < end
        ]
        written.sort(key=lambda c: c.filed, reverse=True)
        return itertools.chain(
            written, (c for c in population.cases_of_grid(grid_ordinal, start, end) if matches(c))
        )

    def _micro_of(self, case: UrbanCase) -> str:
        micro = case.grid.micro_codes
        if not micro:
            return case.grid.code
        box = case.grid.box
        share = (case.x - box.west) / (box.east - box.west)
        return micro[min(len(micro) - 1, int(share * len(micro)))]

    def op_GetCasesByCodes(self, args: dict[str, Any]) -> Record:
        now = self.population.now()
        found = (self.population.case(code) for code in args["Codes"])
        return {"Cases": [case_record(c, now) for c in found if c is not None]}

    def op_ReportCase(self, args: dict[str, Any]) -> Record:
        population = self.population
        grid = population.geography.grid_by_code.get(args["WGBM"])
        if grid is None:
            raise SoapFault("Client", "3001", "网格不存在")
        event = EVENT_CLASS_BY_SUB.get(args["XLBM"])
        if event is None:
            raise SoapFault("Client", "2002", "参数XLBM取值错误", reason="not-allowed-value")
        if args["AJLY"] not in SOURCES:
            raise SoapFault("Client", "2002", "参数AJLY取值错误", reason="not-allowed-value")
        for name, cap in (("WTMS", 500), ("DZ", 200), ("SBRXM", 50)):
            if args[name] and len(args[name]) > cap:
                raise SoapFault("Client", "2002", f"参数{name}超长", reason="too-long")
        if args["SBRSFZH"] and not id_number_is_valid(args["SBRSFZH"]):
            raise SoapFault("Client", "2002", "参数SBRSFZH格式错误", reason="pattern-mismatch")
        reporter = None
        if args["SBRXM"] or args["SBRDH"] or args["SBRSFZH"]:
            reporter = Reporter(args["SBRXM"] or "", args["SBRDH"] or "", args["SBRSFZH"] or "")
        attachments = self._decoded(args["FJ"], 0, "上报")
        box = population.top_grid(grid).box
        case = population.report_case(
            grid,
            event,
            args["AJLY"],
            args["WTMS"],
            args["DZ"],
            args["X"] if args["X"] is not None else round((box.west + box.east) / 2, 6),
            args["Y"] if args["Y"] is not None else round((box.south + box.north) / 2, 6),
            reporter,
        )
        population.writes.flows[case.number].attachments.extend(attachments)
        return {
            "AJBH": case.number,
            "ZT": population.writes.flows[case.number].stage,
            "LASJ": legacy_time(case.filed),
        }

    def op_RateCase(self, args: dict[str, Any]) -> Record:
        case = self.population.case(args["AJBH"])
        if case is None:
            raise SoapFault("Client", "3001", "案件不存在")
        if args["MYD"] not in SATISFACTION:
            raise SoapFault("Client", "2002", "参数MYD取值错误", reason="wrong-type")
        if case.status(self.population.now()) != "结案":
            raise SoapFault("Client", "3002", "案件未结案，不能评价")
        self.population.rate_case(case.number, args["MYD"])
        return {"AJBH": case.number, "MYD": args["MYD"]}

    def op_GetStatistics(self, args: dict[str, Any]) -> Record:
        return {"Statistics": self._statistics.figures(args)}
