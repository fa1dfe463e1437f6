"""Keep callback URL tokens out of logs and error e-mails.

A callback URL's token is a password, and it sits in the request path: Django's
``django.request`` logger prints the path of every 4xx/5xx (``Bad Request: /vonage/meetings/
webhooks/<token>/``), ``AdminEmailHandler`` mails the request (its path, ``META``, and with
``include_html`` every frame's local variables), and ``runserver`` logs each request line on
``django.server``.

:class:`MaskCallbackTokens` is a logging filter that rewrites a record before any handler sees
it: the token of every callback URL in its message, arguments and traceback text becomes
``<token>``, and the request it carries is replaced by a copy whose path and ``META`` are masked
and whose error-report filter masks frame variables. The app installs it on the
``django.request``, ``django.server`` and ``urllib3.connectionpool`` loggers in
``AppConfig.ready()`` (:func:`install`); a logging configuration applied later (``dictConfig``
again) removes it, so add it to your own ``LOGGING`` as well::

    LOGGING = {
        "version": 1,
        "filters": {
            "mask_callback_tokens": {"()": "django_vonage_meetings.logging.MaskCallbackTokens"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "filters": ["mask_callback_tokens"]},
        },
        ...
    }

A filter on a logger applies to records logged on that logger only; one on a handler applies to
everything the handler writes. Web server access logs (gunicorn, nginx) never pass through
Python's logging of this process: see the security documentation for their masks.
"""

from __future__ import annotations

import copy
import logging
import pprint
import traceback
from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter

from .webhooks.tokens import mask_tokens

__all__ = ["MaskCallbackTokens", "install", "masked_request"]

#: The loggers the app installs the filter on: Django's request and development-server logs,
#: and urllib3's connection log (at DEBUG it prints each request line, the simulator's
#: deliveries to callback URLs included).
LOGGERS = ("django.request", "django.server", "urllib3.connectionpool")


class _MaskedValue:
    """A frame variable as an error report prints it, with tokens masked."""

    def __init__(self, value: Any) -> None:
        self.text = mask_tokens(pprint.pformat(value))

    def __repr__(self) -> str:
        return self.text


class MaskingReporterFilter(SafeExceptionReporterFilter):
    """Django's error-report filter (settings and POST data cleansed as usual) that also masks
    callback tokens in ``META`` and in every frame's variables (HTML error e-mails show them:
    the view's ``token`` argument, the resolver's ``kwargs``)."""

    def get_safe_request_meta(self, request: HttpRequest) -> dict[str, Any]:
        meta = super().get_safe_request_meta(request)
        return {key: _mask_any(value) for key, value in meta.items()}

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> Any:
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [(name, _MaskedValue(value)) for name, value in variables]


def _mask_any(value: Any) -> Any:
    return mask_tokens(value) if isinstance(value, str) else value


def masked_request(request: HttpRequest) -> HttpRequest:
    """A shallow copy of ``request`` for reports: path and ``META`` masked, frames masked."""
    if isinstance(getattr(request, "exception_reporter_filter", None), MaskingReporterFilter):
        return request  # masked already (the view masks it, then the log filter sees it)
    clone = copy.copy(request)
    clone.path = mask_tokens(request.path)
    clone.path_info = mask_tokens(request.path_info)
    clone.META = {key: _mask_any(value) for key, value in request.META.items()}
    # A per-request filter is Django's documented hook (request.exception_reporter_filter);
    # django-stubs does not declare the attribute.
    clone.exception_reporter_filter = MaskingReporterFilter()  # type: ignore[attr-defined]
    return clone


class MaskCallbackTokens(logging.Filter):
    """Mask callback URL tokens in a log record (message, arguments, traceback, request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_tokens(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _mask_arg(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_mask_arg(value) for value in record.args)
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            # Handlers reuse exc_text once it is set, so this is the traceback they print.
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = mask_tokens(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_tokens(record.stack_info)
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest):
            record.request = masked_request(request)
        return True


def _mask_arg(value: Any) -> Any:
    if isinstance(value, str):
        return mask_tokens(value)
    if isinstance(value, bytes):
        return mask_tokens(value.decode("utf-8", "replace"))
    if value is None or isinstance(value, int | float):
        return value
    # Anything else is formatted with %s (or %r, which masking the str form would not
    # cover, but no Django logger passes a token that way); replaced only when it held one.
    text = str(value)
    masked = mask_tokens(text)
    return masked if masked != text else value


def install() -> None:
    """Put the filter on each of :data:`LOGGERS` (once)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskCallbackTokens) for f in logger.filters):
            logger.addFilter(MaskCallbackTokens())
