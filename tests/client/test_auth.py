"""Requests carry an RS256 application JWT, reused until shortly before it expires."""

from __future__ import annotations

import io
import platform

import jwt
import pytest

from django_vonage_meetings import __version__
from django_vonage_meetings.api.auth import ApplicationTokenSource
from django_vonage_meetings.conf import load_private_key
from tests.fixtures.client import TINY_PNG, Reply, presigned_forms


def _bearer(recorded):
    scheme, _, token = recorded.headers["Authorization"].partition(" ")
    assert scheme == "Bearer"
    return token


def test_jwt_claims_verify_with_the_public_key(make_client, scripted_server, key_pair):
    scripted_server.script("GET", "/v1/meetings/rooms/r1", Reply(200, {"id": "r1"}))
    make_client(jwt_ttl=300).get_room("r1")
    token = _bearer(scripted_server.requests[0])
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    assert header["typ"] == "JWT"
    claims = jwt.decode(token, key_pair.public_pem, algorithms=["RS256"])
    assert claims["application_id"] == "app-123"
    assert claims["exp"] - claims["iat"] == 300
    assert len(claims["jti"]) == 36


def test_a_foreign_key_does_not_verify(make_client, scripted_server, other_key_pair):
    scripted_server.script("GET", "/v1/meetings/rooms/r1", Reply(200, {"id": "r1"}))
    make_client().get_room("r1")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            _bearer(scripted_server.requests[0]), other_key_pair.public_pem, algorithms=["RS256"]
        )


def test_token_is_reused_across_requests(make_client, scripted_server):
    scripted_server.script("GET", "/v1/meetings/rooms/r1", Reply(200, {"id": "r1"}))
    client = make_client()
    client.get_room("r1")
    client.get_room("r1")
    first, second = (_bearer(r) for r in scripted_server.requests)
    assert first == second


def test_token_is_renewed_shortly_before_expiry(key_pair):
    now = [1_000_000.0]
    source = ApplicationTokenSource(
        "app", load_private_key("k", key_pair.private_pem), ttl=300, clock=lambda: now[0]
    )
    first = source.token()
    now[0] += 269  # 31 s before expiry: still inside the lifetime minus the 30 s margin
    assert source.token() == first
    now[0] += 2  # 29 s before expiry: renewed
    renewed = source.token()
    assert renewed != first
    claims = jwt.decode(
        renewed, key_pair.public_pem, algorithms=["RS256"], options={"verify_exp": False}
    )
    assert claims["iat"] == int(now[0])


def test_user_agent_and_accept(make_client, scripted_server):
    scripted_server.script("GET", "/v1/meetings/dial-in-numbers", Reply(200, []))
    make_client().get_dial_in_numbers()
    headers = scripted_server.requests[0].headers
    assert (
        headers["User-Agent"]
        == f"django-vonage-meetings/{__version__} python/{platform.python_version()}"
    )
    assert headers["Accept"] == "application/json"


def test_repr_has_no_secrets(make_client, key_pair):
    client = make_client()
    text = repr(client) + repr(client._tokens)
    assert "app-123" in text
    assert "PRIVATE" not in text
    assert key_pair.private_pem[40:80] not in text


def test_from_settings(settings, key_pair, scripted_server):
    from django_vonage_meetings.client import MeetingsClient

    settings.VONAGE_MEETINGS = {
        "APPLICATION_ID": "from-settings",
        "PRIVATE_KEY": key_pair.private_pem,
        "API_HOST": scripted_server.url + "/",
        "TIMEOUT": 7,
        "CONNECT_TIMEOUT": 1.5,
        "MAX_RETRIES": 2,
    }
    client = MeetingsClient.from_settings()
    assert client.application_id == "from-settings"
    assert client.api_host == scripted_server.url
    assert client.timeout == (1.5, 7.0)
    assert client.retry.total == 2
    client.close()


def test_token_source_mints_once_under_concurrency(key_pair, monkeypatch):
    import threading

    from django_vonage_meetings.api import auth

    minted = []
    real = auth.make_application_jwt

    def counting(*args, **kwargs):
        minted.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(auth, "make_application_jwt", counting)
    source = ApplicationTokenSource("app", load_private_key("k", key_pair.private_pem))
    barrier = threading.Barrier(16)
    tokens: list[str] = []

    def worker() -> None:
        barrier.wait()
        tokens.append(source.token())

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(tokens) == 16
    assert len(set(tokens)) == 1
    assert len(minted) == 1


