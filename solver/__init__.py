"""racines solver package."""
