"""Themes: CRUD, uniqueness, delete with force, the default theme, with the real messages."""

from __future__ import annotations

import pytest

THEME = {"main_color": "#12f64e", "brand_text": "Acme"}


def make(app, **body):
    return app.call("POST", "/themes", json={**THEME, **body})


def test_empty_list_is_an_array(simulator_app):
    response = simulator_app.call("GET", "/themes")
    assert response.status_code == 200
    assert response.json() == []


def test_create_get_list_update(simulator_app):
    created = make(simulator_app, theme_name="Brand", short_company_url="acme")
    assert created.status_code == 201
    theme = created.json()
    assert list(theme) == [
        "theme_id",
        "theme_name",
        "domain",
        "account_id",
        "application_id",
        "main_color",
        "short_company_url",
        "brand_text",
        "brand_image_colored",
        "brand_image_white",
        "branded_favicon",
        "brand_image_white_url",
        "brand_image_colored_url",
        "branded_favicon_url",
    ]
    assert theme["domain"] == "VCP"
    assert theme["application_id"] == simulator_app.application_id
    assert theme["brand_image_white_url"] is None
    assert simulator_app.call("GET", f"/themes/{theme['theme_id']}").json() == theme
    assert simulator_app.call("GET", "/themes").json() == [theme]
    patched = simulator_app.call(
        "PATCH", f"/themes/{theme['theme_id']}", json={"update_details": {"main_color": "#fff"}}
    )
    assert patched.status_code == 200
    assert patched.json()["main_color"] == "#fff"
    assert patched.json()["theme_name"] == "Brand"


def test_name_defaults_to_a_uuid(simulator_app):
    theme = make(simulator_app).json()
    assert len(theme["theme_name"]) == 36


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"main_color": None}, '"main_color" must be a string'),
        ({"main_color": 123}, '"main_color" must be a string'),
        ({"brand_text": 7}, '"brand_text" must be a string'),
        ({"brand_text": ""}, '"brand_text" is not allowed to be empty'),
        ({"main_color": "red"}, '"main_color" with value fails to match the required pattern'),
        ({"short_company_url": "1234"}, '"short_company_url" with value fails to match'),
        ({"theme_name": "x" * 201}, '"theme_name" length must be less than or equal to 200'),
    ],
)
def test_validation(simulator_app, body, message):
    response = make(simulator_app, **body)
    assert response.status_code == 400
    assert response.json()["message"].startswith(message)


def test_required_fields(simulator_app):
    response = simulator_app.call("POST", "/themes", json={"brand_text": "x"})
    assert response.json()["message"] == '"main_color" is required'
    response = simulator_app.call("POST", "/themes", json={"main_color": "#fff"})
    assert response.status_code == 400
    assert response.json()["message"] == '"brand_text" is required'


def test_short_company_url_length(simulator_app):
    response = make(simulator_app, short_company_url="a" * 129)
    assert response.status_code == 400
    assert response.json()["message"] == (
        '"short_company_url" length must be less than or equal to 128 characters long'
    )
    assert make(simulator_app, short_company_url="a" * 128).status_code == 201


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ({"main_color": "#12345"}, '"main_color" with value fails to match the required pattern'),
        ({"short_company_url": "no spaces"}, '"short_company_url" with value fails to match'),
        ({"logo": "x"}, '"logo" is not allowed'),
    ],
)
def test_update_validation(simulator_app, details, message):
    theme = make(simulator_app).json()
    response = simulator_app.call(
        "PATCH", f"/themes/{theme['theme_id']}", json={"update_details": details}
    )
    assert response.status_code == 400
    assert response.json()["name"] == "InputValidationError"
    assert response.json()["message"].startswith(message)


def test_name_conflict(simulator_app):
    make(simulator_app, theme_name="dup")
    response = make(simulator_app, theme_name="dup")
    assert response.status_code == 409
    assert response.json() == {
        "status": 409,
        "name": "ConflictError",
        "message": "theme_name already exists in application",
    }
    other = make(simulator_app, theme_name="other").json()
    patched = simulator_app.call(
        "PATCH", f"/themes/{other['theme_id']}", json={"update_details": {"theme_name": "dup"}}
    )
    assert patched.status_code == 409


