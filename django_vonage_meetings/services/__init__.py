"""The only Django code that calls the API: pull the mirror from it, push changes to it.

Views, admin actions, commands and tasks call these functions; they call ``MeetingsClient``;
models never call the network.
"""

from __future__ import annotations

from .adopt import Adoption, adopt_rows
from .callbacks import ReissueReport, reissue_callback_urls, with_callback_urls
from .push import (
    create_room,
    create_theme,
    delete_recording,
    delete_theme,
    download_url,
    refresh_recording,
    refresh_room,
    refresh_theme,
    set_default_theme,
    update_room,
    update_theme,
    upload_logos,
)
from .sync import (
    RESOURCES,
    sync,
    sync_dial_in_numbers,
    sync_recordings,
    sync_rooms,
    sync_themes,
)
from .upsert import SyncCounts, bulk_upsert

__all__ = [
    "RESOURCES",
    "Adoption",
    "ReissueReport",
    "SyncCounts",
    "adopt_rows",
    "bulk_upsert",
    "create_room",
    "create_theme",
    "delete_recording",
    "delete_theme",
    "download_url",
    "refresh_recording",
    "refresh_room",
    "refresh_theme",
    "reissue_callback_urls",
    "set_default_theme",
    "sync",
    "sync_dial_in_numbers",
    "sync_recordings",
    "sync_rooms",
    "sync_themes",
    "update_room",
    "update_theme",
    "upload_logos",
    "with_callback_urls",
]
