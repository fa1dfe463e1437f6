def test_create_and_get_room(simulator_app):
    created = simulator_app.call("POST", "/rooms", json={"display_name": "Weekly"})
    assert created.status_code == 201, created.text
    room = created.json()
    got = simulator_app.call("GET", f"/rooms/{room['id']}")
    assert got.status_code == 200
    assert got.json()["id"] == room["id"]
