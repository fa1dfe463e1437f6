"""The application's private key, from whatever the settings hold: PEM text, bytes or a path.

Errors name the setting and the check id that reports them, never the key material.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any, Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from .exceptions import MeetingsConfigurationError

__all__ = ["generate_key_pair", "load_private_key"]

_KEY_HINTS: Final = {
    "vonage_meetings.E003": "Set it to the PEM text of private.key or to the file's path.",
    "vonage_meetings.E004": "Check the path and that the server's user may read the file.",
    "vonage_meetings.E005": "Use the private.key file downloaded when the application was made.",
    "vonage_meetings.E006": "Vonage signs application JWTs with RS256, which needs an RSA key.",
}


def _key_problem(key: str, problem: str, check_id: str) -> MeetingsConfigurationError:
    return MeetingsConfigurationError(key, problem, check_id, _KEY_HINTS[check_id])


_KEY_CACHE: dict[str, RSAPrivateKey] = {}
_KEY_CACHE_LOCK = threading.Lock()


def load_private_key(key: str, value: Any) -> RSAPrivateKey:
    """Load an RSA private key from PEM text, PEM bytes or a file path.

    ``key`` names the setting (or argument) in error messages; the key material never appears
    in them. Parsed keys are cached by content hash, so callers may load on every request.
    """
    if isinstance(value, RSAPrivateKey):
        return value
    if value is None or (isinstance(value, str | bytes) and not value.strip()):
        raise _key_problem(
            key,
            "is not set; give the PEM text of the Vonage application's private key or the path "
            "of its file.",
            "vonage_meetings.E003",
        )
    if isinstance(value, bytes):
        pem = value
    elif isinstance(value, str) and "-----BEGIN" in value:
        pem = value.encode()
    elif isinstance(value, str | Path):
        # Without a "-----BEGIN" line the value is taken for a path. It may well be the key's
        # own base64 body pasted without its header, so the value is never shown, path or not.
        path = Path(value).expanduser()
        try:
            pem = path.read_bytes()
        except FileNotFoundError:
            raise _key_problem(
                key,
                "names a file that does not exist (the value is not shown; if it is the key "
                "itself, include its '-----BEGIN PRIVATE KEY-----' and '-----END ...' lines).",
                "vonage_meetings.E004",
            ) from None
        except (OSError, ValueError) as exc:
            # ValueError: a NUL byte, which no path holds.
            reason = getattr(exc, "strerror", None) or "not a usable path"
            raise _key_problem(
                key,
                f"names a file that cannot be read ({reason}; the value is not shown).",
                "vonage_meetings.E004",
            ) from None
    else:
        raise _key_problem(
            key,
            f"must be PEM text or a file path, not {type(value).__name__}.",
            "vonage_meetings.E005",
        )
    digest = hashlib.sha256(pem).hexdigest()
    with _KEY_CACHE_LOCK:
        cached = _KEY_CACHE.get(digest)
    if cached is not None:
        return cached
    if b"-----BEGIN" in pem and b"PUBLIC KEY-----" in pem and b"PRIVATE KEY" not in pem:
        raise _key_problem(
            key,
            "holds a public key; the application's private key is needed.",
            "vonage_meetings.E006",
        )
    try:
        loaded = serialization.load_pem_private_key(pem, password=None)
    except TypeError:
        raise _key_problem(
            key,
            "is an encrypted private key; export it without a passphrase.",
            "vonage_meetings.E005",
        ) from None
    except Exception:
        # cryptography raises ValueError (and, for some inputs, UnsupportedAlgorithm); the
        # message never includes the key material.
        raise _key_problem(
            key,
            "is not a readable PEM private key (expected '-----BEGIN PRIVATE KEY-----' or "
            "'-----BEGIN RSA PRIVATE KEY-----').",
            "vonage_meetings.E005",
        ) from None
    if not isinstance(loaded, RSAPrivateKey):
        kind = type(loaded).__name__.removeprefix("_").replace("PrivateKey", "")
        raise _key_problem(
            key,
            f"is a {kind or 'non-RSA'} key; Vonage application keys are RSA (RS256).",
            "vonage_meetings.E006",
        )
    with _KEY_CACHE_LOCK:
        if len(_KEY_CACHE) > 16:
            _KEY_CACHE.clear()
        _KEY_CACHE[digest] = loaded
    return loaded


def generate_key_pair() -> tuple[str, str]:
    """A new RSA key pair as (private PKCS#8 PEM, public PEM): what a Vonage application
    holds, for the simulator's provisioned applications, tests and demos."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem
