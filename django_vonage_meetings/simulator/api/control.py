"""The control endpoint: ``/simulator/_control/<action>``, for tests in other languages.

Authenticated with the application's JWT like the API, and limited to that application's data.
Each action calls the function of the same name in ``controls.py``.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework.request import Request
from rest_framework.response import Response

from .. import controls
from ..errors import ServiceError, input_error, not_found
from ..faults import FaultsError, effective_faults
from ..ids import lookup_uuid
from ..lifecycle import SimulatorError
from ..models import CallbackDelivery, Participant, Recording, Room, Session
from .base import SimulatorAPIView, body_of

DELIVERY_ORDERS = ("fifo", "reverse", "shuffle")


def _delivery_json(item: CallbackDelivery) -> dict[str, Any]:
    """Status and timing of a delivery; never what the target answered (``last_error`` holds
    only a status code or an error class)."""
    return {
        "id": item.pk,
        "event": item.event,
        "url": item.url,
        "status": item.status,
        "attempts": item.attempts,
        "response_code": item.response_code,
        "last_error": item.last_error,
        "created_at": item.created_at,
        "next_attempt_at": item.next_attempt_at,
        "delivered_at": item.delivered_at,
        "payload": item.payload(),
    }


class ControlView(SimulatorAPIView):
    """POST an action name with a JSON body; GET ``faults`` or ``deliveries`` to read them."""

    inject_faults = False

    def _owned(self, model: Any, field: str, value: Any, path: str) -> Any:
        """The object of this application, or 404 (malformed ids find nothing, as in the API)."""
        kind = model._meta.get_field(field)
        if isinstance(kind, models.UUIDField):
            value = lookup_uuid(value)
        elif isinstance(kind, models.AutoField | models.IntegerField):
            value = _int(value, field, 1, 2**62)
        elif not isinstance(value, str):
            raise input_error(f'"{field}" must be a string')
        found = model.objects.filter(**{field: value, path: self.application}).first()
        if found is None:
            raise not_found(f"No {model.__name__.lower()} {value} in this application")
        return found

    def get(self, request: Request, action: str) -> Response:
        if action == "faults":
            return Response(effective_faults(self.application))
        if action == "deliveries":
            items = CallbackDelivery.objects.filter(application=self.application).order_by("id")
            return Response([_delivery_json(i) for i in items])
        raise not_found(f"Unknown control {action}")

    def post(self, request: Request, action: str) -> Response:
        body = body_of(request)
        if not isinstance(body, dict):
            raise input_error('"value" must be of type object')
        try:
            return Response(self._run(action, body))
        except SimulatorError as exc:
            raise ServiceError(409, "ConflictError", str(exc)) from None
        except FaultsError as exc:
            raise input_error(str(exc)) from None
        except KeyError as exc:
            raise input_error(f'"{exc.args[0]}" is required') from None

    def _run(self, action: str, body: dict[str, Any]) -> Any:
        app = self.application
        if action == "faults":
            return controls.set_faults(app.application_id, **body).faults
        if action == "reset":
            return {"deleted": controls.reset(app.application_id)}
        # Each acts on the caller's application only: another tenant's callbacks are not the
        # caller's to send (or to time).
        if action == "tick":
            return {"changed": controls.tick(app)}
        if action == "deliver":
            order = body.get("order", "fifo")
            if order not in DELIVERY_ORDERS:
                raise input_error(f'"order" must be one of [{", ".join(DELIVERY_ORDERS)}]')
            repeat = _int(body.get("repeat", 1), "repeat")
            sent = controls.deliver_pending(order, repeat, application=app)
            return [_delivery_json(i) for i in sent]
        if action == "redeliver":
            item = self._owned(CallbackDelivery, "id", body["delivery_id"], "application")
            times = _int(body.get("times", 1), "times")
            return [_delivery_json(i) for i in controls.redeliver(item.pk, times)]
        if action == "join":
            room = self._owned(Room, "room_id", body["room_id"], "application")
            person = controls.join(room, str(body.get("name", "")), bool(body.get("host", False)))
            return _participant_json(person)
        if action in ("leave", "admit", "deny"):
            person = self._owned(
                Participant, "participant_id", body["participant_id"], "room__application"
            )
            return _participant_json(getattr(controls, action)(person))
        if action == "end_session":
            session = self._owned(Session, "session_id", body["session_id"], "room__application")
            return {"session_id": controls.end_session(session).session_id}
        if action == "start_recording":
            session = self._owned(Session, "session_id", body["session_id"], "room__application")
            return {"recording_id": str(controls.start_recording(session).recording_id)}
        if action in ("stop_recording", "upload_recording"):
            recording = self._owned(
                Recording, "recording_id", body["recording_id"], "session__room__application"
            )
            done = getattr(controls, action)(recording)
            return {"recording_id": str(done.recording_id), "status": done.status}
        if action == "expire_room":
            room = self._owned(Room, "room_id", body["room_id"], "application")
            return {"room_id": str(controls.expire_room(room).room_id)}
        raise not_found(f"Unknown control {action}")


def _int(value: Any, name: str, minimum: int = 1, maximum: int = 1000) -> int:
    """A small positive integer from a control body, or the service-shaped 400."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise input_error(f'"{name}" must be a number')
    try:
        number = int(value)
    except ValueError:
        raise input_error(f'"{name}" must be a number') from None
    if not minimum <= number <= maximum:
        raise input_error(f'"{name}" must be between {minimum} and {maximum}')
    return number


def _participant_json(person: Participant) -> dict[str, Any]:
    person.refresh_from_db()
    return {
        "participant_id": str(person.participant_id),
        "state": person.state,
        "is_host": person.is_host,
        "session_id": person.session.session_id if person.session else None,
    }
