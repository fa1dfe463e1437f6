"""URLs of the simulator: mount with ``path("simulator/", include(...))``.

The API answers under ``v1/meetings/`` (and the older ``meetings/`` and ``beta/meetings/``
prefixes, which the service and the curl snippets used). Nothing is served (404) unless
``DEBUG`` is on or ``VONAGE_MEETINGS_SIMULATOR = {"ENABLED": True}``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from . import web
from .api.control import ControlView
from .api.misc import DialInNumbersView, RecordingView, SessionRecordingsView
from .api.rooms import RoomsView, RoomView, ThemeRoomsView
from .api.themes import (
    ApplicationView,
    FinalizeLogosView,
    LogoUploadUrlsView,
    ThemesView,
    ThemeView,
)
from .conf import serves

app_name = "vonage_meetings_simulator"

View = Callable[..., HttpResponse]


def enabled_only(view: View) -> View:
    """Answer 404 for everything while the simulator is not enabled (checked per request)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not serves(request):
            raise Http404("The simulator is not enabled.")
        return view(request, *args, **kwargs)

    # Meeting pages are for guests and the API authenticates by token: no login, even under
    # LoginRequiredMiddleware. DRF views are CSRF-exempt; the wrapper must stay so.
    wrapper = login_not_required(wrapper)
    return csrf_exempt(wrapper) if getattr(view, "csrf_exempt", False) else wrapper


api_patterns: list[URLPattern | URLResolver] = [
    path("rooms", enabled_only(RoomsView.as_view())),
    path("rooms/<str:room_id>", enabled_only(RoomView.as_view())),
    path("recordings/<str:recording_id>", enabled_only(RecordingView.as_view())),
    path("sessions/<str:session_id>/recordings", enabled_only(SessionRecordingsView.as_view())),
    path("dial-in-numbers", enabled_only(DialInNumbersView.as_view())),
    path("themes", enabled_only(ThemesView.as_view())),
    # Before themes/<id>, which would otherwise swallow it.
    path("themes/logos-upload-urls", enabled_only(LogoUploadUrlsView.as_view())),
    path("themes/<str:theme_id>", enabled_only(ThemeView.as_view())),
    path("themes/<str:theme_id>/rooms", enabled_only(ThemeRoomsView.as_view())),
    path("themes/<str:theme_id>/finalizeLogos", enabled_only(FinalizeLogosView.as_view())),
    path("applications", enabled_only(ApplicationView.as_view())),
]

SHORT_URL = r"(?P<short_company_url>(?=[A-Za-z0-9_~-]*[A-Za-z_~-])[A-Za-z0-9_~-]+)"
CODE = r"(?P<meeting_code>\d{9,})"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", enabled_only(web.index), name="index"),
    path("v1/meetings/", include(api_patterns)),
    path("meetings/", include(api_patterns)),
    path("beta/meetings/", include(api_patterns)),
    path("_control/<str:action>", enabled_only(ControlView.as_view()), name="control"),
    path("_s3/<str:bucket>", enabled_only(web.s3_bucket), name="s3-bucket"),
    path("_s3/<str:bucket>/<path:key>", enabled_only(web.s3_object), name="s3-object"),
    path(
        "_recordings/<str:recording_id>/archive.mp4",
        enabled_only(web.recording_file),
        name="recording-file",
    ),
    path("meet/", enabled_only(web.meet_host), name="meet-host"),
    path("meet/seat/<str:seat>/", enabled_only(web.meet_seat), name="meet-seat"),
    re_path(rf"^meet/{CODE}$", enabled_only(web.meet_guest), name="meet-guest"),
    re_path(rf"^meet/{SHORT_URL}/$", enabled_only(web.meet_host), name="meet-host-themed"),
    re_path(rf"^meet/{SHORT_URL}/{CODE}$", enabled_only(web.meet_guest), name="meet-guest-themed"),
]
