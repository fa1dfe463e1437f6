"""Recordings, session recordings and dial-in numbers."""

from __future__ import annotations

import requests

from django_vonage_meetings.simulator import controls


def room(app):
    return app.call("POST", "/rooms", json={"display_name": "Recorded"}).json()


def test_get_recording(simulator_app):
    recording = controls.create_recording(room(simulator_app)["id"])
    response = simulator_app.call("GET", f"/recordings/{recording.recording_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(recording.recording_id)
    assert body["session_id"] == recording.session.session_id
    assert body["status"] == "uploaded"
    download = requests.get(body["_links"]["url"]["href"], timeout=10)
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "video/mp4"
    assert download.headers["Content-Disposition"].startswith('attachment; filename="Recorded_')
    assert download.content[4:8] == b"ftyp"


def test_download_link_is_signed(simulator_app):
    recording = controls.create_recording(room(simulator_app)["id"])
    href = simulator_app.call("GET", f"/recordings/{recording.recording_id}").json()["_links"][
        "url"
    ]["href"]
    tampered = href.replace("X-Amz-Signature=", "X-Amz-Signature=0")
    assert requests.get(tampered, timeout=10).status_code == 403


def test_not_found_messages(simulator_app):
    missing = "0b6e1c0e-9d33-4a53-9e05-0b2f0e3f5a6b"
    got = simulator_app.call("GET", f"/recordings/{missing}")
    assert got.status_code == 404
    assert got.json() == {
        "status": 404,
        "name": "NotFoundError",
        "message": f"Recording {missing} was not found",
    }
    deleted = simulator_app.call("DELETE", f"/recordings/{missing}")
    assert deleted.json() == {
        "status": 404,
        "name": "NotFoundError",
        "message": "Could not find recording",
    }
    session = simulator_app.call("GET", "/sessions/2_MX40nope/recordings")
    assert session.json()["message"] == "Failed to find session recordings by id: 2_MX40nope"


def test_delete_only_when_uploaded(simulator_app):
    started = controls.create_recording(room(simulator_app)["id"], status="started")
    response = simulator_app.call("DELETE", f"/recordings/{started.recording_id}")
    assert response.status_code == 403
    assert response.json()["message"] == "Can only delete recordings in 'uploaded' status"
    uploaded = controls.create_recording(room(simulator_app)["id"])
    response = simulator_app.call("DELETE", f"/recordings/{uploaded.recording_id}")
    assert response.status_code == 204
    assert simulator_app.call("GET", f"/recordings/{uploaded.recording_id}").status_code == 404


def test_session_recordings(simulator_app):
    recording = controls.create_recording(room(simulator_app)["id"])
    body = simulator_app.call("GET", f"/sessions/{recording.session.session_id}/recordings").json()
    assert list(body) == ["_embedded"]
    assert [r["id"] for r in body["_embedded"]["recordings"]] == [str(recording.recording_id)]


def test_dial_in_numbers(simulator_app):
    numbers = simulator_app.call("GET", "/dial-in-numbers").json()
    assert len(numbers) >= 10
    for entry in numbers:
        assert set(entry) == {"number", "locale", "display_name"}
        assert entry["number"].isdigit()
        assert "-" in entry["locale"]
    assert {
        "number": "442381924626",
        "locale": "en-GB",
        "display_name": "United Kingdom",
    } in numbers
