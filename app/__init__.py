"""racines app package."""
