"""Mirrors of the objects the API lists: the application, themes, rooms and dial-in numbers."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from django_vonage_meetings.enums import (
    JoinApprovalLevel,
    MicrophoneState,
    RoomLanguage,
    RoomType,
    ThemeDomain,
)

from .base import MirrorModel, OwnedMirrorModel


class Application(MirrorModel):
    """A Vonage application (``vonage_id`` is its application id): the owner of every mirrored
    row, with its default theme.

    ``name`` is the application's name in the settings (``APPLICATIONS``, or ``default``); the
    row is made the first time the application is used. The API has no GET for the
    application; ``data`` records what ``PATCH /applications`` last answered.
    """

    name = models.CharField(
        _("name in settings"),
        max_length=100,
        blank=True,
        default="",
        help_text=_("Its key in VONAGE_MEETINGS['APPLICATIONS'] ('default' for a single one)."),
    )
    account_id = models.CharField(_("account id"), max_length=64, blank=True, default="")
    default_theme = models.ForeignKey(
        "Theme",
        to_field="vonage_id",
        db_constraint=False,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("default theme"),
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["name", "vonage_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=~models.Q(name=""), name="vm_application_name"
            )
        ]

    def __str__(self) -> str:
        return self.name or str(self.vonage_id)


class Theme(OwnedMirrorModel):
    """A theme: colours, brand text and logos that rooms can use."""

    theme_name = models.CharField(_("name"), max_length=200, blank=True, default="")
    main_color = models.CharField(_("main colour"), max_length=7, blank=True, default="")
    brand_text = models.CharField(_("brand text"), max_length=200, blank=True, default="")
    short_company_url = models.CharField(
        _("short company URL"), max_length=128, blank=True, default="", db_index=True
    )
    domain = models.CharField(
        _("domain"), max_length=8, choices=ThemeDomain.choices, blank=True, default=""
    )
    account_id = models.CharField(_("account id"), max_length=64, blank=True, default="")
    brand_image_colored_url = models.TextField(_("coloured logo URL"), blank=True, default="")
    brand_image_white_url = models.TextField(_("white logo URL"), blank=True, default="")
    branded_favicon_url = models.TextField(_("favicon URL"), blank=True, default="")

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["theme_name", "vonage_id"]

    def __str__(self) -> str:
        return self.theme_name or self.brand_text or str(self.vonage_id)


class RoomQuerySet(models.QuerySet["Room"]):
    def available(self) -> RoomQuerySet:
        return self.filter(is_available=True)

    def expired(self) -> RoomQuerySet:
        return self.filter(is_available=False)


class Room(OwnedMirrorModel):
    """A meeting room.

    ``theme`` points at ``Theme.vonage_id`` without a database constraint, so ``room.theme_id``
    is exactly the API's ``theme_id`` and a room may name a theme the mirror has not fetched yet
    (bulk upserts never need a lookup per row). Read it through ``select_related("theme")``,
    which yields ``None`` for a theme that is not mirrored.
    """

    display_name = models.CharField(_("name"), max_length=200)
    metadata = models.TextField(_("metadata"), blank=True, default="")
    type = models.CharField(
        _("type"), max_length=16, choices=RoomType.choices, default=RoomType.INSTANT, db_index=True
    )
    is_available = models.BooleanField(_("available"), default=True, db_index=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), null=True, blank=True, db_index=True)
    meeting_code = models.CharField(_("meeting code"), max_length=32, blank=True, db_index=True)
    theme = models.ForeignKey(
        Theme,
        to_field="vonage_id",
        db_constraint=False,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rooms",
        verbose_name=_("theme"),
    )
    join_approval_level = models.CharField(
        _("join approval"),
        max_length=32,
        choices=JoinApprovalLevel.choices,
        default=JoinApprovalLevel.NONE,
    )
    microphone_state = models.CharField(
        _("microphone on join"),
        max_length=16,
        choices=MicrophoneState.choices,
        default=MicrophoneState.DEFAULT,
    )
    language = models.CharField(
        _("language"), max_length=16, choices=RoomLanguage.choices, default=RoomLanguage.DEFAULT
    )
    expire_after_use = models.BooleanField(_("expire after use"), default=False)
    host_url = models.TextField(_("host URL"), blank=True, default="")
    guest_url = models.TextField(_("guest URL"), blank=True, default="")

    objects = RoomQuerySet.as_manager()

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.display_name or str(self.vonage_id)

    @property
    def recording_options(self) -> dict[str, Any]:
        return dict(self.data.get("recording_options") or {})

    @property
    def available_features(self) -> dict[str, Any]:
        return dict(self.data.get("available_features") or {})

    @property
    def callback_urls(self) -> dict[str, Any]:
        return dict(self.data.get("callback_urls") or {})

    @property
    def has_expired(self) -> bool:
        """Unavailable, or past its expiry even if no sync or callback has said so yet."""
        return not self.is_available or (
            self.expires_at is not None and self.expires_at <= timezone.now()
        )


class DialInNumber(OwnedMirrorModel):
    """A dial-in number; the API gives no id, so ``vonage_id`` is the number itself (and several
    applications may list the same number)."""

    vonage_id = models.CharField(_("number"), max_length=64)
    locale = models.CharField(_("locale"), max_length=16, blank=True, default="")
    display_name = models.CharField(_("country"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("dial-in number")
        verbose_name_plural = _("dial-in numbers")
        ordering = ["display_name", "vonage_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "vonage_id"], name="vm_dialinnumber_per_application"
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} +{self.vonage_id}".strip()

    @property
    def number(self) -> str:
        return str(self.vonage_id)
