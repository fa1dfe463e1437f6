"""``MeetingsClient``: the Meetings API over HTTP, and nothing else.

It returns the API's decoded JSON (snake_case dicts, ``_links`` kept) and knows nothing of models;
the ``services`` package turns answers into rows. It speaks the wire exactly as the service did
and reads it as leniently as the service answered; the transport (``api.transport``) makes every
failure a typed error.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from .. import credentials
from ..conf import meetings_settings
from ..exceptions import (
    LogoUploadError,
    MeetingsAPIError,
)
from ..simulation import simulator
from . import validation
from .base import ClientBase
from .pages import embedded_rooms, normalise_page, normalise_room, segment, unwrap
from .transport import (
    USER_AGENT,
    WithoutAuthorization,
    s3_error,
)

__all__ = ["MeetingsClient"]

logger = logging.getLogger("django_vonage_meetings.client")


class MeetingsClient(ClientBase):
    """A client for the Vonage Meetings API (method names follow the official Node SDK).

    Build it from settings with :meth:`from_settings`, or directly::

        client = MeetingsClient(application_id="...", private_key="/path/private.key")
        room = client.create_room({"display_name": "Weekly", "type": "instant"})

    One client may be shared between threads. Close it (or use it as a context manager) to
    release pooled connections.
    """

    @classmethod
    def from_settings(cls, application: Any = None, **overrides: Any) -> MeetingsClient:
        """A client configured from ``settings.VONAGE_MEETINGS`` (read now, validated), acting
        as ``application``: a settings name, an ``Application`` row, or None for the default
        one.

        With ``SIMULATE`` on, it acts as the simulator's provisioned application of that name
        and its calls are answered in process (``in_process`` is then True).
        """
        s = meetings_settings
        acting = credentials.of(application)
        simulated = acting.simulated
        options: dict[str, Any] = {
            "timeout": s.TIMEOUT,
            "connect_timeout": s.CONNECT_TIMEOUT,
            "max_retries": s.MAX_RETRIES,
            "backoff_factor": s.RETRY_BACKOFF,
            "retry_after_max": s.RETRY_AFTER_MAX,
            "jwt_ttl": s.JWT_TTL,
            "deadline": s.CALL_DEADLINE,
            "max_pages": s.MAX_PAGES,
            "max_response_bytes": s.MAX_RESPONSE_BYTES,
        }
        if simulated is None:
            options.update(
                application_id=acting.application_id,
                private_key=acting.private_key(),
                api_host=acting.api_host,
            )
        else:
            options.update(
                application_id=simulated.application_id,
                private_key=simulated.private_key_pem,
                api_host=simulated.api_host,
            )
        options.update(overrides)
        client = cls(**options)
        if simulated is not None and client.api_host == simulated.api_host:
            simulator().mount(client.session, client.retry, client.api_host, acting.name)
            client.in_process = True
        return client

    # -- rooms -------------------------------------------------------------------------------

    def get_room_page(
        self,
        page_size: int | None = None,
        start_id: int | str | None = None,
        end_id: int | str | None = None,
    ) -> dict[str, Any]:
        params = {"page_size": page_size, "start_id": start_id, "end_id": end_id}
        page = self._request(
            "GET", "/rooms", params={k: v for k, v in params.items() if v is not None}
        )
        return normalise_page(self._object(page, "GET", "/rooms"))

    def get_rooms(self, page_size: int | None = None) -> Iterator[dict[str, Any]]:
        """Every room, page by page, following ``_links.next`` until there is none."""
        for page in self._pages("/rooms", {"page_size": page_size}):
            yield from embedded_rooms(page)

    def iter_room_pages(self, page_size: int | None = None) -> Iterator[dict[str, Any]]:
        """Every page of rooms (for callers that work a page at a time, like the sync)."""
        for page in self._pages("/rooms", {"page_size": page_size}):
            yield normalise_page(page)

    def get_room(self, room_id: str) -> dict[str, Any]:
        path = f"/rooms/{segment('room_id', room_id)}"
        return normalise_room(self._object(self._request("GET", path), "GET", path))

    def create_room(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Create a room (checked locally first). Never retried after it may have arrived."""
        body = validation.validate_room_create(data)
        answer = self._request("POST", "/rooms", json=body)
        return normalise_room(self._object(answer, "POST", "/rooms"))

    def update_room(self, room_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """PATCH a room; ``data`` is wrapped in ``update_details`` unless it already is."""
        path = f"/rooms/{segment('room_id', room_id)}"
        body = {"update_details": validation.validate_room_update(unwrap(data))}
        answer = self._request("PATCH", path, json=body)
        return normalise_room(self._object(answer, "PATCH", path))

    # -- themes ------------------------------------------------------------------------------

    def get_themes(self) -> list[dict[str, Any]]:
        answer = self._request("GET", "/themes")
        # An application without themes got `{}` from the service (and `[]` from Node's stubs).
        return list(answer) if isinstance(answer, list) else []

    def get_theme(self, theme_id: str) -> dict[str, Any]:
        path = f"/themes/{segment('theme_id', theme_id)}"
        return self._object(self._request("GET", path), "GET", path)

    def create_theme(self, data: Mapping[str, Any]) -> dict[str, Any]:
        body = validation.validate_theme_create(data)
        return self._object(self._request("POST", "/themes", json=body), "POST", "/themes")

    def update_theme(self, theme_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """PATCH a theme; ``data`` is wrapped in ``update_details`` unless it already is."""
        path = f"/themes/{segment('theme_id', theme_id)}"
        body = {"update_details": validation.validate_theme_update(unwrap(data))}
        return self._object(self._request("PATCH", path, json=body), "PATCH", path)

    def delete_theme(self, theme_id: str, force: bool = False) -> None:
        """Delete a theme; ``force=True`` (sent only then) also detaches it from rooms."""
        params = {"force": "true"} if force else None
        self._request("DELETE", f"/themes/{segment('theme_id', theme_id)}", params=params)

    def get_rooms_for_theme_page(
        self,
        theme_id: str,
        page_size: int | None = None,
        start_id: int | str | None = None,
        end_id: int | str | None = None,
    ) -> dict[str, Any]:
        path = f"/themes/{segment('theme_id', theme_id)}/rooms"
        params = {"page_size": page_size, "start_id": start_id, "end_id": end_id}
        page = self._request("GET", path, params={k: v for k, v in params.items() if v is not None})
        return normalise_page(self._object(page, "GET", path))

    def get_rooms_for_theme(
        self, theme_id: str, page_size: int | None = None
    ) -> Iterator[dict[str, Any]]:
        path = f"/themes/{segment('theme_id', theme_id)}/rooms"
        for page in self._pages(path, {"page_size": page_size}):
            yield from embedded_rooms(page)

    def set_default_theme(self, theme_id: str | None) -> dict[str, Any]:
        """Make a theme the application's default (``None`` clears it); returns the application."""
        body = {"update_details": {"default_theme_id": theme_id}}
        answer = self._request("PATCH", "/applications", json=body)
        return self._object(answer, "PATCH", "/applications")

    # -- logos -------------------------------------------------------------------------------

    def get_logo_upload_urls(self) -> list[dict[str, Any]]:
        answer = self._request("GET", "/themes/logos-upload-urls")
        return list(answer) if isinstance(answer, list) else []

    def upload_logo_to_s3(
        self, form: Mapping[str, Any], content: bytes, filename: str = "logo.png"
    ) -> None:
        """POST the image to the presigned form: every field first, the file last, no auth."""
        url = str(form["url"])
        fields = form.get("fields") or {}
        parts: list[tuple[str, tuple[str | None, Any, str | None]]] = [
            (str(name), (None, str(value), None)) for name, value in fields.items()
        ]
        parts.append(("file", (filename, content, "image/png")))
        # A presigned form authenticates itself: no Authorization header, no session auth.
        response = self._send(
            "POST",
            url,
            files=parts,
            headers={"User-Agent": USER_AGENT, "Authorization": None},
            auth=WithoutAuthorization(),
        )
        if response.status_code in (200, 201, 204):
            return
        code, message = s3_error(response.text)
        raise LogoUploadError(
            response.status_code,
            method="POST",
            url=url.split("?", maxsplit=1)[0],
            name=code or "S3Error",
            message=message or f"the logo upload was refused with HTTP {response.status_code}",
        )

    def finalize_logos(self, theme_id: str, keys: list[str]) -> None:
        """Attach uploaded logos to a theme (the service answered a bare ``OK``)."""
        path = f"/themes/{segment('theme_id', theme_id)}/finalizeLogos"
        self._request("PUT", path, json={"keys": list(keys)})

    def upload_icon(self, theme_id: str, logo_type: str, file: str | Path | IO[bytes]) -> str:
        """Upload one logo to a theme in the service's three steps; return its storage key."""
        content, filename = validation.read_logo(file, logo_type)
        forms = self.get_logo_upload_urls()
        form = next(
            (f for f in forms if (f.get("fields") or {}).get("logoType") == logo_type), None
        )
        if form is None:
            raise MeetingsAPIError(
                200,
                method="GET",
                url=self.url("/themes/logos-upload-urls"),
                message=f"the service offered no upload form for logo type {logo_type!r}",
            )
        self.upload_logo_to_s3(form, content, filename)
        key = str(form["fields"]["key"])
        self.finalize_logos(theme_id, [key])
        return key

    # -- recordings, sessions, numbers -------------------------------------------------------

    def get_recording(self, recording_id: str) -> dict[str, Any]:
        path = f"/recordings/{segment('recording_id', recording_id)}"
        return self._object(self._request("GET", path), "GET", path)

    def delete_recording(self, recording_id: str) -> None:
        self._request("DELETE", f"/recordings/{segment('recording_id', recording_id)}")

    def get_session_recordings(self, session_id: str) -> list[dict[str, Any]]:
        path = f"/sessions/{segment('session_id', session_id)}/recordings"
        answer = self._request("GET", path)
        embedded = answer.get("_embedded") if isinstance(answer, Mapping) else None
        recordings = embedded.get("recordings") if isinstance(embedded, Mapping) else embedded
        return list(recordings) if isinstance(recordings, list) else []

    def get_dial_in_numbers(self) -> list[dict[str, Any]]:
        answer = self._request("GET", "/dial-in-numbers")
        return list(answer) if isinstance(answer, list) else []
