"""The Docker image runs the service as an unprivileged user."""

from __future__ import annotations

from pathlib import Path

DOCKERFILE = Path(__file__).resolve().parents[2] / "Dockerfile"


def test_image_runs_as_non_root_user() -> None:
    """The last USER directive names a non-root user, after every RUN (nothing runs as root)."""
    lines = [ln.strip() for ln in DOCKERFILE.read_text(encoding="utf-8").splitlines()]
    users = [i for i, ln in enumerate(lines) if ln.startswith("USER ")]
    runs = [i for i, ln in enumerate(lines) if ln.startswith("RUN ")]
    assert users, "no USER directive: the service would run as root"
    user = lines[users[-1]].split()[1]
    assert user not in ("root", "0", "0:0")
    assert users[-1] > max(runs)
    assert not any(ln.startswith("ENTRYPOINT") and "sudo" in ln for ln in lines)
