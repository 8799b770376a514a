"""Tables of the service. Every tenant-scoped table has a `tenant_id` and RLS (see migrations)."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Tenant(Base):
    """The registry of tenants. Not tenant-scoped: it is how a tenant is found."""

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    seat_limit: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Schema-per-tenant mode only (app.tenant_schemas): where the tenant's tables are, the
    # role that alone may use them, and the revision their migrations reached. NULL in rows mode.
    schema_name: Mapped[str | None] = mapped_column(String(63), unique=True, default=None)
    schema_role: Mapped[str | None] = mapped_column(String(63), default=None)
    schema_revision: Mapped[str | None] = mapped_column(String(32), default=None)

    __table_args__ = (CheckConstraint("seat_limit >= 0", name="seat_limit_not_negative"),)


class TenantScoped:
    """Marks a table whose rows belong to one tenant; such tables get RLS."""

    tenant_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )


class User(TenantScoped, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(20))
    # Argon2 PHC string; NULL for a user who cannot sign in with a password (yet).
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    # Set only once the e-mail provider has accepted an invitation.
    invited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("tenant_id", "email", name="users_email_unique_per_tenant"),
        CheckConstraint("role IN ('admin', 'member')", name="users_role_known"),
    )


class Counter(TenantScoped, Base):
    __tablename__ = "counters"

    tenant_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class ApiKey(TenantScoped, Base):
    """A machine client's key. Only a hash of the secret is stored; the prefix finds it."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(32))
    secret_hash: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    __table_args__ = (
        UniqueConstraint("tenant_id", "prefix", name="api_keys_prefix_unique_per_tenant"),
        CheckConstraint("role IN ('admin', 'member')", name="api_keys_role_known"),
    )


class LoginFailure(Base):
    """A sign-in counted as failed, kept in the database so the throttle holds across workers.

    Not tenant-scoped on purpose: the account is a digest of the tenant slug as typed and
    the email, so a tenant that does not exist is throttled exactly like one that does, and
    the table holds no one's email. No RLS is needed for rows that name nobody.
    """

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    account: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        Index("login_failures_by_account", "account", "failed_at"),
        Index("login_failures_by_age", "failed_at"),  # the sweep takes the oldest first
    )


class IdempotencyKey(TenantScoped, Base):
    """A create request remembered by its Idempotency-Key, with the answer it got.

    The key row is inserted first, in the same transaction as the work: a
    concurrent duplicate waits on the primary key until the first commits, then
    replays the stored answer.
    """

    __tablename__ = "idempotency_keys"

    tenant_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    # SHA-256 of the normalised request: the same key with other details is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(SmallInteger)
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    # The sweep of expired keys reads a tenant's oldest keys first (migration 0005).
    __table_args__ = (Index("idempotency_keys_by_age", "tenant_id", "created_at"),)


TENANT_SCOPED_TABLES: tuple[str, ...] = tuple(
    mapper.local_table.name  # type: ignore[attr-defined]
    for mapper in Base.registry.mappers
    if issubclass(mapper.class_, TenantScoped)
)
