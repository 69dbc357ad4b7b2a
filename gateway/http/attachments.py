"""GET /attachments/{link}: a case's picture or recording, by a signed link from
`UrbanCase.attachments` (`gateway.access.attachment_links`). Every fetch is on the audit trail;
the bytes are those the gateway stored, already stripped of their metadata. Fetches take from the
rate allowance of the caller the link was made for."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from connectors.errors import AuditUnavailableError, AuthError, BackendStatusError, GovGraphError
from gateway.access.attachment_links import LinkError, caller_digest, link_key, verify
from gateway.access.audit import AUDIT_RETRY_AFTER_S, AuditLog
from gateway.access.auth import Authenticator
from gateway.backends.wiring import Backends
from gateway.http.checks import TOO_MANY
from gateway.http.requests import errors_body
from gateway.state.ratelimit import RateLimiter

SHOWN_INLINE = frozenset({"image/jpeg", "image/png", "audio/amr", "audio/mpeg"})


def attachment_endpoint(
    backends: Backends,
    authenticator: Authenticator,
    audit: AuditLog,
    audit_key: str,
    clock: Callable[[], datetime],
    rate: RateLimiter,
) -> Callable[[Request], Awaitable[Response]]:
    key = link_key(audit_key)

    async def fetch(request: Request) -> Response:
        try:
            return await fetched(request)
        except AuditUnavailableError as error:  # every fetch is on record, or is not given
            body = errors_body(error.code, error.message)
            return JSONResponse(body, 503, headers={"Retry-After": AUDIT_RETRY_AFTER_S})

    async def fetched(request: Request) -> Response:
        try:
            link = verify(key, request.path_params["link"], clock().timestamp())
        except LinkError as error:
            return JSONResponse(errors_body(error.code, error.message), error.status)
        given = request.headers.get("authorization")
        if given:
            try:
                principal = authenticator.authenticate(given)
            except AuthError as error:
                return JSONResponse(errors_body(error.code, error.message), 401)
            if caller_digest(principal) != link.caller:
                await _on_record(audit, link.caller, link.number, "denied")
                return JSONResponse(
                    errors_body("FORBIDDEN", "此链接不属于您 / this link is not yours"), 403
                )
        # Each fetch is a call to the urban-management system and a line on the trail: it takes
        # from the allowance of the caller the link was made for, as a request would.
        wait = await rate.admit_as(f"link:{link.caller}", False, 1)
        if wait:
            refused = errors_body("RATE_LIMITED", TOO_MANY)
            return JSONResponse(refused, 429, headers={"Retry-After": str(wait)})
        try:
            kind, content = await backends.urban.attachment(link.number, link.attachment_id)
        except BackendStatusError as error:
            if error.extensions.get("fault") == "3001":
                return JSONResponse(
                    errors_body("NOT_FOUND", "附件不存在 / no such attachment"), 404
                )
            return JSONResponse(errors_body(error.code, "城管系统出错 / backend error"), 502)
        except GovGraphError as error:
            return JSONResponse(errors_body(error.code, error.message), 503)
        await _on_record(audit, link.caller, link.number, "attachment")
        disposition = "inline" if kind in SHOWN_INLINE else "attachment"
        return Response(
            content,
            media_type=kind if kind in SHOWN_INLINE else "application/octet-stream",
            headers={
                "Cache-Control": "private, no-store",
                "X-Content-Type-Options": "nosniff",
                "Content-Disposition": disposition,
                "Content-Security-Policy": "default-src 'none'",
            },
        )

    return fetch


async def _on_record(audit: AuditLog, caller: str, number: str, outcome: str) -> None:
    await audit.commit(
        {
            "request_id": secrets.token_hex(8),
            "subject": caller,  # the link's digest of the caller, not their account
            "operation": "attachment",
            "case": number,
            "outcome": outcome,
        }
    )
