"""What every simulated endpoint does before and after its own work."""

from __future__ import annotations

from typing import Any, cast

from rest_framework import exceptions as drf_exceptions
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import lifecycle
from ..embedded.dispatch import ORIGIN
from ..errors import GatewayError, MalformedAnswer, ServiceError, input_error, unauthorized
from ..faults import apply_faults
from ..models import Application, Room
from ..wire import RoomSerializer
from .authentication import ApplicationJWTAuthentication


class SimulatorAPIView(APIView):
    """Authenticate like the gateway, inject faults, bring lazy state up to date, then serve.

    Errors of either shape raised by a handler become the matching JSON response; DRF's own
    (bad JSON, wrong method) are rewritten into the service's shape.
    """

    authentication_classes = [ApplicationJWTAuthentication]
    permission_classes: list[Any] = []
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]

    application: Application
    #: The control endpoint sets faults; it must never be subject to them.
    inject_faults = True

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # DRF authenticates here (ApplicationJWTAuthentication); request.auth is the application.
        super().initial(request, *args, **kwargs)
        if not isinstance(request.auth, Application):  # another authenticator let it through
            raise unauthorized()
        self.application = request.auth
        origin = request.META.get(ORIGIN)
        if origin is None:
            origin = request.build_absolute_uri("/").rstrip("/")
        if self.application.origin != origin:
            Application.objects.filter(pk=self.application.pk).update(origin=origin)
            self.application.origin = origin
        if self.inject_faults:
            apply_faults(self.application)
        # Expiry and uploads happen "on the next access" when no timer runs.
        lifecycle.catch_up(self.application)

    @property
    def origin(self) -> str:
        return self.application.origin

    def render_room(self, room: Room) -> dict[str, Any]:
        return dict(RoomSerializer(room, context={"origin": self.origin}).data)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, MalformedAnswer):
            # A plain HttpResponse (not JSON); finalize_response takes any HttpResponseBase.
            return cast(Response, exc.response())
        if isinstance(exc, ServiceError | GatewayError):
            return exc.response()
        if isinstance(exc, drf_exceptions.ParseError):
            return input_error('"value" must be valid JSON').response()
        if isinstance(exc, drf_exceptions.UnsupportedMediaType):
            return ServiceError(
                415, "UnsupportedMediaTypeError", "Content-Type must be application/json"
            ).response()
        if isinstance(exc, drf_exceptions.MethodNotAllowed):
            return ServiceError(405, "MethodNotAllowedError", "Method not allowed").response()
        return super().handle_exception(exc)


def body_of(request: Request) -> Any:
    """The parsed JSON body (an empty body is an empty object, as Express read it)."""
    if not request.body:
        return {}
    return request.data
