"""Admin for meetings."""

from __future__ import annotations
