"""Read settings from the environment (one place, documented in README)."""

from __future__ import annotations

import secrets
from pathlib import Path

import environ

env = environ.Env()

ENVIRONMENTS = ("development", "demo", "test", "production")


class ImproperlyConfiguredEnvironment(RuntimeError):
    """Raised when production starts without a value it cannot run without."""


def guanxi_env() -> str:
    value = env.str("GUANXI_ENV", default="development")
    if value not in ENVIRONMENTS:
        raise ImproperlyConfiguredEnvironment(
            f"GUANXI_ENV must be one of {', '.join(ENVIRONMENTS)}, not {value!r}."
        )
    return value


def require(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfiguredEnvironment(f"{name} must be set when GUANXI_ENV=production.")
    return value


def local_secret_key(var_dir: Path) -> str:
    """A per-installation secret for non-production use, kept under var/."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key
