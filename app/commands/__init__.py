"""Sub-commands of the racines CLI, one module each, each exposing ``register(cli)``."""
