"""Room pages: serials, start_id inclusive, end_id exclusive, links only where they lead somewhere."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from django_vonage_meetings.simulator import controls
from django_vonage_meetings.simulator.models import Room


def seed(app, n):
    controls.seed(app.application_id, n)
    return list(
        Room.objects.filter(application__application_id=app.application_id)
        .order_by("id")
        .values_list("id", flat=True)
    )


def page(app, **params):
    response = app.call("GET", "/rooms", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def query(link):
    return {k: v[0] for k, v in parse_qs(urlsplit(link["href"]).query).items()}


def test_empty(simulator_app):
    body = page(simulator_app)
    assert body["page_size"] == 0
    assert body["total_items"] == 0
    assert body["_embedded"] == []
    assert "next" not in body["_links"]
    assert "prev" not in body["_links"]


def test_default_page_size_is_twenty_and_links_are_absolute(simulator_app):
    serials = seed(simulator_app, 45)
    body = page(simulator_app)
    assert list(body) == ["page_size", "_embedded", "_links", "total_items"]
    assert body["page_size"] == 20
    assert body["total_items"] == 45
    links = body["_links"]
    assert links["first"]["href"] == f"{simulator_app.url('/rooms')}?page_size=20"
    assert query(links["self"]) == {"page_size": "20", "start_id": str(serials[0])}
    assert query(links["next"]) == {"page_size": "20", "start_id": str(serials[19] + 1)}
    assert "prev" not in links


def test_walking_the_next_links_visits_every_room_once(simulator_app):
    serials = seed(simulator_app, 45)
    seen, params = [], {"page_size": 10}
    while True:
        body = page(simulator_app, **params)
        seen += [r["id"] for r in body["_embedded"]]
        if "next" not in body["_links"]:
            break
        params = query(body["_links"]["next"])
    assert len(seen) == 45 == len(set(seen)) == len(serials)


def test_exact_multiple_of_the_page_size_has_no_dangling_next(simulator_app):
    serials = seed(simulator_app, 20)
    first = page(simulator_app, page_size=10)
    second = page(simulator_app, **query(first["_links"]["next"]))
    assert second["page_size"] == 10
    assert "next" not in second["_links"]
    assert query(second["_links"]["prev"]) == {"page_size": "10", "end_id": str(serials[10])}


def test_start_inclusive_end_exclusive(simulator_app):
    serials = seed(simulator_app, 10)
    body = page(simulator_app, start_id=serials[2], end_id=serials[5])
    ids = [r["display_name"] for r in body["_embedded"]]
    assert ids == ["Seeded room 2", "Seeded room 3", "Seeded room 4"]


def test_end_id_alone_gives_the_page_before(simulator_app):
    serials = seed(simulator_app, 10)
    body = page(simulator_app, end_id=serials[8], page_size=3)
    assert [r["display_name"] for r in body["_embedded"]] == [
        "Seeded room 5",
        "Seeded room 6",
        "Seeded room 7",
    ]
    assert "prev" in body["_links"]
    assert "next" in body["_links"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page_size": "zero"}, '"page_size" must be a number'),
        ({"page_size": 0}, '"page_size" must be greater than or equal to 1'),
        ({"start_id": -1}, '"start_id" must be greater than or equal to 0'),
        ({"end_id": 10**30}, '"end_id" must be a safe number'),
        ({"page_size": 5000}, '"page_size" must be less than or equal to 1000'),
    ],
)
def test_bad_parameters(simulator_app, params, message):
    response = simulator_app.call("GET", "/rooms", params=params)
    assert response.status_code == 400
    assert response.json() == {"status": 400, "name": "InputValidationError", "message": message}


def test_theme_rooms_page(simulator_app):
    theme = simulator_app.call(
        "POST", "/themes", json={"main_color": "#fff", "brand_text": "x"}
    ).json()
    for n in range(3):
        room = simulator_app.call(
            "POST", "/rooms", json={"display_name": f"t{n}", "theme_id": theme["theme_id"]}
        )
        assert room.status_code == 201
    simulator_app.call("POST", "/rooms", json={"display_name": "unthemed"})
    body = simulator_app.call(
        "GET", f"/themes/{theme['theme_id']}/rooms", params={"page_size": 2}
    ).json()
    assert body["total_items"] == 3
    assert [r["display_name"] for r in body["_embedded"]] == ["t0", "t1"]
    assert body["_links"]["next"]["href"].startswith(
        simulator_app.url(f"/themes/{theme['theme_id']}/rooms")
    )
