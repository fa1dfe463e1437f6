"""Every call needs an RS256 JWT of a registered application; failures are gateway-shaped 401s."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
import requests


def get(app, token: str | None, scheme: str = "Bearer"):
    headers = {} if token is None else {"Authorization": f"{scheme} {token}"}
    return requests.get(app.url("/rooms"), headers=headers, timeout=10)


def assert_gateway_401(response, title="Unauthorized"):
    assert response.status_code == 401
    body = response.json()
    assert body["title"] == title
    assert set(body) == {"type", "title", "detail", "instance"}
    assert body["type"].startswith("https://developer.vonage.com/api-errors")


def test_valid_token(simulator_app):
    assert get(simulator_app, simulator_app.jwt()).status_code == 200


def test_missing_header(simulator_app):
    response = get(simulator_app, None)
    assert_gateway_401(response, "Missing Auth")
    assert response.json()["detail"] == "Auth header is required"


@pytest.mark.parametrize(
    "token",
    ["not-a-jwt", "a.b.c", ""],
)
def test_malformed(simulator_app, token):
    assert_gateway_401(get(simulator_app, token or "x", scheme="Bearer"))


def test_wrong_scheme(simulator_app):
    assert_gateway_401(get(simulator_app, simulator_app.jwt(), scheme="Basic"))


def test_signed_by_another_key(simulator_app, other_key_pair):
    now = int(time.time())
    forged = jwt.encode(
        {"application_id": simulator_app.application_id, "iat": now, "jti": "x", "exp": now + 60},
        other_key_pair.private_pem,
        algorithm="RS256",
    )
    assert_gateway_401(get(simulator_app, forged))


def test_unknown_application(simulator_app):
    assert_gateway_401(get(simulator_app, simulator_app.jwt(application_id=str(uuid.uuid4()))))


def test_expired(simulator_app):
    now = int(time.time())
    assert_gateway_401(get(simulator_app, simulator_app.jwt(iat=now - 600, exp=now - 120)))


def test_no_exp_lives_fifteen_minutes(simulator_app):
    now = int(time.time())
    assert get(simulator_app, simulator_app.jwt(iat=now - 600, exp=None)).status_code == 200
    assert_gateway_401(get(simulator_app, simulator_app.jwt(iat=now - 16 * 60, exp=None)))


def test_lifetime_over_a_day(simulator_app):
    now = int(time.time())
    assert_gateway_401(get(simulator_app, simulator_app.jwt(exp=now + 2 * 86400)))


@pytest.mark.parametrize("claim", ["iat", "jti", "application_id"])
def test_required_claims(simulator_app, claim):
    assert_gateway_401(get(simulator_app, simulator_app.jwt(**{claim: None})))


def test_issued_in_the_future(simulator_app):
    now = int(time.time())
    assert_gateway_401(get(simulator_app, simulator_app.jwt(iat=now + 600, exp=now + 900)))


def test_hs256_token_is_refused(simulator_app):
    now = int(time.time())
    token = jwt.encode(
        {"application_id": simulator_app.application_id, "iat": now, "jti": "j"},
        "a-shared-secret-is-not-an-application-key",
        algorithm="HS256",
    )
    assert_gateway_401(get(simulator_app, token))


def test_drf_authentication_class(simulator_app):
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from django_vonage_meetings.simulator.api.authentication import ApplicationJWTAuthentication
    from django_vonage_meetings.simulator.errors import GatewayError

    factory = APIRequestFactory()
    auth = ApplicationJWTAuthentication()
    request = Request(factory.get("/", HTTP_AUTHORIZATION=f"Bearer {simulator_app.jwt()}"))
    user, application = auth.authenticate(request)
    assert application.application_id == simulator_app.application_id
    assert user.is_authenticated
    assert str(user) == simulator_app.application_id
    with pytest.raises(GatewayError) as refused:
        auth.authenticate(Request(factory.get("/", HTTP_AUTHORIZATION="Bearer nope")))
    assert refused.value.status == 401
    assert auth.authenticate_header(request) == "Bearer"