@pytest.mark.parametrize("ttl", [30, 86_401])
def test_token_lifetime_is_bounded(key_pair, ttl):
    with pytest.raises(ValueError, match="between 60 and 86400"):
        ApplicationTokenSource("app", load_private_key("k", key_pair.private_pem), ttl=ttl)


def test_a_sessions_own_auth_never_replaces_the_token(make_client, scripted_server, key_pair):
    import requests

    session = requests.Session()
    session.auth = ("user", "password")
    session.headers["Authorization"] = "Basic c2Vzc2lvbg=="
    s3 = f"{scripted_server.url}/s3/bucket"
    scripted_server.script(
        "GET", "/v1/meetings/themes/logos-upload-urls", Reply(200, presigned_forms(s3))
    )
    scripted_server.script("POST", "/s3/bucket", Reply(204))
    scripted_server.script("PUT", "/v1/meetings/themes/t1/finalizeLogos", Reply(200, "OK"))
    client = make_client(session=session)
    client.upload_icon("t1", "white", io.BytesIO(TINY_PNG))
    for recorded in scripted_server.calls(path="/v1/meetings/themes/logos-upload-urls") + (
        scripted_server.calls("PUT")
    ):
        claims = jwt.decode(_bearer(recorded), key_pair.public_pem, algorithms=["RS256"])
        assert claims["application_id"] == "app-123"
    (upload,) = scripted_server.calls("POST", "/s3/bucket")
    assert "Authorization" not in upload.headers
    # The caller's session is the caller's: closing the client leaves it usable.
    client.close()
    scripted_server.script("GET", "/ping", Reply(200, {}))
    assert session.get(f"{scripted_server.url}/ping", timeout=5).status_code == 200
    session.close()


@pytest.mark.parametrize(
    ("options", "field", "fragment"),
    [
        ({"application_id": ""}, "application_id", "required"),
        ({"api_host": "api-eu.vonage.com"}, "api_host", "http(s) URL"),
        ({"private_key": ""}, "private_key", "is not set"),
        ({"private_key": "/nonexistent/key.pem"}, "private_key", "does not exist"),
    ],
)
def test_constructor_arguments_are_checked(make_client, options, field, fragment):
    from django_vonage_meetings.exceptions import MeetingsValidationError

    with pytest.raises(MeetingsValidationError) as info:
        make_client(**options)
    assert fragment in " ".join(info.value.errors[field])
    assert "VONAGE_MEETINGS" not in str(info.value)


def test_debug_log_names_attempts_never_tokens(make_client, scripted_server, caplog):
    scripted_server.script(
        "GET", "/v1/meetings/rooms/r1", Reply(503, {"status": 503}), Reply(200, {"id": "r1"})
    )
    with caplog.at_level("DEBUG"):
        make_client().get_room("r1")
    token = _bearer(scripted_server.requests[-1])
    lines = [r.getMessage() for r in caplog.records if r.name == "django_vonage_meetings.client"]
    assert len(lines) == 1
    assert lines[0].startswith("GET /v1/meetings/rooms/r1 -> 200 after 2 attempt(s) in ")
    assert token not in caplog.text
    assert "Bearer" not in caplog.text


def test_token_outlives_the_retry_window(key_pair):
    """Retries resend the same header: a token must not expire while they run."""
    now = [1_000_000.0]
    source = ApplicationTokenSource(
        "app", load_private_key("k", key_pair.private_pem), ttl=300, clock=lambda: now[0]
    )
    first = source.token(min_valid=100)
    now[0] += 199  # 101 s left: enough for a 100 s retry window
    assert source.token(min_valid=100) == first
    now[0] += 2  # 99 s left: renewed
    assert source.token(min_valid=100) != first
    # A window longer than half the lifetime is capped there (tokens still get reused).
    second = source.token(min_valid=10_000)
    now[0] += 149
    assert source.token(min_valid=10_000) == second
    now[0] += 2
    assert source.token(min_valid=10_000) != second


def test_client_asks_for_tokens_covering_its_retries(make_client):
    client = make_client(
        max_retries=2, retry_after_max=20, timeout=5, connect_timeout=1, backoff_factor=0
    )
    # 2 waits of up to max(20 s Retry-After, 30 s backoff cap) + 3 attempts of 6 s
    assert client._auth.min_valid == 2 * 30 + 3 * 6
