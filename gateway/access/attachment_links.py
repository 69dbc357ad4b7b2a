"""Signed, expiring links to a case's attachments. A link is minted only for a caller who may
see the case, names that caller (a digest of their account and their role, not the account),
and lasts minutes (`attachment_link_ttl_s`). Fetched with a token, the token must be the same
caller's; fetched without one (an `<img src>`), the link is the capability, as a presigned URL
is, and only until it expires."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass

from gateway.access.auth import Principal

PREFIX = "/attachments/"


def link_key(audit_key: str) -> bytes:
    """The links' key, derived from the audit key every replica already shares."""
    return hmac.new(audit_key.encode(), b"govgraph attachment links", hashlib.sha256).digest()


def caller_digest(principal: Principal) -> str:
    return hashlib.sha256(f"{principal.role.value}:{principal.subject}".encode()).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class AttachmentLink:
    number: str
    attachment_id: str
    caller: str
    expires: int


class LinkError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _signature(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest()[:24])


def sign(key: bytes, number: str, attachment_id: str, principal: Principal, expires: int) -> str:
    body = {"c": number, "a": attachment_id, "p": caller_digest(principal), "e": expires}
    payload = _b64(json.dumps(body, separators=(",", ":")).encode())
    return f"{PREFIX}{payload}.{_signature(key, payload)}"


def verify(key: bytes, token: str, now: float) -> AttachmentLink:
    payload, _, signature = token.partition(".")
    if not payload or not hmac.compare_digest(signature, _signature(key, payload)):
        raise LinkError(403, "BAD_SIGNATURE", "链接无效 / the link is not valid")
    try:
        body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        link = AttachmentLink(str(body["c"]), str(body["a"]), str(body["p"]), int(body["e"]))
    except (ValueError, KeyError, TypeError):
        raise LinkError(403, "BAD_SIGNATURE", "链接无效 / the link is not valid") from None
    if link.expires <= now:
        raise LinkError(410, "LINK_EXPIRED", "链接已过期，请重新获取 / the link has expired")
    return link
