"""DRF serializers: API payloads (``.api``) and callback payloads (``.events``) <-> model fields."""
