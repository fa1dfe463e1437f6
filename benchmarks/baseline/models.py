from __future__ import annotations

from django.db import models


class RawBody(models.Model):
    body = models.BinaryField()
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"raw body {self.pk}"
