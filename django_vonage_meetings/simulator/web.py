"""The simulator's non-API pages: the meeting page, the fake S3 bucket, recording downloads.

The meeting page is plain Django templates: open a room's host or guest URL, give a name, and
join; hosts start and stop recordings, admit waiting guests and end the session. Each person's
page lives at a URL carrying a signed "seat" (``django.core.signing``), so it works in any
browser without cookies and cannot be forged.

The meeting page speaks the active language (with ``LocaleMiddleware``, the visitor's). The
refusals it shows are ``SimulatorError`` messages, which the control API answers in English too:
they are marked with ``gettext_noop`` where they are raised and translated here, when shown. The
fake S3 bucket and the downloads answer like the real services, in English.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from typing import Any

from django.core import signing
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from django_vonage_meetings.enums import RecordingStatus

from . import controls
from .bucket import receive_upload
from .conf import sim_setting
from .ids import lookup_uuid
from .lifecycle import SimulatorError
from .logos import S3Error
from .models import Participant, ParticipantState, Recording, Room, StoredObject
from .urlnames import sim_reverse
from .wire import s3_object_url, signing_key, verify_participant_token
from .worker import ensure_worker

SEAT_SALT = "django_vonage_meetings.simulator.seat"
#: A tiny but valid MP4 "ftyp" box: the recording download is a real (empty) MP4 file.
PLACEHOLDER_MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free"


def _room_by_code(code: str, short_company_url: str | None = None) -> Room:
    room = Room.objects.filter(meeting_code=code).select_related("theme", "application").first()
    if room is None:
        raise Http404(gettext("No such meeting"))
    if short_company_url and (not room.theme or room.theme.short_company_url != short_company_url):
        raise Http404(gettext("No such meeting"))
    return room


def _theme_context(room: Room) -> dict[str, Any]:
    theme = room.theme or room.application.default_theme
    origin = room.application.origin
    bucket = sim_setting("BUCKET")
    return {
        "theme": theme,
        "main_color": theme.main_color if theme else "#871fff",
        "brand_text": theme.brand_text if theme else gettext("Vonage Meetings (simulator)"),
        "logo_url": s3_object_url(origin or "", bucket, theme.brand_image_colored)
        if theme and theme.brand_image_colored
        else None,
        "favicon_url": s3_object_url(origin or "", bucket, theme.branded_favicon)
        if theme and theme.branded_favicon
        else None,
    }


def shown_error(exc: SimulatorError) -> str:
    """A refusal as the page shows it: in the visitor's language when it is a marked one."""
    return gettext(str(exc))


def _lobby(request: HttpRequest, room: Room, *, host: bool) -> HttpResponse:
    ensure_worker()
    now = timezone.now()
    context = {
        "room": room,
        "host": host,
        "available": room.is_available_at(now),
        "error": None,
        **_theme_context(room),
    }
    if request.method == "POST":
        if not context["available"]:
            return render(request, "vonage_meetings_simulator/lobby.html", context, status=410)
        try:
            person = controls.join(room, request.POST.get("name", ""), host=host)
        except SimulatorError as exc:
            context["error"] = shown_error(exc)
            return render(request, "vonage_meetings_simulator/lobby.html", context, status=409)
        seat = signing.dumps(str(person.participant_id), salt=SEAT_SALT)
        return HttpResponseRedirect(sim_reverse("meet-seat", args=[seat]))
    status = 200 if context["available"] else 410
    return render(request, "vonage_meetings_simulator/lobby.html", context, status=status)


@require_http_methods(["GET", "POST"])
def meet_host(request: HttpRequest, short_company_url: str | None = None) -> HttpResponse:
    room = _room_by_code(request.GET.get("room_token", ""), short_company_url)
    token = request.GET.get("participant_token", "")
    if not verify_participant_token(room.application, token):
        return HttpResponseForbidden(gettext("This host link is not valid."))
    return _lobby(request, room, host=True)


@require_http_methods(["GET", "POST"])
def meet_guest(
    request: HttpRequest, meeting_code: str, short_company_url: str | None = None
) -> HttpResponse:
    return _lobby(request, _room_by_code(meeting_code, short_company_url), host=False)


def _seat(seat: str) -> Participant:
    try:
        participant_id = signing.loads(seat, salt=SEAT_SALT)
    except signing.BadSignature:
        raise Http404(gettext("No such seat")) from None
    person = (
        Participant.objects.filter(participant_id=uuid.UUID(participant_id))
        .select_related("room__theme", "room__application", "session")
        .first()
    )
    if person is None:
        raise Http404(gettext("No such seat"))
    return person


