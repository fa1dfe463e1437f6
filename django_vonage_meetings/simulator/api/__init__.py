"""The Meetings API endpoints (DRF views), one module per resource."""
