"""Whatever arrives, the endpoint never answers 5xx for bad input (hypothesis)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django_vonage_meetings.enums import EventType
from tests.fixtures import payloads as samples
from tests.fixtures.webhooks import sign

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
field_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=300),
    st.sampled_from(["2023-06-06T06:55:07.134Z", "not a date", "", "1e999", "3598"]),
)
payloads = st.fixed_dictionaries(
    {"event": st.sampled_from([*EventType.values, "room:renamed", ""]) | st.text(max_size=70)},
    optional=dict.fromkeys(
        (
            "room_id",
            "session_id",
            "participant_id",
            "recording_id",
            "started_at",
            "ended_at",
            "expires_at",
            "created_at",
            "duration",
            "is_host",
            "name",
            "type",
            "url",
            "room_type",
        ),
        field_values,
    ),
)

#: Any JSON value including what json.loads accepts beyond JSON: NaN, Infinity, -Infinity.
odd_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([float("nan"), float("inf"), float("-inf")])
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)


@st.composite
def deeply_nested(draw: st.DrawFn) -> bytes:
    """A callback whose extra field nests arrays and objects up to far past the recursion
    limit, sometimes unbalanced or with odd numbers inside."""
    depth = draw(st.integers(min_value=1, max_value=50_000))
    opens = draw(st.lists(st.sampled_from(["[", '{"k":']), min_size=1, max_size=4))
    opening = "".join(opens[i % len(opens)] for i in range(depth))
    closing = "".join("]" if opens[i % len(opens)] == "[" else "}" for i in reversed(range(depth)))
    core = draw(st.sampled_from(["1", "NaN", "-Infinity", '"x"', "1e999", ""]))
    if draw(st.booleans()):
        closing = closing[: draw(st.integers(0, len(closing)))]
    head = draw(st.sampled_from(EventType.values))
    extra = f"{opening}{core}{closing}"
    return f'{{"event": "{head}", "session_id": "s", "room_id": "r", "x": {extra}}}'.encode()


COMMON = settings(
    deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@COMMON
@given(payload=payloads)
def test_signed_payloads_never_5xx(client, webhook_settings, payload):
    request = sign(payload)
    response = client.generic(
        "POST",
        "/vonage/meetings/webhooks/",
        request.body,
        content_type="application/json",
        HTTP_AUTHORIZATION=request.headers["Authorization"],
    )
    assert response.status_code in (204, 400), (payload, response.content)


@COMMON
@given(body=st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()))
def test_arbitrary_signed_bodies_never_5xx(client, webhook_settings, body):
    request = sign(body)
    response = client.generic(
        "POST",
        "/vonage/meetings/webhooks/",
        request.body,
        content_type="application/json",
        HTTP_AUTHORIZATION=request.headers["Authorization"],
    )
    assert response.status_code < 500


@COMMON
@given(
    authorization=st.text(max_size=200),
    content_type=st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "text/plain",
            "",
            "application/JSON",
        ]
    ),
    token=st.text(
        alphabet=st.characters(blacklist_characters="/?#%", blacklist_categories=("Cs", "Cc")),
        min_size=1,
        max_size=60,
    ),
)
def test_arbitrary_headers_and_url_tokens_never_5xx(
    client, webhook_settings, authorization, content_type, token
):
    body = b'{"event": "session:started", "session_id": "s", "room_id": "r"}'
    response = client.generic(
        "POST",
        "/vonage/meetings/webhooks/",
        body,
        content_type=content_type,
        HTTP_AUTHORIZATION=authorization,
    )
    assert response.status_code in (401, 415)
    response = client.generic(
        "POST", f"/vonage/meetings/webhooks/{token}/", body, content_type="application/json"
    )
    assert response.status_code in (401, 404)


VALID_PAYLOADS = [
    samples.started(),
    samples.ended(),
    samples.person("session:participant:joined"),
    samples.recording("recording:started"),
    samples.recording("recording:ended"),
    samples.recording("recording:uploaded"),
    {"event": "room:expired", "room_id": samples.ROOM, "room_type": "instant"},
    {"event": "room:renamed", "room_id": samples.ROOM},
]


@COMMON
@given(
    base=st.sampled_from(VALID_PAYLOADS),
    field=st.sampled_from(["room_id", "session_id", "duration", "name", "extra", "is_host"]),
    value=odd_json_values,
)
def test_non_finite_numbers_never_5xx(client, webhook_settings, base, field, value):
    """A valid callback with one field replaced by any value, non-finite numbers included."""
    body = json.dumps({**base, field: value}).encode()
    request = sign(body)
    response = client.generic(
        "POST",
        "/vonage/meetings/webhooks/",
        request.body,
        content_type="application/json",
        HTTP_AUTHORIZATION=request.headers["Authorization"],
    )
    assert response.status_code in (204, 400), (body, response.content)
    if b"NaN" in body or b"Infinity" in body:
        assert response.status_code == 400


@COMMON
@given(body=deeply_nested())
def test_deep_nesting_never_5xx(client, webhook_settings, body):
    request = sign(body)
    response = client.generic(
        "POST",
        "/vonage/meetings/webhooks/",
        request.body,
        content_type="application/json",
        HTTP_AUTHORIZATION=request.headers["Authorization"],
    )
    # The deepest bodies are also larger than WEBHOOK_MAX_BODY_SIZE: refused before parsing.
    too_large = len(request.body) > 256 * 1024
    expected = (413,) if too_large else (204, 400)
    assert response.status_code in expected, (body[:200], response.content)