@require_http_methods(["GET", "POST"])
def meet_seat(request: HttpRequest, seat: str) -> HttpResponse:
    """One person's view of the meeting, with the actions their role allows."""
    person = _seat(seat)
    room = person.room
    error = None
    if request.method == "POST":
        try:
            _act(person, request.POST.get("action", ""), request.POST)
        except SimulatorError as exc:
            error = shown_error(exc)
        else:
            return HttpResponseRedirect(request.path)
        person.refresh_from_db()
    session = person.session
    running = session is not None and session.ended_at is None
    recording = (
        session.recordings.exclude(status=RecordingStatus.UPLOADED).order_by("-id").first()
        if session
        else None
    )
    context = {
        "person": person,
        "room": room,
        "session": session,
        "running": running,
        "present": list(session.participants.filter(state=ParticipantState.JOINED))
        if session
        else [],
        "waiting": list(room.participants.filter(state=ParticipantState.WAITING))
        if person.is_host
        else [],
        "recording": recording,
        "recording_running": recording is not None
        and recording.status in (RecordingStatus.STARTED, RecordingStatus.PAUSED),
        "can_record": person.is_host and room.is_recording_available and running,
        "rejoin_url": sim_reverse("meet-guest", args=[room.meeting_code]),
        "error": error,
        **_theme_context(room),
    }
    return render(
        request, "vonage_meetings_simulator/meeting.html", context, status=409 if error else 200
    )


def _act(person: Participant, action: str, data: Any) -> None:
    if action == "leave":
        controls.leave(person)
        return
    if not person.is_host:
        raise SimulatorError(gettext_noop("Only a host can do that."))
    session = person.session
    if action in ("admit", "deny"):
        waiting = Participant.objects.filter(
            participant_id=lookup_uuid(data.get("participant_id")), room=person.room
        ).first()
        if waiting is None:
            raise SimulatorError(gettext_noop("Nobody like that is waiting."))
        getattr(controls, action)(waiting)
        return
    if session is None or session.ended_at is not None:
        raise SimulatorError(gettext_noop("The meeting is not running."))
    if action == "start_recording":
        controls.start_recording(session)
    elif action == "stop_recording":
        running = session.recordings.filter(
            status__in=[RecordingStatus.STARTED, RecordingStatus.PAUSED]
        ).first()
        if running is None:
            raise SimulatorError(gettext_noop("Nothing is being recorded."))
        controls.stop_recording(running)
    elif action == "end_session":
        controls.end_session(session)
    else:
        raise SimulatorError(gettext("Unknown action %(action)r.") % {"action": action})


def recording_file(request: HttpRequest, recording_id: str) -> HttpResponse:
    """The "presigned" download: the signature and expiry are checked like S3's."""
    recording = (
        Recording.objects.filter(
            recording_id=lookup_uuid(recording_id), status=RecordingStatus.UPLOADED
        )
        .select_related("session__room__application")
        .first()
    )
    if recording is None:
        raise Http404("No such recording")
    try:
        expires = int(request.GET.get("X-Amz-Expires", "0"))
    except ValueError:
        expires = 0
    expected = hmac.new(
        signing_key("recording", recording.session.room.application),
        f"{recording.recording_id}:{expires}".encode(),
        hashlib.sha256,
    ).hexdigest()
    if expires < time.time() or not hmac.compare_digest(
        expected, request.GET.get("X-Amz-Signature", "")
    ):
        return HttpResponseForbidden(
            "<Error><Code>AccessDenied</Code><Message>Request has expired or the signature "
            "does not match</Message></Error>",
            content_type="application/xml",
        )
    response = HttpResponse(PLACEHOLDER_MP4, content_type="video/mp4")
    disposition = request.GET.get("response-content-disposition")
    if disposition:
        response["Content-Disposition"] = disposition
    return response


@csrf_exempt
@require_http_methods(["POST"])
def s3_bucket(request: HttpRequest, bucket: str) -> HttpResponse:
    """The presigned POST endpoint of the fake bucket (policy first, streamed, capped)."""
    return receive_upload(request, bucket)


def s3_object(request: HttpRequest, bucket: str, key: str) -> HttpResponse:
    """Finalized logos, served publicly like the service's image URLs."""
    stored = StoredObject.objects.filter(bucket=bucket, key=key).first()
    if stored is None or not key.startswith("logos/"):
        return HttpResponse(
            S3Error(404, "NoSuchKey", "The specified key does not exist.").xml("0"),
            status=404,
            content_type="application/xml",
        )
    response = HttpResponse(bytes(stored.content), content_type=stored.content_type)
    response["Cache-Control"] = "public, max-age=3600"
    return response


def index(request: HttpRequest) -> HttpResponse:
    """What the simulator is and where its API lives."""
    api = request.build_absolute_uri(sim_reverse("index") + "v1/meetings/")
    return render(request, "vonage_meetings_simulator/index.html", {"api": api})
