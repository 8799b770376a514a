"""Service settings, read from the environment (and a local `.env` file)."""

from functools import lru_cache
from typing import Annotated, Literal

from fastapi import Depends, Request
from pydantic import AnyHttpUrl, Field, PostgresDsn, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the service needs to know about where it runs.

    `database_url` has no default on purpose: a service that silently falls
    back to a local database in production is worse than one that refuses to
    start.
    """

    model_config = SettingsConfigDict(env_prefix="APP_", env_file=".env", extra="ignore")

    # The service's own role: owns no table, is neither superuser nor BYPASSRLS.
    database_url: PostgresDsn
    # How tenants are kept apart (README, "Two ways to keep tenants apart"): `rows`, shared
    # tables with a tenant_id under row-level security; `schemas`, a PostgreSQL schema and
    # role per tenant (app.tenant_schemas). The database must have been provisioned alike.
    tenancy: Literal["rows", "schemas"] = "rows"
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_timeout_s: float = Field(default=5.0, gt=0)
    # The share of the connections (pool + overflow) one tenant's requests may hold at once
    # (app.bulkhead): the rest stay free for other tenants, whatever one tenant waits on.
    db_tenant_share: float = Field(default=0.75, gt=0, le=1)
    # Upper bound for any single statement, so one slow query cannot pin a connection.
    db_statement_timeout_ms: int = Field(default=5000, ge=0)
    # Threads that run the sync routes and dependencies (AnyIO's default is 40). Anything
    # that waits in a route (the database, the e-mail provider) holds one of them.
    worker_threads: int = Field(default=40, ge=2)
    # The largest page any list answers (`limit`); a larger one is refused with 422.
    page_size_max: int = Field(default=100, ge=1)
    # A write that loses a serialization or deadlock race is re-run this many times in all.
    db_write_attempts: int = Field(default=3, ge=1, le=10)
    # Request bodies larger than this are refused with 413 before they reach a route.
    max_body_bytes: int = Field(default=64 * 1024, ge=1)
    # JSON bodies nested deeper than this are refused (ours need 3); see app/json_body.py.
    json_max_depth: int = Field(default=32, ge=1, le=500)
    # The e-mail provider that sends invitations. Unset: invitations answer 503.
    email_provider_url: AnyHttpUrl | None = None
    email_connect_timeout_s: float = Field(default=2.0, gt=0)
    email_read_timeout_s: float = Field(default=5.0, gt=0)
    # Invitations waiting on the provider at once; more are refused at once (503
    # email_provider_busy) so a slow provider cannot take every worker thread.
    email_max_concurrent_sends: int = Field(default=8, ge=1)

    # Bounded growth: what a tenant may keep, so no table grows without end.
    # An Idempotency-Key is remembered this long (the IETF draft suggests 24 h); an older
    # key is a new request, and expired keys are swept as new ones are claimed.
    idempotency_key_ttl_s: int = Field(default=86_400, ge=1)
    # Unrevoked API keys per tenant; a create past it answers 409.
    api_keys_max_active: int = Field(default=100, ge=1)
    # Distinct counters per tenant; starting one more answers 409 (existing ones still count).
    counters_max: int = Field(default=1_000, ge=1)

    # Authentication. The signing secret has no default either: a service that signs
    # tokens with a well-known key lets anyone mint them.
    jwt_secret: SecretStr = Field(min_length=32)
    # Short-lived: a stolen token is worth minutes; there is no server-side revocation.
    jwt_ttl_s: int = Field(default=900, ge=1, le=86_400)
    # Argon2id cost. The defaults are argon2-cffi's (RFC 9106 low-memory); the test suite
    # passes cheap values so hundreds of scenarios do not pay ~50 ms per hash.
    password_hash_time_cost: int = Field(default=3, ge=1)
    password_hash_memory_kib: int = Field(default=65_536, ge=8)
    password_hash_parallelism: int = Field(default=4, ge=1)
    # Failed sign-ins per account (tenant slug as typed + email) within the window before 429.
    login_max_failures: int = Field(default=5, ge=1)
    login_failure_window_s: int = Field(default=900, ge=1)
    # Sign-ins per client address (failed or not) within the window before 429, per
    # process: guessing many accounts from one address costs as much as guessing one.
    # Behind a proxy, run uvicorn with --proxy-headers so the address is the client's.
    login_client_max_attempts: int = Field(default=100, ge=1)
    login_client_window_s: int = Field(default=60, ge=1)
    # Password checks (Argon2: CPU and memory_kib each) running at once, per process; a
    # sign-in waits up to login_check_wait_s for a turn, holding no thread and no database
    # connection, then gets 503. About the number of cores.
    login_max_concurrent_checks: int = Field(default=4, ge=1)
    login_check_wait_s: float = Field(default=5.0, gt=0)

    @model_validator(mode="after")
    def _threads_left_for_other_requests(self) -> "Settings":
        if self.email_max_concurrent_sends >= self.worker_threads:
            raise ValueError("email_max_concurrent_sends must be below worker_threads")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()  # every field from the environment (APP_*) or .env


async def app_settings(request: Request) -> Settings:  # async: no thread hop for a lookup
    """The settings the running app was built with (not necessarily the environment's)."""
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(app_settings)]
