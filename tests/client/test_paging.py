"""Generators follow _links.next in every form the service used, and never loop."""

from __future__ import annotations

import pytest

from tests.fixtures.client import Reply


def room(n: int) -> dict:
    return {"id": f"room-{n}", "display_name": f"Room {n}"}


def page(items, next_href=None, embedded_as_object=False):
    links = {"first": {"href": "x"}, "self": {"href": "x"}}
    if next_href is not None:
        links["next"] = {"href": next_href}
    embedded = {"rooms": items} if embedded_as_object else items
    return {"page_size": len(items), "total_items": 99, "_embedded": embedded, "_links": links}


def paged_handler(pages_by_start):
    def handler(recorded):
        start = recorded.query.get("start_id", ["first"])[0]
        return Reply(200, pages_by_start[start])

    return handler


@pytest.mark.parametrize(
    "link_form",
    [
        "https://api-eu.vonage.com/v1/meetings/rooms?page_size=2&start_id={n}",
        "api-eu.vonage.com/meetings/rooms?page_size=2&start_id={n}",
        "/v1/meetings/rooms?page_size=2&start_id={n}",
        "rooms?page_size=2&start_id={n}",
    ],
    ids=["absolute", "scheme-less", "root-relative", "relative"],
)
def test_follows_every_link_form(make_client, scripted_server, link_form):
    scripted_server.handle(
        "GET",
        "/v1/meetings/rooms",
        paged_handler(
            {
                "first": page([room(1), room(2)], link_form.format(n=3)),
                "3": page([room(3), room(4)], link_form.format(n=5)),
                "5": page([room(5)]),
            }
        ),
    )
    rooms = list(make_client().get_rooms(page_size=2))
    assert [r["id"] for r in rooms] == [f"room-{n}" for n in range(1, 6)]
    # Every request went to the configured host, never to the host a link names.
    assert len(scripted_server.requests) == 3
    assert [r.query.get("start_id") for r in scripted_server.requests] == [None, ["3"], ["5"]]
    assert all(r.query["page_size"] == ["2"] for r in scripted_server.requests)


def test_stops_on_an_empty_page_even_with_a_next_link(make_client, scripted_server):
    scripted_server.handle(
        "GET",
        "/v1/meetings/rooms",
        paged_handler(
            {"first": page([room(1)], "rooms?start_id=2"), "2": page([], "rooms?start_id=3")}
        ),
    )
    assert [r["id"] for r in make_client().get_rooms()] == ["room-1"]
    assert len(scripted_server.requests) == 2


def test_never_loops_on_a_repeated_link(make_client, scripted_server):
    scripted_server.handle(
        "GET",
        "/v1/meetings/rooms",
        paged_handler(
            {"first": page([room(1)], "rooms?start_id=2"), "2": page([room(2)], "rooms?start_id=2")}
        ),
    )
    assert [r["id"] for r in make_client().get_rooms()] == ["room-1", "room-2"]
    assert len(scripted_server.requests) == 2


def test_embedded_as_object_and_camel_case(make_client, scripted_server):
    scripted_server.script(
        "GET",
        "/v1/meetings/rooms",
        Reply(
            200,
            page([{**room(1), "joinApprovalLevel": "after_owner_only"}], embedded_as_object=True),
        ),
    )
    (only,) = make_client().get_rooms()
    assert only["join_approval_level"] == "after_owner_only"
    assert "joinApprovalLevel" not in only


def test_room_page_passes_its_parameters(make_client, scripted_server):
    scripted_server.script("GET", "/v1/meetings/rooms", Reply(200, page([room(7)])))
    result = make_client().get_room_page(page_size=5, start_id=7, end_id=9)
    assert result["_embedded"][0]["id"] == "room-7"
    assert scripted_server.requests[0].query == {
        "page_size": ["5"],
        "start_id": ["7"],
        "end_id": ["9"],
    }


def test_rooms_for_theme(make_client, scripted_server):
    scripted_server.handle(
        "GET",
        "/v1/meetings/themes/t1/rooms",
        paged_handler(
            {
                "first": page([room(1)], "api-eu.vonage.com/meetings/rooms?page_size=1&start_id=2"),
                "2": page([room(2)]),
            }
        ),
    )
    client = make_client()
    assert [r["id"] for r in client.get_rooms_for_theme("t1", page_size=1)] == ["room-1", "room-2"]
    # the scheme-less link named /meetings/rooms, but the theme's rooms path is kept
    assert {r.path for r in scripted_server.requests} == {"/v1/meetings/themes/t1/rooms"}
    single = client.get_rooms_for_theme_page("t1", start_id=2)
    assert single["_embedded"][0]["id"] == "room-2"
