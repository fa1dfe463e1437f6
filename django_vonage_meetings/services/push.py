"""Push: change things on the API, then store what it answered.

Every function calls the API first and writes locally only from the answer, in a transaction;
when the API refuses (a typed ``MeetingsAPIError``) or cannot be reached, the error propagates
and nothing local changes. Each acts as one application: ``application=`` (a settings name or
an ``Application`` row; the default one when omitted), or, for an object the mirror has, the
application it belongs to. What it stores belongs to the application its client acted as.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any, cast

from django.db import transaction

from .. import credentials
from ..api.client import MeetingsClient
from ..enums import LogoType
from ..exceptions import MeetingsError, MeetingsValidationError
from ..models import Application, Recording, Room, Theme
from .applications import Named, ensure_row, owner_of
from .callbacks import with_callback_urls
from .clients import client_for
from .fields import recording_fields, room_fields, theme_fields
from .upsert import bulk_upsert

__all__ = [
    "create_room",
    "create_theme",
    "delete_recording",
    "delete_theme",
    "download_url",
    "refresh_recording",
    "refresh_room",
    "refresh_theme",
    "set_default_theme",
    "update_room",
    "update_theme",
    "upload_logos",
]

LogoFile = str | Path | IO[bytes]


def _id(obj: Room | Theme | Recording | str) -> str:
    return obj if isinstance(obj, str) else str(obj.vonage_id)


def _as(model: type[Room | Theme | Recording], obj: Any, application: Named) -> Named:
    """The application to act as for ``obj`` (a row, or the id of one the mirror may have)."""
    if isinstance(obj, str) and application is None:
        obj = model._default_manager.filter(vonage_id=obj).only("application").first()
    return owner_of(obj, application)


def _owner(api: MeetingsClient) -> str:
    """The application rows stored from ``api``'s answers belong to (its row made if new)."""
    return str(ensure_row(api.application_id).vonage_id)


def _store_room(api: MeetingsClient, payload: Mapping[str, Any]) -> Room:
    fields = {**room_fields(payload), "application_id": _owner(api)}
    bulk_upsert(Room, [fields])
    return Room.objects.select_related("theme").get(vonage_id=fields["vonage_id"])


def _store_theme(api: MeetingsClient, payload: Mapping[str, Any]) -> Theme:
    fields = {**theme_fields(payload), "application_id": _owner(api)}
    bulk_upsert(Theme, [fields])
    return Theme.objects.get(vonage_id=fields["vonage_id"])


def _store_recording(api: MeetingsClient, payload: Mapping[str, Any]) -> Recording:
    fields = {**recording_fields(payload), "application_id": _owner(api)}
    bulk_upsert(Recording, [fields], keep_if_missing=("room_id",))
    return Recording.objects.get(vonage_id=fields["vonage_id"])


def create_room(
    data: Mapping[str, Any], *, application: Named = None, client: MeetingsClient | None = None
) -> Room:
    """Create a room on the API (with this site's callback URLs) and mirror it.

    A ``theme_id`` must name a theme of the same application (the API refuses others too).
    """
    _check_theme(data, application)
    with client_for(client, application) as api:
        answer = api.create_room(with_callback_urls(data, application=application))
        return _store_room(api, answer)


def update_room(
    room: Room | str,
    data: Mapping[str, Any],
    *,
    application: Named = None,
    client: MeetingsClient | None = None,
) -> Room:
    acting = _as(Room, room, application)
    _check_theme(data, acting)
    with client_for(client, acting) as api:
        answer = api.update_room(_id(room), data)
        return _store_room(api, answer)


def refresh_room(
    room: Room | str, *, application: Named = None, client: MeetingsClient | None = None
) -> Room:
    with client_for(client, _as(Room, room, application)) as api:
        answer = api.get_room(_id(room))
        return _store_room(api, answer)


def _check_theme(data: Mapping[str, Any], application: Named) -> None:
    """A theme of another application cannot be a room's (the API would not find it)."""
    details = data.get("update_details") if set(data) == {"update_details"} else data
    theme_id = details.get("theme_id") if isinstance(details, Mapping) else None
    if not theme_id:
        return
    owner = Theme.objects.filter(vonage_id=theme_id).values_list("application_id", flat=True)
    mirrored: Any = owner.first()  # the FK holds the application's vonage_id (to_field)
    if mirrored is None:
        return  # not mirrored: the API decides
    if mirrored != credentials.of(application).application_id:
        raise MeetingsValidationError({"theme_id": ["This theme belongs to another application."]})


def create_theme(
    data: Mapping[str, Any], *, application: Named = None, client: MeetingsClient | None = None
) -> Theme:
    with client_for(client, application) as api:
        answer = api.create_theme(data)
        return _store_theme(api, answer)


