"""Scenarios: a TOML file (or the same document as JSON) that adds records on top of the seeded
population and schedules faults over time, for a test that needs "a resident with two open
cases and a pending legal-aid application", or "legal aid down for 30 s, then slow".

    name = "legal aid down, then slow"

    [[residents]]              # picks a seeded resident and names them for what follows
    as = "alice"
    grid = "320213001001001"   # optional, as are tags (codes or labels), ages and an account
    tags = ["独居老人"]

    [[people]]                 # a new resident (新迁入), in a new household of the grid
    as = "lin"
    grid = "320213001001002"
    name = "林新来"
    sex = "女"
    birth = "1948-05-12"
    tags = ["独居老人"]         # optional, as is phone (else one is assigned)
    [[people]]                 # joins lin's household
    as = "lin_son"
    household = "lin"
    name = "林小军"
    sex = "男"
    birth = "1975-01-30"
    relation = "子女"

    [[cases]]                  # reported now, open (待受理)
    reporter = "alice"
    class = "暴露垃圾"
    description = "楼下垃圾三天没人清"
    count = 2

    [[legal_aid]]              # applied for now, 待审核
    applicant = "alice"
    aid_type = "民事代理"
    case_type = "民事"
    description = "邻里漏水纠纷"

    [[wishes]]                 # posted on the engagement platform by the resident's account
    author = "alice"
    content = "想请志愿者帮忙换灯泡"

    [[faults]]                 # each step replaces that system's faults from its time on
    at = "0s"
    system = "legal-aid"
    outage = true
    [[faults]]
    at = "30s"
    system = "legal-aid"
    latency_ms = 800
    [[faults]]                 # a step with no faults (or `clear = true`) ends them
    at = "60s"
    system = "legal-aid"
    clear = true

The file is checked against the schema below before anything is applied; each error names its
place (`faults[1].at`) and what was expected."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from .harness import Faults
from .population.vocab import AID_TYPES, LEGAL_CASE_TYPES

SYSTEMS = {
    "urban-management": "urban",
    "urban": "urban",
    "civil-affairs": "civil",
    "civil": "civil",
    "legal-aid": "legal",
    "legal": "legal",
    "engagement": "engage",
    "engage": "engage",
}
DURATION = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(ms|s|m)$")
ALIAS = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,30}$"}
TEXT = {"type": "string", "minLength": 1, "maxLength": 500}
FAULT_FIELDS: dict[str, Any] = {
    "latency_ms": {"type": "number", "minimum": 0},
    "jitter_ms": {"type": "number", "minimum": 0},
    "error_rate": {"type": "number", "minimum": 0, "maximum": 1},
    "outage": {"type": "boolean"},
    "malformed": {"type": "boolean"},
    "slow_drip": {"type": "number", "minimum": 0},
    "respond_after_ms": {"type": "number", "minimum": 0},
    "too_many_requests": {"type": "boolean"},
}


def _records(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    item = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    return {"type": "array", "items": item, "maxItems": 500}


SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "name": TEXT,
        "description": TEXT,
        "residents": _records(
            {
                "as": ALIAS,
                "grid": {"type": "string", "pattern": "^[0-9]{15}$"},
                "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 9},
                "min_age": {"type": "integer", "minimum": 0, "maximum": 120},
                "max_age": {"type": "integer", "minimum": 0, "maximum": 120},
                "platform_account": {"type": "boolean"},
            },
            ["as"],
        ),
        "people": _records(
            {
                "as": ALIAS,
                "grid": {"type": "string", "pattern": "^[0-9]{15}$"},
                "household": ALIAS,
                "name": {"type": "string", "minLength": 2, "maxLength": 20},
                "sex": {"enum": ["男", "女"]},
                "birth": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
                "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 9},
                "phone": {"type": "string", "pattern": "^1[3-9][0-9]{9}$"},
                "relation": {"type": "string", "minLength": 1, "maxLength": 10},
            },
            ["as", "name", "sex", "birth"],
        ),
        "cases": _records(
            {
                "reporter": ALIAS,
                "grid": {"type": "string", "pattern": "^[0-9]{15}$"},
                "class": {"type": "string", "minLength": 1},
                "source": {"type": "string"},
                "description": TEXT,
                "address": TEXT,
                "count": {"type": "integer", "minimum": 1, "maximum": 50},
            },
            ["class", "description"],
        ),
        "legal_aid": _records(
            {
                "applicant": ALIAS,
                "aid_type": {"enum": list(AID_TYPES)},
                "case_type": {"enum": [kind for kind, _ in LEGAL_CASE_TYPES]},
                "description": TEXT,
                "happened": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
            },
            ["applicant", "aid_type", "case_type", "description"],
        ),
        "wishes": _records({"author": ALIAS, "content": TEXT}, ["author", "content"]),
        "faults": _records(
            {
                "at": {"type": "string", "pattern": DURATION.pattern},
                "system": {"enum": sorted(SYSTEMS)},
                "clear": {"const": True},
                **FAULT_FIELDS,
            },
            ["at", "system"],
        ),
    },
}


class ScenarioError(ValueError):
    """A scenario that cannot be applied; the message names the place and the problem."""


@dataclass(frozen=True, slots=True)
class FaultStep:
    at_s: float
    system: str  # the MockSet's name: urban, civil, legal, engage
    faults: Faults


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    document: dict[str, Any]
    steps: tuple[FaultStep, ...]

    def records(self, kind: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.document.get(kind, [])
        return found


def seconds_of(duration: str) -> float:
    matched = DURATION.match(duration)
    if matched is None:
        raise ScenarioError(f"not a duration: {duration!r} (e.g. 30s, 800ms, 2m)")
    value = float(matched[1])
    return value / 1000 if matched[2] == "ms" else value * 60 if matched[2] == "m" else value


def _place(path: Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top)"


def _said(error: Any) -> str:
    if error.validator == "pattern" and list(error.absolute_path)[-1:] == ["at"]:
        return f"{error.instance!r} is not a duration (e.g. 0s, 30s, 800ms, 2m)"
    return str(error.message)


def _seeded(document: dict[str, Any]) -> set[str]:
    return {r["as"] for r in document.get("residents", [])}


def parse_scenario(text: str, name: str = "scenario") -> Scenario:
    """A scenario from TOML (or JSON, if the text starts with `{`), checked; every schema error
    is reported at once, each with its place."""
    try:
        document = json.loads(text) if text.lstrip().startswith("{") else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as error:
        raise ScenarioError(f"{name}: not valid TOML or JSON: {error}") from None
    errors = sorted(
        Draft202012Validator(SCHEMA).iter_errors(document), key=lambda e: list(map(str, e.path))
    )
    if errors:
        lines = [f"{_place(e.absolute_path)}: {_said(e)}" for e in errors[:20]]
        raise ScenarioError(f"{name}: " + "; ".join(lines))
    aliases: set[str] = set()
    for kind in ("residents", "people"):
        for index, resident in enumerate(document.get(kind, [])):
            if resident["as"] in aliases:
                raise ScenarioError(f"{name}: {kind}[{index}].as: {resident['as']} named twice")
            joins = resident.get("household")
            if kind == "people" and joins is not None and joins not in aliases - _seeded(document):
                raise ScenarioError(
                    f"{name}: people[{index}].household: {joins!r} is no newcomer named before"
                )
            if kind == "people" and joins is None and "grid" not in resident:
                raise ScenarioError(f"{name}: people[{index}]: give a grid or a household")
            aliases.add(resident["as"])
    for kind, key in (("cases", "reporter"), ("legal_aid", "applicant"), ("wishes", "author")):
        for index, record in enumerate(document.get(kind, [])):
            if key in record and record[key] not in aliases:
                raise ScenarioError(
                    f"{name}: {kind}[{index}].{key}: no resident named {record[key]!r}"
                )
            if kind == "cases" and "reporter" not in record and "grid" not in record:
                raise ScenarioError(f"{name}: cases[{index}]: give a reporter or a grid")
    steps = []
    for step in document.get("faults", []):
        fields = {k: v for k, v in step.items() if k not in ("at", "system", "clear")}
        steps.append(
            FaultStep(seconds_of(step["at"]), SYSTEMS[step["system"]], Faults.parse(fields))
        )
    steps.sort(key=lambda s: s.at_s)
    return Scenario(str(document.get("name", name)), document, tuple(steps))


def load_scenario(path: str | Path) -> Scenario:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError(f"{file}: cannot be read ({error.strerror})") from None
    return parse_scenario(text, file.name)
