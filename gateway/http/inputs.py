"""Text a request carries, checked at the edge before anything runs: no lone surrogate (it cannot
be encoded, so no system could be sent it) and no control character in any string, in variables
or in the document's own literals. A legacy system faults on them (the SOAP service's XML cannot
hold U+0001), or worse, stores them.

Tab, line feed and carriage return are text; every other C0 and C1 control character, and the
noncharacters U+FFFE and U+FFFF, are not.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from graphql import DocumentNode, StringValueNode, Visitor, visit

ALLOWED_CONTROLS = frozenset("\t\n\r")


def malformed_unicode(value: Any) -> bool:
    """A lone UTF-16 surrogate anywhere in a parsed JSON value (keys included)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(malformed_unicode(k) or malformed_unicode(v) for k, v in value.items())
    if isinstance(value, list):
        return any(malformed_unicode(v) for v in value)
    return False


def bad_character(text: str) -> bool:
    return any(
        (ch not in ALLOWED_CONTROLS and unicodedata.category(ch) in ("Cc", "Cs"))
        or ch in "\ufffe\uffff"
        for ch in text
    )


def control_in_variables(value: Any, path: str = "") -> str | None:
    """The path of the first variable string that holds a control character, or None."""
    if isinstance(value, str):
        return (path or "variables") if bad_character(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = control_in_variables(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = control_in_variables(item, f"{path}[{index}]")
            if found:
                return found
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
