"""The project's one error tree, at the bottom of the house: every layer imports it, none
re-defines it, and the gateway maps it to GraphQL errors at its edge (`gateway.http.graphql`). Every
failure the gateway knows carries a stable `code`.

    GovGraphError                      code
    ├── BackendError                   (a legacy system failed us)
    │   ├── BackendUnavailableError    BACKEND_UNAVAILABLE  connect failure, outage, 503
    │   ├── BackendTimeoutError        BACKEND_TIMEOUT      no answer within the deadline
    │   ├── BackendStatusError         BACKEND_ERROR        an error status, SOAP Fault or code
    │   ├── BackendRateLimitedError    BACKEND_RATE_LIMITED the system said 429 too often
    │   └── BackendContractError       BACKEND_CONTRACT     garbage: bad XML, JSON or a field
    ├── AuthError                      UNAUTHENTICATED
    │   └── ForbiddenError             FORBIDDEN
    ├── LimitError                     LIMIT_EXCEEDED
    │   ├── LookupLimitError           LOOKUP_LIMIT         a second look-up by a personal value
    │   └── LookupBudgetError          LOOKUP_BUDGET_EXHAUSTED  too many look-ups found no one
    ├── InputError                     BAD_USER_INPUT       an argument failed validation
    ├── InvalidTransitionError         INVALID_TRANSITION   a workflow step the case's stage refuses
    └── StateUnavailableError          STATE_UNAVAILABLE    the shared state store (Redis) failed

Messages name the backend, the operation and the field, never a personal value; connectors map
every transport and parsing failure into this tree, so nothing from httpx leaks upward.
"""

from __future__ import annotations

from typing import Any, ClassVar


class GovGraphError(Exception):
    code: ClassVar[str] = "INTERNAL"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, Any] = {"code": self.code, **extensions}


class BackendError(GovGraphError):
    code = "BACKEND_ERROR"

    def __init__(self, backend: str, operation: str, detail: str, **extensions: Any) -> None:
        super().__init__(
            f"{backend} {operation}: {detail}", backend=backend, operation=operation, **extensions
        )
        self.backend = backend
        self.operation = operation


class BackendUnavailableError(BackendError):
    code = "BACKEND_UNAVAILABLE"


class BackendTimeoutError(BackendError):
    code = "BACKEND_TIMEOUT"


class BackendStatusError(BackendError):
    code = "BACKEND_ERROR"


class BackendRateLimitedError(BackendError):
    code = "BACKEND_RATE_LIMITED"


class BackendContractError(BackendError):
    code = "BACKEND_CONTRACT"


class AuthError(GovGraphError):
    code = "UNAUTHENTICATED"


class ForbiddenError(AuthError):
    code = "FORBIDDEN"


class LimitError(GovGraphError):
    code = "LIMIT_EXCEEDED"


class LookupLimitError(LimitError):
    code = "LOOKUP_LIMIT"


class LookupBudgetError(LimitError):
    code = "LOOKUP_BUDGET_EXHAUSTED"


class InputError(GovGraphError):
    code = "BAD_USER_INPUT"

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(message, argument=argument)
        self.argument = argument


class InvalidTransitionError(GovGraphError):
    code = "INVALID_TRANSITION"

    def __init__(self, step: str, stage: str, status: str) -> None:
        super().__init__(
            f"案件当前为{stage}，不能{step} / the case is at {stage}: {step} does not apply",
            step=step,
            stage=stage,
            status=status,
        )


class StateUnavailableError(GovGraphError):
    code = "STATE_UNAVAILABLE"


class AuditUnavailableError(GovGraphError):
    """The audit trail cannot be written: an answer that needs its line is not given."""

    code = "AUDIT_UNAVAILABLE"


class ContractError(Exception):
    """Raised by pure adapters on an invalid legacy record; connectors' callers map it to
    BackendContractError. Names system, record kind and field, never the value."""

    def __init__(self, system: str, record: str, field: str, problem: str = "invalid") -> None:
        super().__init__(f"{system} {record}.{field}: {problem}")
        self.system = system
        self.record = record
        self.field = field
