"""django-vonage-meetings: the Vonage Meetings API inside Django."""

__version__ = "0.1.0"