def update_theme(
    theme: Theme | str,
    data: Mapping[str, Any],
    *,
    application: Named = None,
    client: MeetingsClient | None = None,
) -> Theme:
    with client_for(client, _as(Theme, theme, application)) as api:
        answer = api.update_theme(_id(theme), data)
        return _store_theme(api, answer)


def refresh_theme(
    theme: Theme | str, *, application: Named = None, client: MeetingsClient | None = None
) -> Theme:
    with client_for(client, _as(Theme, theme, application)) as api:
        answer = api.get_theme(_id(theme))
        return _store_theme(api, answer)


def delete_theme(
    theme: Theme | str,
    *,
    force: bool = False,
    application: Named = None,
    client: MeetingsClient | None = None,
) -> None:
    """Delete a theme on the API (``force`` even while rooms use it), then locally.

    Rooms that used it lose their theme, as on the API (the foreign key is SET_NULL).
    """
    theme_id = _id(theme)
    with client_for(client, _as(Theme, theme, application)) as api:
        api.delete_theme(theme_id, force=force)
    with transaction.atomic():
        Room.objects.filter(theme_id=theme_id).update(theme_id=None)
        # The FK holds the theme's vonage_id (to_field), a string the stubs do not expect.
        Application.objects.filter(default_theme_id=cast(Any, theme_id)).update(
            default_theme_id=None
        )
        Theme.objects.filter(vonage_id=theme_id).delete()


def set_default_theme(
    theme: Theme | str | None, *, application: Named = None, client: MeetingsClient | None = None
) -> Application:
    """Make a theme the default of its application (the API's ``PATCH /applications``);
    ``None`` clears the default of ``application``."""
    acting = _as(Theme, theme, application) if theme is not None else application
    with client_for(client, acting) as api:
        answer = api.set_default_theme(_id(theme) if theme is not None else None)
        row = ensure_row(str(answer.get("application_id") or api.application_id))
    row.account_id = str(answer.get("account_id") or "")
    row.default_theme_id = answer.get("default_theme_id") or None
    row.data = answer
    row.save(update_fields=["account_id", "default_theme", "data", "local_updated_at"])
    return row


def upload_logos(
    theme: Theme | str,
    files: Mapping[str, LogoFile],
    *,
    application: Named = None,
    client: MeetingsClient | None = None,
) -> Theme:
    """Upload logos (``{"white": file, "colored": ..., "favicon": ...}``); refresh the theme.

    Each logo is its own upload on the API, so a refusal can come after others were accepted;
    the theme is then refreshed from the API before the error propagates.
    """
    unknown = [name for name in files if name not in LogoType.values]
    if unknown:
        raise MeetingsValidationError({name: ["Not a logo type."] for name in unknown})
    theme_id = _id(theme)
    with client_for(client, _as(Theme, theme, application)) as api:
        uploaded = 0
        try:
            for logo_type, file in files.items():
                api.upload_icon(theme_id, logo_type, file)
                uploaded += 1
        except MeetingsError:
            # The logos uploaded before the refusal are on the theme now: mirror that (when the
            # API answers), then report the refusal.
            if uploaded:
                with contextlib.suppress(MeetingsError):
                    _store_theme(api, api.get_theme(theme_id))
            raise
        answer = api.get_theme(theme_id)
        return _store_theme(api, answer)


def refresh_recording(
    recording: Recording | str, *, application: Named = None, client: MeetingsClient | None = None
) -> Recording:
    with client_for(client, _as(Recording, recording, application)) as api:
        answer = api.get_recording(_id(recording))
        return _store_recording(api, answer)


def download_url(
    recording: Recording | str, *, application: Named = None, client: MeetingsClient | None = None
) -> str:
    """A fresh download URL for an uploaded recording.

    The API presigns each URL for a limited time, so the one stored by the last sync or callback
    may have expired; this asks again. Raises ``MeetingsError`` when the recording has no
    download link (not uploaded yet), and the API's errors as they come.
    """
    recording_id = _id(recording)
    with client_for(client, _as(Recording, recording, application)) as api:
        answer = api.get_recording(recording_id)
    url = recording_fields(answer)["url"]
    if not url:
        status = answer.get("status") or "unknown"
        raise MeetingsError(f"recording {recording_id} has no download link yet (status: {status})")
    return str(url)


def delete_recording(
    recording: Recording | str, *, application: Named = None, client: MeetingsClient | None = None
) -> None:
    """Delete a recording on the API (only possible once uploaded), then locally."""
    recording_id = _id(recording)
    with client_for(client, _as(Recording, recording, application)) as api:
        api.delete_recording(recording_id)
    Recording.objects.filter(vonage_id=recording_id).delete()
