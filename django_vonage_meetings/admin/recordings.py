"""Admin for recordings."""

from __future__ import annotations