def test_short_company_url_is_unique_across_applications(simulator_app, other_simulator_app):
    make(simulator_app, short_company_url="globally-unique")
    response = make(other_simulator_app, short_company_url="globally-unique")
    assert response.status_code == 409
    assert response.json()["name"] == "ConflictError"


def test_update_needs_a_key(simulator_app):
    theme = make(simulator_app).json()
    response = simulator_app.call(
        "PATCH", f"/themes/{theme['theme_id']}", json={"update_details": {}}
    )
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "name": "InputValidationError",
        "message": '"update_details" must have at least 1 key',
    }


def test_unknown_theme(simulator_app):
    theme_id = "0b6e1c0e-9d33-4a53-9e05-0b2f0e3f5a6b"
    for method in ("GET", "DELETE", "PATCH"):
        response = simulator_app.call(
            method, f"/themes/{theme_id}", json={"update_details": {"brand_text": "x"}}
        )
        assert response.status_code == 404
        assert response.json()["message"] == f"could not find theme {theme_id}"
    response = simulator_app.call("GET", f"/themes/{theme_id}/rooms")
    assert (
        response.json()["message"] == f"Failed to get rooms because theme id {theme_id} not found"
    )


def test_delete_refused_while_rooms_use_it(simulator_app):
    theme = make(simulator_app).json()
    room = simulator_app.call(
        "POST", "/rooms", json={"display_name": "r", "theme_id": theme["theme_id"]}
    ).json()
    response = simulator_app.call("DELETE", f"/themes/{theme['theme_id']}")
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "name": "BadRequestError",
        "message": "could not delete theme",
        "errors": [f"Theme {theme['theme_id']} is used by 1 room"],
    }
    assert simulator_app.call("GET", f"/themes/{theme['theme_id']}").status_code == 200
    assert simulator_app.call("GET", f"/rooms/{room['id']}").json()["theme_id"] == theme["theme_id"]


@pytest.mark.parametrize("force", ["true", "True", "1"])
def test_force_delete(simulator_app, force):
    theme = make(simulator_app).json()
    room = simulator_app.call(
        "POST", "/rooms", json={"display_name": "r", "theme_id": theme["theme_id"]}
    ).json()
    simulator_app.call(
        "PATCH", "/applications", json={"update_details": {"default_theme_id": theme["theme_id"]}}
    )
    response = simulator_app.call("DELETE", f"/themes/{theme['theme_id']}", params={"force": force})
    assert response.status_code == 204
    assert response.content == b""
    assert simulator_app.call("GET", f"/rooms/{room['id']}").json()["theme_id"] is None


def test_force_false_is_not_force(simulator_app):
    theme = make(simulator_app).json()
    simulator_app.call("POST", "/rooms", json={"display_name": "r", "theme_id": theme["theme_id"]})
    assert (
        simulator_app.call(
            "DELETE", f"/themes/{theme['theme_id']}", params={"force": "False"}
        ).status_code
        == 400
    )


def test_default_theme(simulator_app):
    theme = make(simulator_app).json()
    response = simulator_app.call(
        "PATCH", "/applications", json={"update_details": {"default_theme_id": theme["theme_id"]}}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["application_id"] == simulator_app.application_id
    assert body["default_theme_id"] == theme["theme_id"]
    assert set(body) == {"application_id", "account_id", "default_theme_id"}
    refused = simulator_app.call("DELETE", f"/themes/{theme['theme_id']}")
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        f"Theme {theme['theme_id']} is used as application {simulator_app.application_id} default theme"
    ]


def test_default_theme_must_exist(simulator_app):
    missing = "0b6e1c0e-9d33-4a53-9e05-0b2f0e3f5a6b"
    response = simulator_app.call(
        "PATCH", "/applications", json={"update_details": {"default_theme_id": missing}}
    )
    assert response.status_code == 400
    assert (
        response.json()["message"]
        == f"Failed to update application because theme id {missing} not found"
    )


def test_theme_limit(simulator_app, settings):
    settings.VONAGE_MEETINGS_SIMULATOR = {**settings.VONAGE_MEETINGS_SIMULATOR, "MAX_THEMES": 1}
    assert make(simulator_app).status_code == 201
    response = make(simulator_app)
    assert response.status_code == 403
    assert response.json()["message"] == "exceeded maximum theme limit"
