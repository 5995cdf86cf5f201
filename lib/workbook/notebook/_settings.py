"""Settings built from a notebook's namespace, validated once with pydantic.

A capability declares its settings as a `NotebookSettings` subclass whose field names are the
notebook's parameter names; `Settings.from_namespace(globals())` takes exactly those, so defaults
live in one place (the parameters cell) and nothing is re-typed. Every invalid field is reported
in one `UsageError` naming the field, the value and what was expected (a secret-looking field's
value is never shown).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from ..credentials import looks_secret
from ..errors import UsageError


class NotebookSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def from_namespace(cls, namespace: Mapping[str, Any], **overrides: Any) -> Self:
        """The fields this class declares, read from `namespace` (a notebook's `globals()`)."""
        values = {name: namespace[name] for name in cls.model_fields if name in namespace}
        return cls.of(**{**values, **overrides})

    @classmethod
    def of(cls, **values: Any) -> Self:
        """Validate `values`; raises UsageError listing every problem."""
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            raise UsageError(describe_validation_error(cls.__name__, error)) from None


def describe_validation_error(owner: str, error: ValidationError) -> str:
    """One line per invalid field: `owner: field 'x': value 5: Input should be greater than 0`."""
    lines = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "(settings)"
        # A rejected `*_env` value is not a variable name: it may be the secret pasted in by mistake.
        hidden = looks_secret(field) or field.endswith("_env")
        if not item["loc"]:
            # A model-level rule's input is the whole settings object: its message names the fields.
            lines.append(f"{owner}: {str(item['msg']).removeprefix('Value error, ')}")
            continue
        shown = "(hidden)" if hidden else repr(_without_userinfo(item.get("input")))
        if item["type"] == "extra_forbidden":
            lines.append(f"{owner}: unknown setting {field!r}")
        elif item["type"] == "missing":
            lines.append(f"{owner}: setting {field!r} is required")
        else:
            message = str(item["msg"]).removeprefix("Value error, ")
            lines.append(f"{owner}: setting {field!r}: value {shown}: {message}")
    return "\n".join(lines)


def _without_userinfo(value: Any) -> Any:
    """A URL's `user:password@` part masked, so a credential in a URL is never echoed."""
    return re.sub(r"(?<=://)[^/@\s]*@", "***@", value) if isinstance(value, str) else value
