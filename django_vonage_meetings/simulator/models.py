"""The simulator's own state: what the Meetings service kept for each application.

Rooms use their auto-increment primary key as the paging *serial* (``start_id``/``end_id``), as
the service did; every other object is addressed by a UUID (or a Video-style session id).
Everything belongs to one :class:`Application`, and every query filters by it, so applications
never see each other's data.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from django_vonage_meetings import rules
from django_vonage_meetings.enums import (
    JoinApprovalLevel,
    MicrophoneState,
    RecordingStatus,
    RoomLanguage,
    RoomType,
)


def _account_id() -> str:
    return secrets.token_hex(4)


class Application(models.Model):
    """A Vonage application registered with the simulator (its public key verifies its JWTs)."""

    application_id = models.CharField(_("application id"), max_length=64, unique=True)
    account_id = models.CharField(_("account id"), max_length=32, default=_account_id)
    public_key = models.TextField(_("public key (PEM)"))
    signature_secret = models.CharField(_("signature secret"), max_length=255, blank=True)
    callback_url = models.TextField(
        _("callback URL"),
        blank=True,
        help_text=_("Application-level URL for every event (rooms, sessions, recordings)."),
    )
    rooms_callback_url = models.TextField(_("rooms callback URL"), blank=True)
    sessions_callback_url = models.TextField(_("sessions callback URL"), blank=True)
    recordings_callback_url = models.TextField(_("recordings callback URL"), blank=True)
    legacy_recording_ready = models.BooleanField(
        _("also send recording:ready"),
        default=False,
        help_text=_("Send the pre-2023 event name recording:ready beside recording:uploaded."),
    )
    default_theme = models.ForeignKey(
        "Theme", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    faults = models.JSONField(_("fault injection"), default=dict, blank=True)
    origin = models.CharField(
        _("origin"),
        max_length=255,
        blank=True,
        help_text=_("Scheme and host the application last called (links in callbacks use it)."),
    )
    provisioned_as = models.CharField(
        _("provisioned as"),
        max_length=100,
        blank=True,
        default="",
        help_text=_(
            "For an application the embedded simulator made (VONAGE_MEETINGS['SIMULATE']): the "
            "settings name it serves. Its calls and callbacks stay in process."
        ),
    )
    private_key = models.TextField(
        _("private key (PEM)"),
        blank=True,
        default="",
        help_text=_("Kept only for provisioned applications, which have no other owner."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("simulated application")
        constraints = [
            models.UniqueConstraint(
                fields=["provisioned_as"],
                condition=~models.Q(provisioned_as=""),
                name="sim_application_provisioned_once",
            )
        ]

    def __str__(self) -> str:
        return self.application_id

    @property
    def in_process(self) -> bool:
        """Provisioned by the embedded simulator: called, and calling back, in process."""
        return bool(self.provisioned_as)

    def callback_url_for(self, kind: str) -> str:
        """The application-level URL for ``rooms``, ``sessions`` or ``recordings`` events."""
        specific: str = getattr(self, f"{kind}_callback_url", "")
        return specific or self.callback_url


class Theme(models.Model):
    theme_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="themes")
    theme_name = models.CharField(max_length=rules.THEME_NAME_MAX)
    main_color = models.CharField(max_length=rules.MAIN_COLOR_MAX)
    brand_text = models.CharField(max_length=rules.BRAND_TEXT_MAX)
    short_company_url = models.CharField(
        max_length=rules.SHORT_COMPANY_URL_MAX, null=True, blank=True, unique=True
    )
    domain = models.CharField(max_length=8, default="VCP")
    brand_image_colored = models.CharField(max_length=255, null=True, blank=True)
    brand_image_white = models.CharField(max_length=255, null=True, blank=True)
    branded_favicon = models.CharField(max_length=255, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "theme_name"], name="sim_theme_name_per_application"
            )
        ]

    def __str__(self) -> str:
        return self.theme_name


class Room(models.Model):
    """A room; ``id`` is the paging serial, ``room_id`` the public UUID."""

    id = models.BigAutoField(primary_key=True)
    room_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="rooms")
    display_name = models.CharField(max_length=rules.DISPLAY_NAME_MAX)
    metadata = models.TextField(null=True, blank=True)
    type = models.CharField(max_length=16, choices=RoomType.choices, default=RoomType.INSTANT)
    expires_at = models.DateTimeField()
    expire_after_use = models.BooleanField(default=False)
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="rooms"
    )
    join_approval_level = models.CharField(
        max_length=32, choices=JoinApprovalLevel.choices, default=JoinApprovalLevel.NONE
    )
    microphone_state = models.CharField(
        max_length=16, choices=MicrophoneState.choices, default=MicrophoneState.DEFAULT
    )
    language = models.CharField(
        max_length=16, choices=RoomLanguage.choices, default=RoomLanguage.DEFAULT
    )
    auto_record = models.BooleanField(default=False)
    record_only_owner = models.BooleanField(default=False)
    is_recording_available = models.BooleanField(default=True)
    is_chat_available = models.BooleanField(default=True)
    is_whiteboard_available = models.BooleanField(default=True)
    is_locale_switcher_available = models.BooleanField(default=False)
    is_captions_available = models.BooleanField(default=False)
    rooms_callback_url = models.TextField(null=True, blank=True)
    sessions_callback_url = models.TextField(null=True, blank=True)
    recordings_callback_url = models.TextField(null=True, blank=True)
    meeting_code = models.CharField(max_length=16, unique=True)
    expired = models.BooleanField(
        default=False, help_text=_("Set once the room has expired and room:expired was sent.")
    )
    in_session = models.BooleanField(
        default=False, help_text=_("A session is running (keeps an instant room alive).")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["application", "id"], name="sim_room_app_serial"),
            models.Index(fields=["theme", "id"], name="sim_room_theme_serial"),
            models.Index(fields=["expired", "expires_at"], name="sim_room_expiry"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def is_available_at(self, now: dt.datetime) -> bool:
        return not self.expired and (self.in_session or self.expires_at > now)

    @property
    def is_available(self) -> bool:
        return self.is_available_at(timezone.now())

    def callback_url_for(self, kind: str) -> str:
        """The room's own URL for ``rooms``/``sessions``/``recordings`` events, else the app's."""
        own: str | None = getattr(self, f"{kind}_callback_url", None)
        return own or self.application.callback_url_for(kind)


class StoredObject(models.Model):
    """A file in the fake S3 bucket: uploaded logos (temporary, then finalized)."""

    bucket = models.CharField(max_length=128)
    key = models.CharField(max_length=255, unique=True)
    application = models.ForeignKey(
        Application, null=True, on_delete=models.CASCADE, related_name="+"
    )
    content = models.BinaryField()
    content_type = models.CharField(max_length=128, default="image/png")
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key


def _session_id() -> str:
    """A Video-style session id (``2_MX40...-fg``): opaque, long, URL-safe."""
    return "2_MX4" + secrets.token_urlsafe(48).replace("_", "A") + "-fg"


class Session(models.Model):
    session_id = models.CharField(max_length=255, unique=True, default=_session_id)
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="sessions")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.session_id

    @property
    def is_running(self) -> bool:
        return self.ended_at is None


class ParticipantState(models.TextChoices):
    WAITING = "waiting", _("Waiting for approval")
    JOINED = "joined", _("In the meeting")
    DENIED = "denied", _("Denied")
    LEFT = "left", _("Left")


class Participant(models.Model):
    participant_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="participants")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="participants"
    )
    name = models.CharField(max_length=200)
    is_host = models.BooleanField(default=False)
    state = models.CharField(
        max_length=16, choices=ParticipantState.choices, default=ParticipantState.WAITING
    )
    joined_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name

    @property
    def type(self) -> str:
        return "Host" if self.is_host else "Guest"


class Recording(models.Model):
    recording_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="recordings")
    status = models.CharField(
        max_length=16, choices=RecordingStatus.choices, default=RecordingStatus.STARTED
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    upload_due_at = models.DateTimeField(null=True, blank=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return str(self.recording_id)

    @property
    def duration(self) -> int | None:
        if self.ended_at is None:
            return None
        return max(0, round((self.ended_at - self.started_at).total_seconds()))


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Being sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed (will retry)")
    GAVE_UP = "gave_up", _("Gave up")


class CallbackDelivery(models.Model):
    """One callback to one URL, with its delivery history (the service retried on failure)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=64)
    url = models.TextField()
    body = models.BinaryField(help_text=_("The exact JSON bytes sent (and hashed)."))
    metadata = models.TextField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("While being sent: when the sender's claim lapses (a crashed sender's)."),
    )
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="sim_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} -> {self.url} ({self.status})"

    def payload(self) -> Any:
        import json

        return json.loads(bytes(self.body))
