"""The webhook benchmark's baseline: a view that only inserts the raw body into a table."""
