"""HTTP API: app factory and one router per wire format."""
