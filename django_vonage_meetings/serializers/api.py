"""Serializers between the API's JSON and the mirror models' fields."""

from __future__ import annotations
