"""Request and response bodies. Unknown fields are refused, not ignored."""

import unicodedata
from datetime import datetime
from typing import Annotated, Any, Literal

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

Role = Literal["admin", "member"]

# Characters a name never holds, by Unicode general category: controls (Cc: NUL, which
# PostgreSQL refuses, C1 such as U+0085), format characters (Cf: bidi overrides such as
# U+202E that reorder what a reader sees, soft hyphen, BOM), line and paragraph separators
# (Zl, Zp: they break e-mails and logs), surrogates (Cs), private use (Co), unassigned (Cn).
NAME_EXCLUDED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
# Except the two joiners, between two visible characters: ZWNJ spells Persian and Indic
# names correctly, ZWJ joins emoji ("👩‍💻"). They reorder nothing and break no line; alone
# at an edge or doubled they only hide, so they are refused there.
JOINERS = frozenset({"\u200c", "\u200d"})
_JOINABLE_CATEGORY_CLASSES = frozenset("LMNS")  # letters, marks, numbers, symbols


def _joins_two_visible(text: str, index: int) -> bool:
    if index == 0 or index == len(text) - 1:
        return False
    before, after = text[index - 1], text[index + 1]
    return all(unicodedata.category(c)[0] in _JOINABLE_CATEGORY_CLASSES for c in (before, after))


def _refuse_invisible_characters(value: str) -> str:
    for index, char in enumerate(value):
        if unicodedata.category(char) not in NAME_EXCLUDED_CATEGORIES:
            continue
        if char in JOINERS and _joins_two_visible(value, index):
            continue
        raise ValueError(
            f"must not contain the character U+{ord(char):04X} "
            f"(control, format, separator or unassigned)"
        )
    return value


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_refuse_invisible_characters),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": 200,
            "description": "No control, format, line-separator, private-use or unassigned "
            "characters (zero-width joiners only between two visible characters).",
        }
    ),
]
# Positive 64-bit ids: anything larger cannot exist and is refused as bad input.
MAX_ID = 2**63 - 1


class StrictInput(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


# The column's width. Checked on the normalised form too: lower() can lengthen a string
# ('İ' U+0130 becomes two code points), and what is stored is the normalised form.
MAX_EMAIL_LENGTH = 320


def normalise_email(value: str) -> str:
    email = value.lower()
    if len(email) > MAX_EMAIL_LENGTH:
        raise ValueError(f"must be at most {MAX_EMAIL_LENGTH} characters once in lower case")
    return email


# The email format's rule that a schema cannot say: email-validator refuses special-use
# domains (RFC 6761), so the document says it in words.
EMAIL_NOTE = (
    "An address at a special-use domain ("
    + ", ".join(f".{name}" for name in SPECIAL_USE_DOMAIN_NAMES)
    + ") is refused: 422 validation_failed."
)
# An address as stored: valid, lower case, within the column; documented with the note.
StoredEmail = Annotated[
    EmailStr,
    AfterValidator(normalise_email),
    Field(max_length=MAX_EMAIL_LENGTH, description=EMAIL_NOTE),
]


class UserCreate(StrictInput):
    name: Name
    email: StoredEmail
    role: Role = "member"


def _document_partial_update(schema: dict[str, Any]) -> None:
    """UserUpdate as the document shows it: every field may be left out, none may be null.

    In Python a field not given is None; in JSON it is absent, and an explicit null is
    refused (`_at_least_one_field`), as is an empty body. So each property shows only its
    value's schema (no null branch, no `default: null`), and `minProperties: 1`.
    """
    schema["minProperties"] = 1
    for prop in schema["properties"].values():
        values = [branch for branch in prop.get("anyOf", []) if branch.get("type") != "null"]
        if len(values) == 1:
            del prop["anyOf"]
            prop.update(values[0])
        prop.pop("default", None)


class UserUpdate(StrictInput):
    model_config = ConfigDict(json_schema_extra=_document_partial_update)

    name: Name | None = None
    email: StoredEmail | None = None
    role: Role | None = None

    @model_validator(mode="after")
    def _at_least_one_field(self) -> "UserUpdate":
        if not self.model_fields_set:
            raise ValueError("give at least one of: name, email, role")
        for field in ("name", "email", "role"):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} cannot be null")
        return self


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str
    role: Role
    created_at: datetime
    invited_at: datetime | None = None


class InvitationOut(BaseModel):
    user_id: int
    invited_at: datetime
    message_id: str


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

    names: list[CounterName] = Field(
        min_length=1, max_length=20, json_schema_extra={"uniqueItems": True}
    )

    @model_validator(mode="after")
    def _each_name_once(self) -> "CounterBatch":
        if len(set(self.names)) != len(self.names):
            raise ValueError("name each counter once")
        return self


class CounterList(BaseModel):
    counters: list[CounterOut]


class HealthOut(BaseModel):
    status: Literal["ok"]


def _login_email(value: str) -> str:
    # Compared with the stored form. No length check after lowering: a longer address
    # matches no account and is answered like any unknown one (401), whatever the tenant.
    return value.strip().lower()


class LoginIn(StrictInput):
    # Not EmailStr: sign-in answers every unknown or odd address the same way (401).
    # But no control characters: PostgreSQL refuses NUL in text (a 500, found by the fuzz).
    email: Annotated[str, AfterValidator(_login_email)] = Field(
        min_length=1, max_length=MAX_EMAIL_LENGTH, pattern=r"^[^\u0000-\u001f\u007f]+$"
    )
    # Bounded: Argon2 takes any length, but a megabyte password is a denial of service.
    password: str = Field(min_length=1, max_length=1024)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class ApiKeyCreate(StrictInput):
    name: Name
    role: Role = "member"


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    role: Role
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The secret. Shown once: only a hash of it is stored.")


class ApiKeyPage(BaseModel):
    items: list[ApiKeyOut]
    total: int
    limit: int
    offset: int


class ErrorDetail(BaseModel):
    field: str
    message: str
    type: str


class ErrorInfo(BaseModel):
    code: str
    message: str
    request_id: str
    details: list[ErrorDetail] | None = None


class ErrorBody(BaseModel):
    """The one shape of every error answer (see app.errors)."""

    error: ErrorInfo
