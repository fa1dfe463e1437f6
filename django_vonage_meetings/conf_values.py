"""What a setting is, and how each kind of value is checked.

A :class:`Setting` is declared once, as a class attribute of
:class:`~django_vonage_meetings.conf.MeetingsSettings`; the validators here turn a raw value into
the typed one or refuse it with :class:`Invalid`, which the setting reports under its key and
check id. No validator echoes the value of a secret.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Final, Generic, Literal, Protocol, TypeVar, overload
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from .exceptions import MeetingsConfigurationError
from .keys import load_private_key

__all__ = ["WRONG_VALUE", "ConfigProblem", "Invalid", "Setting", "Validator"]


class _HasRaw(Protocol):
    def raw(self) -> Mapping[str, Any]: ...


ProcessingMode = Literal["inline", "task"]
ProofMode = Literal["either", "jwt", "url_token"]
T = TypeVar("T")

#: The check id of a value with a wrong type or out of range, unless its setting names another.
WRONG_VALUE: Final = "vonage_meetings.E010"


#: A configuration error carrying the system-check id (and hint) that report it.
ConfigProblem = MeetingsConfigurationError


class Invalid(ValueError):
    """A validator's refusal; :class:`Setting` turns it into a :class:`ConfigProblem` for its key
    and check id."""

    def __init__(self, problem: str, check_id: str | None = None) -> None:
        self.problem = problem
        self.check_id = check_id
        super().__init__(problem)


Validator = Callable[[str, Any], T]


class Setting(Generic[T]):
    """One key of ``VONAGE_MEETINGS``, declared as a class attribute of :class:`MeetingsSettings`.

    Reading it on the settings object returns the validated value; ``validate(key, raw)``
    returns it or raises :class:`Invalid` (or a :class:`ConfigProblem` of its own, where one
    setting has several check ids, like the private key).
    """

    name: str

    def __init__(
        self,
        default: Any,
        validate: Validator[T],
        doc: str,
        *,
        check_id: str = WRONG_VALUE,
        hint: str | None = None,
        secret: bool = False,
        credential: bool = False,
    ) -> None:
        self.default = default
        self.validate = validate
        self.doc = doc
        self.check_id = check_id
        self.hint = hint
        self.secret = secret
        #: Says which service and application to talk to; the simulator provides it when
        #: ``SIMULATE`` is on.
        self.credential = credential

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type) -> Setting[T]: ...

    @overload
    def __get__(self, obj: _HasRaw, owner: type) -> T: ...

    def __get__(self, obj: _HasRaw | None, owner: type) -> Setting[T] | T:
        if obj is None:
            return self
        return self.read(obj.raw())

    def read(self, raw: Mapping[str, Any], path: tuple[str, ...] = ()) -> T:
        """The validated value of this key in ``raw`` (its default when absent); ``path`` says
        where ``raw`` sits in ``VONAGE_MEETINGS`` (an application's dict), for the message."""
        try:
            return self.validate(self.name, raw.get(self.name, self.default))
        except Invalid as exc:
            raise ConfigProblem(
                (*path, self.name), exc.problem, exc.check_id or self.check_id, self.hint
            ) from None
        except ConfigProblem as exc:
            if not path:
                raise
            # A validator with check ids of its own (the private key): say where it sits.
            raise ConfigProblem((*path, *exc.path), exc.problem, exc.check_id, exc.hint) from None

    def __repr__(self) -> str:
        return f"<Setting {self.name}>"


# -- validators: each takes (key, raw value) and returns the normalised value or raises ----------


def required_text(key: str, value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Invalid("is not set.", "vonage_meetings.E001")
    if not isinstance(value, str):
        raise Invalid(f"must be a string, not {type(value).__name__}.", "vonage_meetings.E002")
    return value.strip()


def optional_url(key: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Invalid(f"must be a URL string, not {type(value).__name__}.")
    # The value itself is never echoed: a URL may carry credentials (user:password@host).
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        got = f"scheme {parts.scheme!r}" if parts.scheme else "no scheme"
        raise Invalid(
            f"must be an absolute http(s) URL such as 'https://example.com' (it has {got})."
        )
    if parts.query or parts.fragment:
        raise Invalid("must not carry a query or fragment.")
    if parts.username is not None or parts.password is not None:
        raise Invalid("must not carry credentials (user:password@).")
    return value.strip().rstrip("/")


def required_url(key: str, value: Any) -> str:
    result = optional_url(key, value)
    if result is None:
        raise Invalid("is not set.")
    return result


def secret_list(key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise Invalid(
            f"must be a list of secret strings (newest first), not {type(value).__name__}."
        )
    out: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise Invalid(f"item {index} must be a non-empty string, not {type(item).__name__}.")
        out.append(item)
    return tuple(out)


def _checked_number(value: Any, minimum: float, maximum: float | None, integer: bool) -> None:
    kind = "an integer" if integer else "a number"
    ok_type = (
        isinstance(value, int) if integer else isinstance(value, int | float)
    ) and not isinstance(value, bool)
    if not ok_type:
        raise Invalid(f"must be {kind}, not {type(value).__name__}.")
    if math.isnan(value) or value < minimum or (maximum is not None and value > maximum):
        bounds = f"at least {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise Invalid(f"must be {bounds}, got {value!r}.")


def a_float(*, minimum: float, maximum: float | None = None) -> Validator[float]:
    def validate(key: str, value: Any) -> float:
        _checked_number(value, minimum, maximum, integer=False)
        return float(value)

    return validate


def an_int(*, minimum: int, maximum: int | None = None) -> Validator[int]:
    def validate(key: str, value: Any) -> int:
        _checked_number(value, minimum, maximum, integer=True)
        return int(value)

    return validate


def processing_mode(key: str, value: Any) -> ProcessingMode:
    if value == "inline":
        return "inline"
    if value == "task":
        return "task"
    raise Invalid(f"must be one of 'inline', 'task', got {value!r}.")


def boolean(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"must be True or False, not {type(value).__name__}.")
    return value


def proof_mode(key: str, value: Any) -> ProofMode:
    if value == "either":
        return "either"
    if value == "jwt":
        return "jwt"
    if value == "url_token":
        return "url_token"
    raise Invalid("must be one of 'either', 'jwt', 'url_token'.")


def non_empty_text(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise Invalid("must be a non-empty string.")
    return value


#: What an application may be called: it appears in commands, URLs tokens and the admin.
APPLICATION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def applications(key: str, value: Any) -> dict[str, Mapping[str, Any]] | None:
    """``APPLICATIONS``: names to dicts of per-application keys (checked by their own
    declarations); None when the single-application keys are used instead."""
    if value is None:
        return None
    if not isinstance(value, Mapping) or not value:
        raise Invalid(
            "must be a non-empty dict of application names to dicts of their keys, not "
            f"{type(value).__name__}.",
            "vonage_meetings.E016",
        )
    out: dict[str, Mapping[str, Any]] = {}
    for name, keys in value.items():
        if not isinstance(name, str) or not APPLICATION_NAME.match(name):
            raise Invalid(
                f"has a name that is not letters, digits, '_', '.' or '-': {name!r}.",
                "vonage_meetings.E016",
            )
        if not isinstance(keys, Mapping):
            raise Invalid(
                f"[{name!r}] must be a dict of that application's keys, not {type(keys).__name__}.",
                "vonage_meetings.E016",
            )
        out[name] = keys
    return out


def private_key(key: str, value: Any) -> RSAPrivateKey:
    return load_private_key(key, value)
