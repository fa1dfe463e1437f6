"""The service's two error shapes, with the messages it really sent.

Gateway errors (auth, rate limits) use ``{type, title, detail, instance}``; the Meetings service
itself answered ``{status, name, message, errors?}``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpResponse
from rest_framework.response import Response

GATEWAY_DOCS = "https://developer.vonage.com/api-errors"


class ServiceError(Exception):
    """Raise from a view to answer in the Meetings service's shape."""

    def __init__(
        self, status: int, name: str, message: str, errors: list[Any] | None = None
    ) -> None:
        self.status = status
        self.name = name
        self.message = message
        self.errors = errors
        super().__init__(message)

    def response(self) -> Response:
        body: dict[str, Any] = {"status": self.status, "name": self.name, "message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        return Response(body, status=self.status)


class GatewayError(Exception):
    """Raise from a view to answer in the API gateway's shape."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        kind: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.title = title
        self.detail = detail
        self.kind = kind
        self.headers = headers or {}
        super().__init__(detail)

    def response(self) -> Response:
        body = {
            "type": f"{GATEWAY_DOCS}#{self.kind}",
            "title": self.title,
            "detail": self.detail,
            "instance": str(uuid.uuid4()),
        }
        return Response(body, status=self.status, headers=self.headers)


class MalformedAnswer(Exception):
    """Raise from a view to answer 200 with a body that is not JSON: what a misconfigured proxy
    or a half-deployed gateway sends (fault injection)."""

    BODY = "<html><body><h1>It works!</h1></body></html>"

    def response(self) -> HttpResponse:
        return HttpResponse(self.BODY, status=200, content_type="text/html; charset=utf-8")


def not_found(message: str) -> ServiceError:
    return ServiceError(404, "NotFoundError", message)


def bad_request(message: str, errors: list[Any] | None = None) -> ServiceError:
    return ServiceError(400, "BadRequestError", message, errors)


def input_error(message: str) -> ServiceError:
    return ServiceError(400, "InputValidationError", message)


def unauthorized(detail: str = "You did not provide correct credentials") -> GatewayError:
    return GatewayError(401, "Unauthorized", detail, "unauthorized")


def missing_auth() -> GatewayError:
    return GatewayError(401, "Missing Auth", "Auth header is required", "unauthorized")
