"""The object the test kit hands to a test: meetings to drive, callbacks seen, faults to inject.

Everything runs in the test's own thread and transaction: the client's calls are answered by
the simulator in process, and every callback reaches this site's webhook view (and your
receivers) before the call that caused it returns.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.test import override_settings

from .. import credentials
from ..models import Room
from ..simulator import controls
from ..simulator.delivery import callback_sent
from ..simulator.embedded import callbacks, prepare, provisioning
from ..simulator.models import CallbackDelivery

__all__ = ["Meeting", "MeetingsSimulator", "simulating"]


def _room_id(room: Room | str) -> str:
    return str(room.vonage_id) if isinstance(room, Room) else str(room)


class Meeting:
    """One meeting in a room: people join and leave, a host records, the session ends."""

    def __init__(self, room_id: str) -> None:
        self.room_id = room_id
        self._session_id: str | None = None
        self._recording_id: str | None = None

    @property
    def session_id(self) -> str:
        """The session the meeting runs in (it starts with the first person let in)."""
        if self._session_id is None:
            raise controls.SimulatorError("Nobody has joined this meeting yet.")
        return self._session_id

    @property
    def recording_id(self) -> str:
        if self._recording_id is None:
            raise controls.SimulatorError("Nothing has been recorded in this meeting yet.")
        return self._recording_id

    def join(self, name: str, host: bool = False) -> str:
        """Someone joins (the first starts the session); returns their participant id."""
        person = controls.join(self.room_id, name, host)
        if person.session is not None:
            self._session_id = person.session.session_id
        return str(person.participant_id)

    def leave(self, participant_id: str) -> None:
        controls.leave(participant_id)

    def start_recording(self) -> str:
        """Start recording the session; returns the recording id."""
        recording = controls.start_recording(self.session_id)
        self._recording_id = str(recording.recording_id)
        return self._recording_id

    def stop_recording(self) -> None:
        controls.stop_recording(self.recording_id)

    def upload_recording(self) -> None:
        """Finish the upload of the last recording now (no waiting for the upload delay)."""
        controls.upload_recording(self.recording_id)

    def end(self) -> None:
        """A host ends the session: everyone leaves, a running recording stops."""
        controls.end_session(self.session_id)


class MeetingsSimulator:
    """The embedded simulator as a test sees it."""

    def __init__(self) -> None:
        #: The payloads delivered (and accepted) so far, in the order they were delivered.
        self.callbacks: list[dict[str, Any]] = []

    @property
    def application_id(self) -> str:
        """The default application's id (see :meth:`application_id_of` for the others)."""
        return self.application_id_of(None)

    @property
    def signature_secret(self) -> str:
        return provisioning.provisioned(credentials.default_name()).signature_secret

    def application_id_of(self, application: str | None) -> str:
        """The id the simulator gave an application (by settings name; None: the default)."""
        return provisioning.provisioned(application or credentials.default_name()).application_id

    def meeting(self, room: Room | str) -> Meeting:
        """A meeting in ``room`` (a mirrored ``Room`` or its id)."""
        return Meeting(_room_id(room))

    def expire_room(self, room: Room | str) -> None:
        """Expire the room now (its session ends; ``room:expired`` is delivered)."""
        controls.expire_room(_room_id(room))

    def events(self) -> list[str]:
        """The event names of :attr:`callbacks`, in order."""
        return [str(payload.get("event")) for payload in self.callbacks]

    # -- the API misbehaving ---------------------------------------------------------------

    def api_faults(self, application: str | None = None, **faults: Any) -> None:
        """Make the API misbehave for this test (the simulator's fault injection).

        ``script=[503, 503, 0]`` answers the next calls with those statuses in turn (0 means
        normally, ``"malformed"`` a 200 whose body is not JSON); ``ratios={"429": 0.5}`` a share
        of calls; ``delay_ms`` adds latency (longer than ``TIMEOUT`` counts as a read timeout);
        ``retry_after`` is the ``Retry-After`` sent with 429 and 503. No argument clears them.
        ``application`` names one of several applications (the default one otherwise).
        """
        name = application or credentials.default_name()
        prepare(name)
        controls.set_faults(self.application_id_of(name), **faults)

    def fail_next(self, *statuses: int | str, application: str | None = None) -> None:
        """Answer the next API calls with these statuses (or ``"malformed"``), then normally."""
        self.api_faults(application, script=list(statuses))

    # -- callbacks misbehaving -------------------------------------------------------------

    def duplicate_callbacks(self, copies: int = 2) -> None:
        """Deliver every callback ``copies`` times (the service retried after timeouts)."""
        if copies < 1:
            raise ValueError("copies must be at least 1")
        callbacks.policy.copies = copies

    def drop_callbacks(self, *events: str) -> None:
        """Never deliver callbacks of these event names (``"recording:uploaded"``...)."""
        callbacks.policy.dropped = frozenset(events)

    @contextmanager
    def held_callbacks(self, order: callbacks.Order = "reverse") -> Iterator[None]:
        """Hold the callbacks queued in the block, then deliver them in ``order`` ("reverse",
        "shuffle" or "fifo"): out-of-order delivery, as the service's retries could cause."""
        callbacks.policy.held = True
        try:
            yield
        finally:
            callbacks.policy.held = False
        callbacks.flush(order=order)

    def deliver_pending(self) -> None:
        """Deliver callbacks that are due now (after a receiver failed, say)."""
        controls.deliver_pending()

    # -- bookkeeping -----------------------------------------------------------------------

    def _record(
        self, delivery: CallbackDelivery, body: bytes, status_code: int | None, **kw: Any
    ) -> None:
        if delivery.application.in_process and status_code is not None and 200 <= status_code < 300:
            self.callbacks.append(json.loads(body))


@contextmanager
def simulating(**vonage_meetings: Any) -> Iterator[MeetingsSimulator]:
    """Switch this block to the in-process simulator and yield the test's simulator.

    The project's ``VONAGE_MEETINGS`` is kept with ``SIMULATE`` on and callbacks applied in
    the webhook request (``WEBHOOK_PROCESSING = "inline"``, so signals fire before the call
    returns); ``vonage_meetings`` adds or overrides keys. The simulator serves with DEBUG off,
    delivers only in process and keeps its clock still (rooms expire and uploads finish when the
    test says). Everything is restored afterwards.
    """
    own: Mapping[str, Any] = getattr(settings, "VONAGE_MEETINGS", None) or {}
    simulator_settings = getattr(settings, "VONAGE_MEETINGS_SIMULATOR", None) or {}
    simulator = MeetingsSimulator()
    with override_settings(
        VONAGE_MEETINGS={
            **own,
            "SIMULATE": True,
            "WEBHOOK_PROCESSING": "inline",
            **vonage_meetings,
        },
        VONAGE_MEETINGS_SIMULATOR={
            **simulator_settings,
            "ENABLED": True,
            "DELIVERY": "manual",
            "TIMER": False,
        },
    ):
        callbacks.policy.reset()
        callback_sent.connect(simulator._record, weak=False, dispatch_uid=id(simulator))
        try:
            yield simulator
        finally:
            callback_sent.disconnect(dispatch_uid=id(simulator))
            callbacks.policy.reset()
