"""The input rules the Meetings service documented, in one place.

The client checks them before sending (so users get the error without a round trip) and the
simulator enforces them as the service did; both read these constants so they cannot drift.
"""

from __future__ import annotations

import re
from typing import Final

DISPLAY_NAME_MAX: Final = 200
METADATA_MAX: Final = 500
THEME_NAME_MAX: Final = 200
BRAND_TEXT_MAX: Final = 200
SHORT_COMPANY_URL_MAX: Final = 128
MAIN_COLOR_MAX: Final = 7

#: ``main_color``: ``#`` then 3 or 6 hex digits.
MAIN_COLOR_RE: Final = re.compile(r"^#([a-fA-F0-9]{6}|[a-fA-F0-9]{3})$")
#: ``short_company_url``: URL-safe characters with at least one non-digit.
SHORT_COMPANY_URL_RE: Final = re.compile(r"^(?=.*[a-zA-Z_~-])([a-zA-Z0-9_~-]+)$")
#: ``callback_urls.*``.
CALLBACK_URL_RE: Final = re.compile(r"^https?://.*$")

#: A long-term room's ``expires_at`` must lie more than this many seconds ahead.
EXPIRES_AT_MIN_LEAD_SECONDS: Final = 600
#: Instant rooms live this long after creation (and after the last participant leaves).
INSTANT_ROOM_LIFETIME_SECONDS: Final = 600

#: Logo images (white, colored): PNG, at most 1 MB, 1-300 px each side, transparent background.
LOGO_MAX_BYTES: Final = 1024 * 1024
LOGO_MIN_PX: Final = 1
LOGO_MAX_PX: Final = 300
#: Favicon: PNG, at most 1 MB, square, 16x16 to 32x32, transparent background.
FAVICON_MIN_PX: Final = 16
FAVICON_MAX_PX: Final = 32
PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"

DEFAULT_PAGE_SIZE: Final = 20
