"""Text a request carries, checked at the edge before anything runs: no lone surrogate (it cannot
be encoded, so no system could be sent it) and no control character in any string, in variables
or in the document's own literals. A legacy system faults on them (the SOAP service's XML cannot
hold U+0001), or worse, stores them.

Tab, line feed and carriage return are text; every other C0 and C1 control character, and the
noncharacters U+FFFE and U+FFFF, are not.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from graphql import DocumentNode, StringValueNode, Visitor, visit

ALLOWED_CONTROLS = frozenset("\t\n\r")


# Deeper than any input of the schema: the walks below, and graphql-core's, stay shallow.
MAX_NESTING = 64


def nested_deeper_than(value: Any, limit: int = MAX_NESTING) -> bool:
    """Objects and lists in a parsed JSON value nested more than `limit` deep."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def malformed_unicode(value: Any) -> bool:
    """A lone UTF-16 surrogate anywhere in a parsed JSON value (keys included)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


# Category Cc is exactly U+0000-001F and U+007F-009F, and Cs the surrogates: one scan in C
# (`tests/gateway/test_hostile.py` holds it to the categories over every code point).
BAD_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def bad_character(text: str) -> bool:
    return BAD_CHARACTER.search(text) is not None


def bad_character_by_category(ch: str) -> bool:
    """What `BAD_CHARACTER` stands for, as the Unicode database says it."""
    in_category = ch not in ALLOWED_CONTROLS and unicodedata.category(ch) in ("Cc", "Cs")
    return in_category or ch in "\ufffe\uffff"


def control_in_variables(value: Any) -> str | None:
    """The path of the first variable string that holds a control character, or None."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if bad_character(item):
                return path or "variables"
        elif isinstance(item, dict):
            keyed = [(v, f"{path}.{k}" if path else str(k)) for k, v in item.items()]
            stack.extend(reversed(keyed))
        elif isinstance(item, list):
            stack.extend(reversed([(v, f"{path}[{i}]") for i, v in enumerate(item)]))
    return None


class _Strings(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.bad = False

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        if bad_character(node.value):
            self.bad = True


def control_in_document(query: str, document: DocumentNode) -> bool:
    """Only an escape (\\u0001) puts a control character in a literal: the lexer refuses a raw
    one, so documents without a backslash-u are not walked."""
    if "\\u" not in query:
        return False
    strings = _Strings()
    visit(document, strings)
    return strings.bad
