"""The application the embedded simulator makes on first use, one per settings name.

Nobody can get real credentials any more, so ``VONAGE_MEETINGS = {"SIMULATE": True}`` needs
none: the first call provisions a simulator application with its own id, RSA key pair and
signature secret, kept by the simulator (its ``private_key`` field, set only for these) and
cached in the process. The key pair stays stable: every process (runserver, shell, cron) reads
the stored one rather than minting its own, and a test database that rolls the row back gets it
re-created from the cache with the same credentials, so nothing signed earlier goes stale.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from ...keys import generate_key_pair
from ..models import Application

__all__ = ["Provisioned", "active", "ensure", "provisioned"]


@dataclass(frozen=True)
class Provisioned:
    name: str
    application_id: str
    private_key_pem: str
    public_key_pem: str
    signature_secret: str


_cache: dict[str, Provisioned] = {}
_lock = threading.Lock()


def active() -> bool:
    """Whether this process serves provisioned applications (so has callbacks to flush)."""
    if _cache:
        return True
    from django_vonage_meetings.conf import meetings_settings
    from django_vonage_meetings.exceptions import MeetingsConfigurationError

    try:
        return meetings_settings.SIMULATE
    except MeetingsConfigurationError:
        return False


def provisioned(name: str = "default") -> Provisioned:
    """The credentials of the application provisioned for ``name``, made on first use."""
    cached = _cache.get(name)
    if cached is not None:
        return cached
    with _lock:
        cached = _cache.get(name)
        if cached is None:
            cached = _load_or_create(name)
            _cache[name] = cached
    return cached


def ensure(name: str, callback_url: str) -> Provisioned:
    """The credentials, with the application's row in the simulator's tables calling back at
    ``callback_url`` (one query when all is in place; a test's rollback may have removed the
    row, and settings may have moved the webhook)."""
    credentials = provisioned(name)
    row = (
        Application.objects.filter(application_id=credentials.application_id)
        .only("pk", "callback_url")
        .first()
    )
    if row is not None:
        if row.callback_url != callback_url:
            Application.objects.filter(pk=row.pk).update(callback_url=callback_url)
        return credentials
    other = Application.objects.filter(provisioned_as=name).first()
    if other is not None and other.private_key:
        # Another process provisioned this name since this one cached it: use that, never
        # rotate its key.
        credentials = _from_row(name, other)
        with _lock:
            _cache[name] = credentials
        if other.callback_url != callback_url:
            Application.objects.filter(pk=other.pk).update(callback_url=callback_url)
        return credentials
    return _store(credentials, callback_url)


def _load_or_create(name: str) -> Provisioned:
    row = Application.objects.filter(provisioned_as=name).first()
    if row is not None and row.private_key:
        return _from_row(name, row)
    fresh = _generate(name)
    return _store(fresh, "")


def _from_row(name: str, row: Application) -> Provisioned:
    return Provisioned(
        name=name,
        application_id=row.application_id,
        private_key_pem=row.private_key,
        public_key_pem=row.public_key,
        signature_secret=row.signature_secret,
    )


def _generate(name: str) -> Provisioned:
    private_pem, public_pem = generate_key_pair()
    return Provisioned(
        name=name,
        application_id=str(uuid.uuid4()),
        private_key_pem=private_pem,
        public_key_pem=public_pem,
        signature_secret=secrets.token_urlsafe(32),
    )


def _store(credentials: Provisioned, callback_url: str) -> Provisioned:
    """Write the row; if another process provisioned this name meanwhile, take its credentials."""
    try:
        with transaction.atomic():
            Application.objects.create(
                provisioned_as=credentials.name,
                application_id=credentials.application_id,
                public_key=credentials.public_key_pem,
                private_key=credentials.private_key_pem,
                signature_secret=credentials.signature_secret,
                callback_url=callback_url,
            )
    except IntegrityError:
        row = Application.objects.get(provisioned_as=credentials.name)
        return _from_row(credentials.name, row)
    return credentials
