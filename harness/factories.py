"""factory-boy factories, bound per scenario to the scenario's session.

Tenant-scoped rows are written in their tenant's RLS context, through the same
`apply_tenant` the service uses: seeding passes the same database rules.
"""

from typing import Any

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.auth import api_keys
from app.auth.passwords import HashCost, hash_password
from app.auth.throttle import account_key
from app.db import TENANCY_INFO_KEY, apply_tenant
from app.models import ApiKey, Counter, LoginFailure, Tenant, User
from app.tenant_schemas import create_schema, schema_name_for
from harness.auth import SUITE_HASH_COST
from harness.provision import SERVICE_ROLE, TENANT_GROUP_ROLE


def as_provisioning(session: Session) -> None:
    """Back to the scenario's own role and search path, after a tenant's context took them
    (schemas mode: apply_tenant switches role; in the savepoint mode that lasts until the
    scenario's outer transaction ends)."""
    connection = session.connection()
    connection.execute(text("RESET ROLE"))
    connection.execute(text("RESET search_path"))


class TenantFactory(SQLAlchemyModelFactory):
    """A tenant; in schemas mode also its schema and role, migrated to head, as provisioning
    does it (app.tenant_schemas), in the scenario's transaction. `with_schema=False` leaves
    the schema out, as a tenant registered but not yet provisioned."""

    class Meta:
        model = Tenant

    slug = factory.Sequence(lambda n: f"tenant-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.title())
    seat_limit = 50

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Any:
        session = cls._meta.sqlalchemy_session
        with_schema = kwargs.pop("with_schema", True)
        schemas = session.info.get(TENANCY_INFO_KEY) == "schemas"
        if schemas:
            as_provisioning(session)
            if with_schema:
                schema_name_for(kwargs["slug"])  # an unsafe slug is refused before any row
        tenant = super()._create(model_class, *args, **kwargs)
        if schemas and with_schema:
            as_provisioning(session)
            create_schema(
                session.connection(),
                tenant.id,
                tenant.slug,
                service_role=SERVICE_ROLE,
                group_role=TENANT_GROUP_ROLE,
            )
            session.commit()
            session.refresh(tenant)
        return tenant


class TenantScopedFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Any:
        session = cls._meta.sqlalchemy_session
        apply_tenant(session, kwargs["tenant_id"])
        return super()._create(model_class, *args, **kwargs)


class UserFactory(TenantScopedFactory):
    class Meta:
        model = User

    name = factory.Faker("first_name")
    email = factory.LazyAttributeSequence(lambda o, n: f"{o.name.lower()}.{n}@example.com")
    role = "member"

    class Params:
        password: str | None = None  # the plain password; only its hash is stored

    password_hash = factory.LazyAttribute(
        lambda o: hash_password(o.password, SUITE_HASH_COST) if o.password else None
    )


class ApiKeyFactory(TenantScopedFactory):
    """Pass `key=api_keys.new_key()` to know the secret; only its digest is stored."""

    class Meta:
        model = ApiKey

    class Params:
        key = factory.LazyFunction(api_keys.new_key)

    name = factory.Sequence(lambda n: f"key-{n}")
    role = "member"
    prefix = factory.LazyAttribute(lambda o: api_keys.prefix_of(o.key))
    secret_hash = factory.LazyAttribute(lambda o: api_keys.digest(o.key))


class LoginFailureFactory(SQLAlchemyModelFactory):
    """A failed sign-in, as the service records it. Pass `account=throttle.account_key(...)`
    for a known account; by default each is a made-up account of its own."""

    class Meta:
        model = LoginFailure

    account = factory.Sequence(lambda n: account_key("made-up", f"nobody.{n}@nowhere.example"))


def store_password(session: Session, user: User, password: str, cost: HashCost) -> None:
    """Store `user`'s password hashed at `cost` (as if hashed when the service used it)."""
    apply_tenant(session, user.tenant_id)
    user.password_hash = hash_password(password, cost)
    session.commit()


class CounterFactory(TenantScopedFactory):
    class Meta:
        model = Counter

    name = factory.Sequence(lambda n: f"counter-{n}")
    value = 0


ALL_FACTORIES: tuple[type[SQLAlchemyModelFactory], ...] = (
    TenantFactory,
    UserFactory,
    CounterFactory,
    ApiKeyFactory,
    LoginFailureFactory,
)


def bind_factories(session: Session | None) -> None:
    """Point every factory at the scenario's session (None unbinds them).

    Each seeded row is committed. In the savepoint mode that only releases a
    savepoint, and it matters: a rollback the service makes (after a refused
    duplicate, say) must not take the scenario's seed rows with it.
    """
    for factory_class in ALL_FACTORIES:
        factory_class._meta.sqlalchemy_session = session
        factory_class._meta.sqlalchemy_session_persistence = "commit"
