"""Gateway settings: defaults, then a TOML file, then `GOVGRAPH_*` environment variables.

Every field below can be set as `GOVGRAPH_<FIELD>` (upper case), e.g. `GOVGRAPH_URBAN_URL`,
or in a TOML file named by `GOVGRAPH_CONFIG` (keys as the field names, at the top level).
"""

from __future__ import annotations

import ipaddress
import json
import os
import ssl
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from connectors.base import BackendSettings
from connectors.resilience import ResiliencePolicy

DEV_JWT_SECRET = "govgraph-development-secret-change-me"  # noqa: S105  (refused in production)
DEV_AUDIT_KEY = "govgraph-development-audit-key"


def subgraph_names() -> tuple[str, ...]:
    """The subgraphs the schema can serve (imported only when one is asked for)."""
    from schema.subgraphs import SUBGRAPHS

    return SUBGRAPHS


class SettingsError(ValueError):
    """A config file or a GOVGRAPH_* value that cannot be used; the message says which."""


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    production: bool = False

    urban_url: str = "http://127.0.0.1:8101"
    urban_username: str = "gateway"
    urban_password: str = "Urban@2026"  # noqa: S105  (the demo mock's credential)
    civil_url: str = "http://127.0.0.1:8102"
    civil_app_key: str = "govgraph-demo"
    civil_secret: str = "civil-demo-secret-2026"  # noqa: S105
    legal_url: str = "http://127.0.0.1:8103"
    legal_client_id: str = "govgraph"
    legal_client_secret: str = "legal-demo-secret-2026"  # noqa: S105
    legal_rate_limit_rps: float = 18.0
    engage_url: str = "http://127.0.0.1:8104"
    engage_app_id: str = "wx5e7d1c0a9b3f2e41"
    engage_app_secret: str = "engage-demo-secret-2026"  # noqa: S105  (the demo mock's)

    max_in_flight: int = 10
    request_deadline_s: float = 15.0
    retry_max_attempts: int = 3
    retry_ratio: float = 0.2
    retry_max_wait_s: float = 5.0
    breaker_failures: int = 5
    breaker_cooldown_s: float = 10.0
    # /readyz asks each legacy system at most once in this long, whoever calls it how often.
    readiness_cache_s: float = 1.0
    # Browsers on other origins: comma-separated, `*` for a port or a subdomain label.
    cors_origins: str = ""
    cors_credentials: bool = False
    cors_max_age_s: float = 600.0
    # Request headers an allowed origin's page may send: `*` allows what its preflight asks for,
    # as Apollo Router and GraphQL Yoga do; or a comma-separated list, added to our own.
    cors_allow_headers: str = "*"
    # Proxies (load balancers, ingresses) whose X-Forwarded-For names the client: IPs or
    # networks, comma-separated. A client's address keys the public rate limits and goes on the
    # audit trail; behind an untrusted hop every client would be the balancer, and trusting any
    # hop would let a client name itself.
    trusted_proxies: str = "127.0.0.1,::1"
    # Answers of at least this many bytes are gzipped for clients that accept it (0: never):
    # mini programs on mobile networks get a case list in a tenth of the bytes.
    compress_min_bytes: int = 1024
    # Served as a Federation v2 subgraph for a supergraph router: "all" for the whole graph,
    # or one agency's part, "urban", "civil", "legal" or "engagement" (`schema.subgraphs`);
    # empty: served to clients directly.
    subgraph: str = ""
    # A built static dashboard (examples/dashboard/dist) served at /dashboard/; empty: none.
    dashboard_dir: str = ""
    # Shared state for many workers and replicas: redis://, rediss://, valkey:// (empty: each
    # process keeps its own, for the demo and one process).
    state_url: str = ""
    state_namespace: str = "govgraph"
    state_timeout_s: float = 0.5
    workers: int = 1
    identifier_miss_budget: int = 5
    identifier_miss_window_s: float = 86_400.0
    idempotency_ttl_s: float = 86_400.0
    idempotency_max_keys: int = 100_000
    connect_timeout_s: float = 2.0
    read_timeout_s: float = 10.0
    # The certificates (PEM) to trust for legacy systems served over HTTPS, for a district's own
    # CA; empty: the public roots.
    backend_ca_file: str = ""

    jwt_issuer: str = "govgraph-dev"
    jwt_audience: str = "govgraph"
    jwt_secret: str = DEV_JWT_SECRET
    jwks_path: str = ""
    purpose_header: str = "X-Purpose"
    audit_path: str = "var/audit/audit.log"
    audit_hmac_key: str = DEV_AUDIT_KEY
    audit_max_bytes: int = 50_000_000
    audit_backups: int = 20

    max_depth: int = 15
    max_aliases: int = 15
    max_directives: int = 50
    max_repeated_fields: int = 5
    max_root_fields: int = 10
    max_tokens: int = 1000
    max_cost: int = 5000
    max_query_chars: int = 10_000
    max_body_bytes: int = 100_000
    max_url_length: int = 8_000
    batching_enabled: bool = False
    max_batch_operations: int = 5
    rate_public_requests_per_minute: int = 60
    rate_public_cost_per_minute: int = 20_000
    rate_user_requests_per_minute: int = 600
    rate_user_cost_per_minute: int = 200_000
    trusted_documents_path: str = ""
    trusted_documents_strict: bool = False
    persisted_queries_max_entries: int = 10_000

    document_cache_size: int = 512
    otlp_endpoint: str = ""  # e.g. http://127.0.0.1:4318/v1/traces; empty: no tracing
    profile_dir: str = ""  # benchmarks only: profiles of requests sent with X-Profile-As

    # Live updates (graphql-transport-ws at /graphql): the legacy system is polled for changes
    # made outside the gateway by one worker of the deployment (0: not polled).
    case_poll_interval_s: float = 5.0
    live_connections_per_client: int = 5
    live_subscriptions_per_connection: int = 10
    live_init_timeout_s: float = 10.0
    # Uploads (the GraphQL multipart request): caps per file and per request; pictures larger
    # than this many pixels are refused before they are decoded (decompression bombs).
    upload_max_picture_bytes: int = 8_000_000
    upload_max_voice_bytes: int = 2_000_000
    upload_max_files: int = 4
    upload_max_pixels: int = 40_000_000
    attachment_link_ttl_s: float = 300.0

    page_size_cap: int = 100
    batching: bool = True
    coalesce_in_flight: bool = True
    cache_max_entries: int = 256
    ttl_grids_s: float = 300.0
    ttl_departments_s: float = 3600.0
    ttl_services_s: float = 600.0
    ttl_legal_reference_s: float = 3600.0

    def check(self) -> None:
        """Refuse settings that cannot work, and those that must never reach production."""
        self._check_files()
        if self.dashboard_dir and not (Path(self.dashboard_dir) / "index.html").is_file():
            raise ValueError(
                f"GOVGRAPH_DASHBOARD_DIR={self.dashboard_dir} holds no index.html: build it with "
                "`npm --prefix examples ci && npm --prefix examples run build`"
            )
        if self.subgraph and self.subgraph not in subgraph_names():
            raise ValueError(
                f"GOVGRAPH_SUBGRAPH={self.subgraph[:20]!r}: one of {', '.join(subgraph_names())}, "
                "or empty"
            )
        for entry in filter(None, (e.strip() for e in self.trusted_proxies.split(","))):
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"GOVGRAPH_TRUSTED_PROXIES: {entry[:40]!r} is not an IP address or "
                    "network (a proxy trusted by name or by `*` would let clients name themselves)"
                ) from None
        if not self.production:
            return
        if (self.jwt_secret == DEV_JWT_SECRET or len(self.jwt_secret) < 32) and not self.jwks_path:
            raise ValueError(
                "production needs GOVGRAPH_JWT_SECRET (32+ bytes) or GOVGRAPH_JWKS_PATH"
            )
        if self.audit_hmac_key == DEV_AUDIT_KEY:
            raise ValueError("production needs GOVGRAPH_AUDIT_HMAC_KEY")
        if self.profile_dir:
            raise ValueError("production refuses GOVGRAPH_PROFILE_DIR: profiles are for benchmarks")
        if any(o.strip() == "*" for o in self.cors_origins.split(",")):
            raise ValueError("production refuses GOVGRAPH_CORS_ORIGINS=*: list the origins")
        if self.workers > 1 and not self.state_url:
            raise ValueError(
                "several workers need GOVGRAPH_STATE_URL (Redis or Valkey): without it each "
                "worker keeps its own idempotency keys, rate limits and look-up budgets"
            )

    def _check_files(self) -> None:
        """The files the gateway reads, and the audit trail it writes, before it starts: a
        trail that cannot be opened would otherwise be found by the first request that needs it."""
        for name, given in (
            ("GOVGRAPH_JWKS_PATH", self.jwks_path),
            ("GOVGRAPH_TRUSTED_DOCUMENTS_PATH", self.trusted_documents_path),
            ("GOVGRAPH_BACKEND_CA_FILE", self.backend_ca_file),
        ):
            try:
                content = Path(given).read_bytes() if given else b""
            except OSError as error:
                raise ValueError(f"{name}={given}: cannot be read ({_reason(error)})") from None
            if content and name == "GOVGRAPH_JWKS_PATH" and not _is_key_set(content):
                raise ValueError(f"{name}={given}: not a JWKS (JSON with a list of keys)")
            if content and name == "GOVGRAPH_BACKEND_CA_FILE":
                try:
                    ssl.create_default_context(cafile=given)
                except ssl.SSLError:
                    raise ValueError(f"{name}={given}: holds no PEM certificate") from None
        if not self.audit_path:
            return  # the trail goes to stdout
        try:
            Path(self.audit_path).parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(self.audit_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640))
        except OSError as error:
            raise ValueError(
                f"GOVGRAPH_AUDIT_PATH={self.audit_path}: cannot be written ({_reason(error)})"
            ) from None

    def resilience(self) -> ResiliencePolicy:
        return ResiliencePolicy(
            max_attempts=self.retry_max_attempts,
            retry_ratio=self.retry_ratio,
            max_retry_after_s=self.retry_max_wait_s,
            max_backoff_s=min(2.0, self.retry_max_wait_s),
            breaker_failures=self.breaker_failures,
            breaker_cooldown_s=self.breaker_cooldown_s,
        )

    def backend(self, name: str) -> BackendSettings:
        url = getattr(self, f"{name}_url")
        return BackendSettings(
            base_url=url,
            connect_timeout_s=self.connect_timeout_s,
            read_timeout_s=self.read_timeout_s,
            max_in_flight=self.max_in_flight,
            max_connections=max(self.max_in_flight * 2, 10),
            policy=self.resilience(),
            ca_file=self.backend_ca_file,
        )

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, path: str | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        config = path or environ.get("GOVGRAPH_CONFIG")
        if config:
            try:
                with Path(config).open("rb") as handle:
                    values.update(tomllib.load(handle))
            except OSError as unreadable:
                raise SettingsError(
                    f"cannot read the config file {config}: {unreadable.strerror}"
                ) from None
            except tomllib.TOMLDecodeError as wrong:
                raise SettingsError(f"the config file {config} is not TOML: {wrong}") from None
        for f in fields(cls):
            key = f"GOVGRAPH_{f.name.upper()}"
            if key in environ:
                values[f.name] = environ[key]
        try:
            return cls().with_values(values)
        except ValueError as wrong:
            raise SettingsError(str(wrong)) from None

    def with_values(self, values: Mapping[str, Any]) -> Settings:
        """A copy with the given fields, each converted to the field's type."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"unknown setting: {unknown[0]}")
        converted: dict[str, Any] = {
            name: _convert(name, getattr(self, name), value) for name, value in values.items()
        }
        return replace(self, **converted)


def _convert(name: str, default: object, value: object) -> object:
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"setting {name} must be true or false")
    try:
        if isinstance(default, int):
            return int(value)  # type: ignore[call-overload]
        if isinstance(default, float):
            return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"setting {name} must be a number") from None
    return str(value)


def _is_key_set(content: bytes) -> bool:
    try:
        parsed = json.loads(content)
    except ValueError:
        return False
    return isinstance(parsed, dict) and isinstance(parsed.get("keys"), list)


def _reason(error: OSError) -> str:
    return os.strerror(error.errno) if error.errno else type(error).__name__
