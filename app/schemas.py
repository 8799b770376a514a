"""Request and response bodies. Unknown fields are refused, not ignored."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, model_validator

Role = Literal["admin", "member"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# Positive 64-bit ids: anything larger cannot exist and is refused as bad input.
MAX_ID = 2**63 - 1


class StrictInput(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def _normalise_email(value: EmailStr) -> str:
    return str(value).lower()


class UserCreate(StrictInput):
    name: Name
    email: EmailStr = Field(max_length=320)
    role: Role = "member"

    @model_validator(mode="after")
    def _lower_email(self) -> "UserCreate":
        self.email = _normalise_email(self.email)
        return self


class UserUpdate(StrictInput):
    name: Name | None = None
    email: EmailStr | None = Field(default=None, max_length=320)
    role: Role | None = None

    @model_validator(mode="after")
    def _at_least_one_field(self) -> "UserUpdate":
        if not self.model_fields_set:
            raise ValueError("give at least one of: name, email, role")
        for field in ("name", "email", "role"):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} cannot be null")
        if self.email is not None:
            self.email = _normalise_email(self.email)
        return self


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str
    role: Role
    created_at: datetime


class UserPage(BaseModel):
    items: list[UserOut]
    total: int
    limit: int
    offset: int


class CounterOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    value: int


COUNTER_NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
CounterName = Annotated[str, StringConstraints(pattern=COUNTER_NAME_PATTERN)]


class CounterBatch(StrictInput):
    """Several counters to go up by one each, in one transaction."""

    names: list[CounterName] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _each_name_once(self) -> "CounterBatch":
        if len(set(self.names)) != len(self.names):
            raise ValueError("name each counter once")
        return self


class CounterList(BaseModel):
    counters: list[CounterOut]


class HealthOut(BaseModel):
    status: Literal["ok"]
