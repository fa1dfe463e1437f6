"""A faithful local Vonage Meetings API (the service itself was shut down in June 2025)."""
