"""Configuration of the Attendance service: defaults here, overrides from
environment variables prefixed ``ATTENDANCE_`` (e.g.
``ATTENDANCE_ENV=production``) or from tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from satchel.config import secret

ENV_PREFIX = "ATTENDANCE"


@dataclass
class Settings:
    """Every setting the service reads; the defaults run it locally with no other service."""

    # Exactly one of these; staging and production refuse default or weak secrets.
    env: Literal["development", "test", "staging", "production"] = "development"
    # Signs sessions and CSRF tokens; staging and production refuse this default.
    secret_key: str = secret("dev-only-secret-key-change-me")
    # Tenants are sub-domains of this domain: school-a.attendance.localhost
    base_domain: str = "attendance.localhost"
    # The tenant registry: a YAML file (embedded default) or a control-plane PostgreSQL URL.
    tenant_registry: str = "file://instance/tenants.yaml"
    # Where new tenant databases go; {tenant} is replaced by the tenant's id.
    tenant_database_url: str = "sqlite:///instance/tenants/{tenant}.sqlite3"
    # PostgreSQL: the role this service runs as, with data rights only. Tenant databases
    # and their audit belong to the login of tenant_database_url in the task that runs
    # `flask tenants create|migrate` (the owner); the service's own tenant_database_url
    # logs in as this role (deploy/README.md, "Two database roles").
    tenant_db_runtime_role: str = "attendance_runtime"
    # How tenant URLs reach PostgreSQL: "direct", or "pgbouncer" when they name PgBouncer in
    # transaction mode; then the process keeps a client connection per active tenant.
    tenant_db_pooler: Literal["direct", "pgbouncer"] = "direct"
    # Connections this process may hold open across tenants; 0 keeps the pooler's default
    # (20 direct, 2000 client connections through PgBouncer).
    tenant_db_connection_budget: int = 0
    # Feature flag store: a YAML file (embedded default) or redis://host:port/db. A Redis
    # store also carries tenant registry changes, so a suspension reaches every process at
    # once (without it: within the registry cache's 60 s).
    flags_store: str = "file://instance/flags.yaml"
    # Bearer tokens: who issues them, for whom, and the key that verifies them.
    jwt_issuer: str = "https://auth.satchel.localhost"
    jwt_audience: str = "attendance"
    jwt_key: str = secret("dev-only-jwt-key-change-me-0123456789")
    jwt_algorithms: str = "HS256"
    # The claim naming the tenant a user's token was issued for; other tenants refuse it.
    jwt_tenant_claim: str = "tenant"
    # Request bodies above this many bytes are refused with 413 before they are read.
    max_request_bytes: int = 1024 * 1024
    # How satchel-serve (the image's entry point) runs the service: worker processes, threads
    # in each; on SIGTERM /readyz fails for drain_seconds while requests are still served, then
    # requests in flight get shutdown_timeout seconds. Keep the load balancer's deregistration
    # delay above drain_seconds (deploy/README.md).
    workers: int = 2
    threads: int = 1
    drain_seconds: float = 5.0
    shutdown_timeout: float = 20.0
    # The students service; locally its mock (`satchel-mock up`) answers here.
    students_url: str = "http://127.0.0.1:8101"
    students_tenant_host: str = "{tenant}.students.localhost"
    # Signs the short-lived service token attendance shows students (same issuer as above).
    students_jwt_key: str = secret("dev-only-jwt-key-change-me-0123456789")
    # Where page sessions live: "cookie" (signed cookie, the default) or redis://host:port/db.
    session_store: str = "cookie"
    # Prefix of session keys in Redis, so services sharing a Redis never read each other's.
    session_key_prefix: str = "attendance:session:"
