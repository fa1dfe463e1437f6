"""Every enumeration of the Meetings API, as Django ``TextChoices``.

Values are the wire values; labels are translatable for the admin.
"""

from __future__ import annotations

from typing import Final

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoomType(models.TextChoices):
    INSTANT = "instant", _("Instant")
    LONG_TERM = "long_term", _("Long term")


class JoinApprovalLevel(models.TextChoices):
    NONE = "none", _("Anyone with the link")
    AFTER_OWNER_ONLY = "after_owner_only", _("After the host joins")
    EXPLICIT_APPROVAL = "explicit_approval", _("Host approves each guest")


class MicrophoneState(models.TextChoices):
    DEFAULT = "default", _("Default")
    ON = "on", _("On")
    OFF = "off", _("Off")


class RoomLanguage(models.TextChoices):
    """The union of the codes the service accepted; it echoed them lower-case."""

    DEFAULT = "default", _("Default")
    EN = "en", _("English")
    AR = "ar", _("Arabic")
    CA = "ca", _("Catalan")
    DE = "de", _("German")
    ES = "es", _("Spanish")
    FR = "fr", _("French")
    HE = "he", _("Hebrew")
    IT = "it", _("Italian")
    PT = "pt", _("Portuguese")
    PT_BR = "pt-br", _("Portuguese (Brazil)")
    ZH_CN = "zh-cn", _("Chinese (Simplified)")
    ZH_TW = "zh-tw", _("Chinese (Traditional)")


class LogoType(models.TextChoices):
    WHITE = "white", _("White logo (for dark backgrounds)")
    COLORED = "colored", _("Coloured logo (for light backgrounds)")
    FAVICON = "favicon", _("Favicon")


class RecordingStatus(models.TextChoices):
    STARTED = "started", _("Started")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")
    UPLOADED = "uploaded", _("Uploaded")


class ThemeDomain(models.TextChoices):
    VCP = "VCP", "VCP"
    VBC = "VBC", "VBC"


class EventType(models.TextChoices):
    ROOM_EXPIRED = "room:expired", _("Room expired")
    SESSION_STARTED = "session:started", _("Session started")
    SESSION_ENDED = "session:ended", _("Session ended")
    PARTICIPANT_JOINED = "session:participant:joined", _("Participant joined")
    PARTICIPANT_LEFT = "session:participant:left", _("Participant left")
    RECORDING_STARTED = "recording:started", _("Recording started")
    RECORDING_ENDED = "recording:ended", _("Recording ended")
    RECORDING_UPLOADED = "recording:uploaded", _("Recording uploaded")
    # The name the service used before January 2023 (and the Node SDK kept); same payload.
    RECORDING_READY = "recording:ready", _("Recording ready (old name of uploaded)")


#: Event names the service used before and the names they mean now. An alias shares its
#: canonical event's payload, apply function, signal and dedupe identity.
EVENT_ALIASES: Final[dict[str, str]] = {
    EventType.RECORDING_READY.value: EventType.RECORDING_UPLOADED.value,
}


def canonical_event(name: str) -> str:
    """The current name of an event (``recording:ready`` -> ``recording:uploaded``)."""
    return EVENT_ALIASES.get(name, name)
