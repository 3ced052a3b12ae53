"""sourcing."""
