"""Callback payload serializers, one per event shape (the registry in ``handlers`` says which
event uses which).

Unknown extra keys are allowed (the service added fields over time); missing identifiers, wrong
types and unparsable dates are errors, answered 400 before anything is stored.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ..enums import RoomType


class EventPayload(serializers.Serializer[Any]):
    event = serializers.CharField(max_length=64)


class RoomExpiredPayload(EventPayload):
    room_id = serializers.CharField(max_length=64)
    room_type = serializers.ChoiceField(RoomType.values, required=False)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    created_at = serializers.DateTimeField(required=False, allow_null=True)


class SessionStartedPayload(EventPayload):
    session_id = serializers.CharField(max_length=255)
    room_id = serializers.CharField(max_length=64, required=False, allow_null=True)
    started_at = serializers.DateTimeField(required=False, allow_null=True)


class SessionEndedPayload(SessionStartedPayload):
    ended_at = serializers.DateTimeField(required=False, allow_null=True)


class ParticipantPayload(EventPayload):
    participant_id = serializers.CharField(max_length=64)
    session_id = serializers.CharField(max_length=255)
    room_id = serializers.CharField(max_length=64, required=False, allow_null=True)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, allow_null=True)
    type = serializers.CharField(max_length=32, required=False, allow_blank=True, allow_null=True)
    is_host = serializers.BooleanField(required=False, default=False)


class RecordingStartedPayload(EventPayload):
    recording_id = serializers.CharField(max_length=64)
    session_id = serializers.CharField(max_length=255)


class RecordingEndedPayload(RecordingStartedPayload):
    started_at = serializers.DateTimeField(required=False, allow_null=True)
    ended_at = serializers.DateTimeField(required=False, allow_null=True)
    # A number, or a numeric string (Java's test sent "3598").
    duration = serializers.FloatField(required=False, allow_null=True, min_value=0)


class RecordingUploadedPayload(RecordingEndedPayload):
    room_id = serializers.CharField(max_length=64, required=False, allow_null=True)
    url = serializers.CharField(required=False, allow_blank=True, allow_null=True)
