"""What a caller writes into the audit trail (the stated purpose, the operation's name) is
checked and scrubbed first: no ID number, phone or other long number goes on record, however it
is typed (fullwidth digits, spaces or dashes between them, percent-encoded).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

from gateway.access.free_text import DIGIT, SEPARATOR

PURPOSE_MAX_CHARS = 200
# Six or more digits (Chinese numerals too), with separators between them as free text has them
# (`gateway.access.free_text`), or an ID number's trailing X: any of an ID number, a phone, a
# bank card or a registry number.
LONG_NUMBER = re.compile(rf"{DIGIT}(?:{SEPARATOR}*{DIGIT}){{5,}}(?:{SEPARATOR}*[Xx](?![A-Za-z]))?")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
REDACTED = "[已隐去]"


# A GraphQL string literal as graphql-core prints it into a message: block or quoted.
QUOTED = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"')
# An Int or Float literal long enough to be an ID number, a phone or a card.
BARE_NUMBER = re.compile(r"\d{6,}")

# Unicode's space separators (category Zs), each to an ASCII space: a fullwidth or no-break
# space, as Chinese input methods type one. The set has not changed since Unicode 4.1.
SPACES_TO_ASCII = str.maketrans(
    dict.fromkeys(
        "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004"
        "\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000",
        " ",
    )
)


class PurposeError(ValueError):
    pass


def scrub(text: str) -> str:
    """NFKC first, so fullwidth and other compatibility digits are caught as digits."""
    plain = text
    if not text.isascii():  # ASCII is its own NFKC, and its digits are 0-9
        plain = unicodedata.normalize("NFKC", text)
        plain = "".join(str(unicodedata.digit(ch, ch)) if ch.isdigit() else ch for ch in plain)
    return EMAIL.sub(REDACTED, LONG_NUMBER.sub(REDACTED, plain))


def without_values(message: str) -> str:
    """A message about a document with the values written into it left out: graphql-core
    quotes a literal it refuses ("String cannot represent a non string value: 3202…", "Int
    cannot represent non-integer value: \"张三\""), which may be someone's ID number or name.
    Names of fields, types and arguments are quoted with single quotes and stay; outside
    quotes a value can only be a bare number, so a run of six digits or more goes, and the
    message's own words stay whole (years 1900-2199)."""
    return BARE_NUMBER.sub(REDACTED, QUOTED.sub('"..."', message))


def read_purpose(header: bytes) -> str | None:
    """The purpose from its header (percent-encoded UTF-8 for Chinese), checked and scrubbed.
    Refused (PurposeError) when it is not valid UTF-8, too long or holds control characters."""
    try:
        # Percent-encoded UTF-8 by the rules; raw UTF-8 from clients that send it anyway.
        stated = unquote(header.decode("utf-8"), errors="strict")
    except UnicodeDecodeError:
        raise PurposeError("用途不是合法的 UTF-8 / the purpose is not valid UTF-8") from None
    stated = stated.strip()
    if not stated:
        return None
    if len(stated) > PURPOSE_MAX_CHARS:
        raise PurposeError(
            f"用途最多{PURPOSE_MAX_CHARS}字 / the purpose is at most {PURPOSE_MAX_CHARS} characters"
        )
    # Python calls every space but ASCII's unprintable, with the control and format characters
    # refused below: the others are made ASCII spaces first.
    stated = stated.translate(SPACES_TO_ASCII)
    if not stated.isprintable():
        raise PurposeError("用途含控制字符 / the purpose holds control characters")
    return scrub(stated)
