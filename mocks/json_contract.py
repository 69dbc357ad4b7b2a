"""JSON bodies and parameters checked against a JSON Schema from the system's own OpenAPI
document, with jsonschema: the first violation, named by kind and place, for the system to
answer in its own error format."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

# jsonschema's keyword → the kind of violation the journal names
REASONS = {
    "required": "missing-field",
    "additionalProperties": "unknown-field",
    "type": "wrong-type",
    "pattern": "pattern-mismatch",
    "enum": "not-allowed-value",
    "const": "not-allowed-value",
    "format": "bad-format",
    "maxItems": "too-many-items",
    "minItems": "too-few-items",
    "maxLength": "too-long",
    "minLength": "too-short",
    "minimum": "out-of-range",
    "maximum": "out-of-range",
}


@dataclass(frozen=True, slots=True)
class Violation:
    reason: str
    field: str
    message: str


def parse_json(text: str | bytes) -> Any:
    """JSON as a system reads it; nesting too deep for the parser is malformed JSON too
    (ValueError), never an error the mock did not mean to give."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    """A checked validator for `schema`; build it once, where the schema is defined."""
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def first_violation(checker: Draft202012Validator, value: Any) -> Violation | None:
    """The most relevant way `value` breaks the checker's schema, or None."""
    error = best_match(checker.iter_errors(value))
    return None if error is None else _violation(error)


def _violation(error: ValidationError) -> Violation:
    reason = REASONS.get(str(error.validator), "schema-violation")
    place = ".".join(str(p) for p in error.absolute_path)
    if reason == "unknown-field" and isinstance(error.instance, dict):
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = sorted(str(k) for k in error.instance if k not in allowed)
        place = ".".join(p for p in (place, extra[0] if extra else "") if p)
        return Violation(reason, place, f"未定义的字段 / unknown field: {place[:60]}")
    if reason == "missing-field":
        missing = str(error.message).split("'")[1] if "'" in str(error.message) else ""
        place = ".".join(p for p in (place, missing) if p)
        return Violation(reason, place, f"缺少字段 / missing field: {place[:60]}")
    return Violation(reason, place, f"字段不符合约定 / {reason}: {place[:60]}")
