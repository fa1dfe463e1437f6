"""How the admin shows what the API said: links only for the web, JSON for reading, callback
URLs without their tokens.

Everything shown here came from the API (or from a callback), so none of it is trusted: a link
is a link only when it is an absolute ``http(s)`` URL or a path on this site, anything else (a
``javascript:`` or ``data:`` URL) is shown as text.

A callback URL's token is a password for the callbacks it covers, and staff who may only view
rooms must not learn it: every page shows that a URL is set and what it lets in, never the
token (the raw payloads included).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from django.utils.html import format_html
from django.utils.translation import gettext

from ..webhooks.tokens import mask_tokens, peek_url_token, token_in_url

__all__ = ["callback_url", "image", "link", "masked", "pretty_json", "safe_href"]

#: An absolute http(s) URL with a host, or a path on this site: one "/" that a browser cannot
#: read as the start of a scheme-relative "//host" (it turns "\" into "/").
_WEB = re.compile(r"(?i:https?)://[^/\\\s]|/(?![/\\])")
#: Browsers drop tabs and newlines anywhere in a URL and strip leading controls and spaces
#: ("/\t/host" is "//host"); a URL holding any control character or space is never a link.
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def safe_href(url: Any) -> str | None:
    """``url`` when a browser would open it as a web page, else None."""
    if not isinstance(url, str) or _CONTROL.search(url) or not _WEB.match(url):
        return None
    return url


def link(url: Any, label: str) -> str:
    """A link that opens in a new tab; a URL that is not a web link is shown as text."""
    if not url:
        return "-"
    href = safe_href(url)
    if href is None:
        return format_html('<span title="{}">{}</span>', gettext("not a web link"), url)
    return format_html('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', href, label)


def image(url: Any, background: str) -> str:
    """A logo preview; an image URL that is not a web link is shown as text."""
    href = safe_href(url)
    if href is None:
        return format_html("<code>{}</code>", url)
    return format_html(
        '<img src="{}" alt="" style="max-height:32px;background:{};padding:2px;'
        'margin-right:4px;border:1px solid #ddd">',
        href,
        background,
    )


def masked(value: Any) -> Any:
    """``value`` (JSON-like) with every callback URL token masked, keys and strings alike."""
    if isinstance(value, str):
        return mask_tokens(value, describe=True)
    if isinstance(value, dict):
        return {masked(k): masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [masked(item) for item in value]
    return value


def pretty_json(value: Any) -> str:
    return format_html(
        '<pre style="white-space: pre-wrap; max-height: 40em; overflow: auto">{}</pre>',
        json.dumps(masked(value), indent=2, sort_keys=True, default=str),
    )


def callback_url(url: Any) -> str:
    """A room's callback URL as staff may see it: where it points and what it lets in."""
    if not url:
        return "-"
    text = str(url)
    token = token_in_url(text)
    if token is None:
        # Not this site's: its path and query may hold someone else's secret.
        parts = urlsplit(text)
        where = (
            f"{parts.scheme}://{parts.hostname}/..." if parts.hostname else gettext("(unreadable)")
        )
        return gettext("%(where)s (not a callback URL of this site)") % {"where": where}
    scope = peek_url_token(token)
    what = scope.describe() if scope else gettext("a token this site cannot read")
    return f"{mask_tokens(text, describe=True)} ({what})"
