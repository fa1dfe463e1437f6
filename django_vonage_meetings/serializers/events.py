"""Serializers that parse and validate callback payloads."""

from __future__ import annotations
