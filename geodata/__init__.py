"""racines geodata package."""
