"""Each application sees only its own rooms, themes, recordings and sessions."""

from __future__ import annotations

from django_vonage_meetings.simulator import controls


def test_applications_do_not_see_each_other(simulator_app, other_simulator_app):
    room = simulator_app.call("POST", "/rooms", json={"display_name": "mine"}).json()
    theme = simulator_app.call(
        "POST", "/themes", json={"main_color": "#fff", "brand_text": "b", "theme_name": "same"}
    ).json()
    recording = controls.create_recording(room["id"])

    other = other_simulator_app
    assert other.call("GET", f"/rooms/{room['id']}").status_code == 404
    assert other.call("GET", "/rooms").json()["total_items"] == 0
    assert other.call("GET", "/themes").json() == []
    assert other.call("GET", f"/themes/{theme['theme_id']}").status_code == 404
    assert other.call("DELETE", f"/themes/{theme['theme_id']}").status_code == 404
    assert other.call("GET", f"/recordings/{recording.recording_id}").status_code == 404
    assert (
        other.call("GET", f"/sessions/{recording.session.session_id}/recordings").status_code == 404
    )
    assert (
        other.call(
            "PATCH",
            "/applications",
            json={"update_details": {"default_theme_id": theme["theme_id"]}},
        ).status_code
        == 400
    )
    # Theme names are unique per application only.
    assert (
        other.call(
            "POST", "/themes", json={"main_color": "#fff", "brand_text": "b", "theme_name": "same"}
        ).status_code
        == 201
    )
