"""Service settings, read from the environment (and a local `.env` file)."""

from functools import lru_cache

from pydantic import Field, PostgresDsn
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
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_timeout_s: float = Field(default=5.0, gt=0)
    # Upper bound for any single statement, so one slow query cannot pin a connection.
    db_statement_timeout_ms: int = Field(default=5000, ge=0)
    page_size_max: int = Field(default=100, ge=1)


@lru_cache
def get_settings() -> Settings:
    return Settings()  # type: ignore[call-arg]  # filled from the environment
