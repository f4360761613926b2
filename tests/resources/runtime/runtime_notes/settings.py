"""Settings of the test service, loaded by satchel.config (prefix RUNTIME_NOTES)."""

from __future__ import annotations

from dataclasses import dataclass

from satchel.config import secret

ENV_PREFIX = "RUNTIME_NOTES"


@dataclass(frozen=True)
class Settings:
    """Configuration defaults; override with RUNTIME_NOTES_* variables."""

    env: str = "development"
    database_url: str = "sqlite://"
    jwt_key: str = secret("dev-only-jwt-key-that-is-at-least-32-bytes")
    jwt_issuer: str = "https://auth.example.test"
    jwt_audience: str = "runtime-notes"
    log_level: str = "INFO"
    drain_seconds: float = 0.0
    # Read by satchel-serve: worker processes and threads in each.
    workers: int = 2
    threads: int = 1
    handle_sigterm: bool = False
    validate_responses: str = "raise"
