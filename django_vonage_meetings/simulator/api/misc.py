"""Recordings, session recordings and dial-in numbers."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from django_vonage_meetings.enums import RecordingStatus

from ..errors import ServiceError, not_found
from ..ids import lookup_uuid
from ..models import Recording, Session
from ..wire import RecordingSerializer
from .base import SimulatorAPIView

#: What the service listed (number, locale, display_name); real entries first.
DIAL_IN_NUMBERS = [
    {"number": "541139862166", "locale": "es-AR", "display_name": "Argentina"},
    {"number": "61283114432", "locale": "en-AU", "display_name": "Australia"},
    {"number": "3227884100", "locale": "fr-BE", "display_name": "Belgium"},
    {"number": "5511952040622", "locale": "pt-BR", "display_name": "Brazil"},
    {"number": "16473608585", "locale": "en-CA", "display_name": "Canada"},
    {"number": "33170700945", "locale": "fr-FR", "display_name": "France"},
    {"number": "4930255558420", "locale": "de-DE", "display_name": "Germany"},
    {"number": "97237630033", "locale": "he-IL", "display_name": "Israel"},
    {"number": "390694800395", "locale": "it-IT", "display_name": "Italy"},
    {"number": "34911230512", "locale": "es-ES", "display_name": "Spain"},
    {"number": "442381924626", "locale": "en-GB", "display_name": "United Kingdom"},
    {"number": "12015006060", "locale": "en-US", "display_name": "United States"},
]


class RecordingView(SimulatorAPIView):
    def _recording(self, recording_id: str) -> Recording | None:
        return (
            Recording.objects.filter(
                recording_id=lookup_uuid(recording_id),
                session__room__application=self.application,
            )
            .select_related("session__room__application")
            .first()
        )

    def get(self, request: Request, recording_id: str) -> Response:
        recording = self._recording(recording_id)
        if recording is None:
            raise not_found(f"Recording {recording_id} was not found")
        return Response(RecordingSerializer(recording, context={"origin": self.origin}).data)

    def delete(self, request: Request, recording_id: str) -> Response:
        recording = self._recording(recording_id)
        if recording is None:
            raise not_found("Could not find recording")
        if recording.status != RecordingStatus.UPLOADED:
            raise ServiceError(
                403, "ForbiddenError", "Can only delete recordings in 'uploaded' status"
            )
        recording.delete()
        return Response(status=204)


class SessionRecordingsView(SimulatorAPIView):
    def get(self, request: Request, session_id: str) -> Response:
        session = Session.objects.filter(
            session_id=session_id, room__application=self.application
        ).first()
        if session is None:
            raise not_found(f"Failed to find session recordings by id: {session_id}")
        recordings = session.recordings.select_related("session__room__application").order_by(
            "started_at", "id"
        )
        listed = RecordingSerializer(recordings, many=True, context={"origin": self.origin})
        return Response({"_embedded": {"recordings": listed.data}})


class DialInNumbersView(SimulatorAPIView):
    def get(self, request: Request) -> Response:
        return Response(DIAL_IN_NUMBERS)
