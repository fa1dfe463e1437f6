"""``/rooms`` and ``/themes/{id}/rooms``."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from django_vonage_meetings import rules
from django_vonage_meetings.enums import RoomType

from ..conf import sim_setting
from ..egress import EgressRefused, check_target
from ..errors import ServiceError, bad_request, not_found
from ..ids import lookup_uuid
from ..models import Room, Theme
from ..paging import room_page
from ..validation import RoomCreate, RoomUpdate, room_input, update_details, validated
from .base import SimulatorAPIView, body_of


def new_meeting_code() -> str:
    """Nine digits, never starting with 0 (the service's codes looked like 412958792)."""
    return str(secrets.randbelow(900_000_000) + 100_000_000)


def _theme_for(view: SimulatorAPIView, theme_id: Any) -> Theme | None:
    if theme_id is None:
        return None
    theme = Theme.objects.filter(application=view.application, theme_id=theme_id).first()
    if theme is None:
        raise bad_request(f"Theme {theme_id} not found")
    return theme


def apply_room_fields(view: SimulatorAPIView, room: Room, data: dict[str, Any]) -> None:
    """Copy validated input onto a room (create and update share every updatable field)."""
    if "expires_at" in data:
        room.expires_at = data["expires_at"]
        if room.expires_at > timezone.now():
            room.expired = False
    for name in ("expire_after_use", "join_approval_level"):
        if name in data:
            setattr(room, name, data[name])
    if "theme_id" in data:
        room.theme = _theme_for(view, data["theme_id"])
    if "microphone_state" in (data.get("initial_join_options") or {}):
        room.microphone_state = data["initial_join_options"]["microphone_state"]
    for name, value in (data.get("callback_urls") or {}).items():
        # An embedded application's callbacks never leave the process: no egress rule.
        if value and not view.application.in_process:
            try:
                check_target(value)
            except EgressRefused as exc:
                raise bad_request(f"callback_urls.{name}: {exc}") from None
        setattr(room, name, value)
    for name, value in (data.get("available_features") or {}).items():
        setattr(room, name, value)
    if "language" in (data.get("ui_settings") or {}):
        room.language = data["ui_settings"]["language"]


class RoomsView(SimulatorAPIView):
    def get(self, request: Request) -> Response:
        rooms = Room.objects.filter(application=self.application).select_related(
            "theme", "application"
        )
        return Response(room_page(request, rooms, {"origin": self.origin}))

    def post(self, request: Request) -> Response:
        data = validated(RoomCreate, room_input(body_of(request)))
        limit = sim_setting("MAX_ROOMS")
        if limit is not None and Room.objects.filter(application=self.application).count() >= limit:
            raise ServiceError(403, "ForbiddenError", "Maximum number of rooms for owner exceeded")
        now = timezone.now()
        room = Room(
            application=self.application,
            display_name=data["display_name"],
            metadata=data.get("metadata"),
            type=data.get("type", RoomType.INSTANT),
            created_at=now,
            expires_at=now + dt.timedelta(seconds=rules.INSTANT_ROOM_LIFETIME_SECONDS),
        )
        options = data.get("recording_options") or {}
        room.auto_record = options.get("auto_record", False)
        room.record_only_owner = options.get("record_only_owner", False)
        apply_room_fields(self, room, data)
        for _attempt in range(10):
            room.meeting_code = new_meeting_code()
            try:
                with transaction.atomic():
                    room.save()
                break
            except IntegrityError:
                room.pk = None
                room.room_id = uuid.uuid4()
        else:  # pragma: no cover - 10 collisions among 900 million codes
            raise ServiceError(500, "InternalServerError", "Internal Server Error")
        return Response(self.render_room(room), status=201)


class RoomView(SimulatorAPIView):
    def _room(self, room_id: str) -> Room:
        room = (
            Room.objects.filter(application=self.application, room_id=lookup_uuid(room_id))
            .select_related("theme", "application")
            .first()
        )
        if room is None:
            raise not_found("Room not found")
        return room

    def get(self, request: Request, room_id: str) -> Response:
        return Response(self.render_room(self._room(room_id)))

    def patch(self, request: Request, room_id: str) -> Response:
        room = self._room(room_id)
        details = update_details(body_of(request))
        if room.type == RoomType.INSTANT:
            raise bad_request(
                f"The room with id: {room.room_id} could not be updated because of its type: "
                "temporary"
            )
        data = validated(RoomUpdate, room_input(details))
        apply_room_fields(self, room, data)
        room.save()
        return Response(self.render_room(room))


class ThemeRoomsView(SimulatorAPIView):
    def get(self, request: Request, theme_id: str) -> Response:
        theme = Theme.objects.filter(
            application=self.application, theme_id=lookup_uuid(theme_id)
        ).first()
        if theme is None:
            raise not_found(f"Failed to get rooms because theme id {theme_id} not found")
        rooms = Room.objects.filter(theme=theme).select_related("theme", "application")
        return Response(room_page(request, rooms, {"origin": self.origin}))
