"""Settings from the environment and ``config.toml``.

Precedence (highest first): arguments given in code or on the command line, environment
variables, the config file. The file is ``$SATCHEL_CONFIG`` if set, else ``config.toml`` in the
platform's config directory (``platformdirs.user_config_path("satchel")``)::

    backend = "gcs"            # gcs | replit | local | emulator
    bucket = "my-bucket"
    endpoint = "http://127.0.0.1:4443"   # a GCS-compatible server (emulator backend)
    project = "my-project"     # GCS only, optional

    [local]
    data_dir = "/path/to/data" # the embedded server's data (default: the platform's data dir)
    idle_timeout = 60          # seconds the embedded server lingers once nobody uses it

    [keys]                     # the browser's keymap: binding id = keys
    upload = "u,ctrl+u"

Environment: SATCHEL_BACKEND, SATCHEL_BUCKET, SATCHEL_ENDPOINT (or STORAGE_EMULATOR_HOST, as
google-cloud-storage reads it), SATCHEL_PROJECT, SATCHEL_DATA_DIR, SATCHEL_IDLE_TIMEOUT,
SATCHEL_REPLIT_SIDECAR, SATCHEL_CONFIG.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from .errors import ConfigurationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["BACKENDS", "Settings", "config_path", "load_settings"]

BACKENDS = ("gcs", "replit", "local", "emulator")
REPLIT_SIDECAR_DEFAULT = "http://127.0.0.1:1106"
DEFAULT_IDLE_TIMEOUT = 60.0


@dataclass(frozen=True)
class Settings:
    """Everything configurable, already merged; ``origin`` says where each value came from."""

    backend: str | None = None
    bucket: str | None = None
    endpoint: str | None = None
    project: str | None = None
    data_dir: Path = field(default_factory=lambda: platformdirs.user_data_path("satchel"))
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    replit_sidecar: str = REPLIT_SIDECAR_DEFAULT
    keys: Mapping[str, str] = field(default_factory=dict)
    config_file: Path | None = None
    origin: Mapping[str, str] = field(default_factory=dict)


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    explicit = env.get("SATCHEL_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    return platformdirs.user_config_path("satchel") / "config.toml"


def _read_file(path: Path, explicit: bool) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            loaded: dict[str, Any] = tomllib.load(fh)
            return loaded
    except FileNotFoundError:
        if explicit and path.parent.exists() and not path.parent.is_dir():
            raise ConfigurationError(f"Config path is not usable: {path}") from None
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(
            f"Config file {path} is not valid TOML: {exc}", hint="fix or remove the file"
        ) from exc
    except OSError as exc:
        raise ConfigurationError(f"Cannot read config file {path}: {exc.strerror}") from exc


def _string(data: Mapping[str, Any], key: str, path: Path, where: str = "") -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigurationError(
            f"Config file {path}: {where}{key} must be a string, not {type(value).__name__}"
        )
    return value or None


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Merge the environment over the config file. Raises ConfigurationError when unusable."""
    env = os.environ if env is None else env
    path = config_path(env)
    data = _read_file(path, explicit="SATCHEL_CONFIG" in env)
    origin: dict[str, str] = {}
    values: dict[str, Any] = {}

    for key in ("backend", "bucket", "endpoint", "project"):
        value = _string(data, key, path)
        if value is not None:
            values[key] = value
            origin[key] = f"config file {path}"
    local = data.get("local", {})
    if not isinstance(local, dict):
        raise ConfigurationError(f"Config file {path}: [local] must be a table")
    data_dir = _string(local, "data_dir", path, "local.")
    if data_dir:
        values["data_dir"] = Path(data_dir).expanduser()
        origin["data_dir"] = f"config file {path}"
    idle = local.get("idle_timeout")
    if idle is not None:
        if isinstance(idle, bool) or not isinstance(idle, (int, float)) or idle < 0:
            raise ConfigurationError(
                f"Config file {path}: local.idle_timeout must be a number of seconds >= 0"
            )
        values["idle_timeout"] = float(idle)
    keys = data.get("keys", {})
    if not isinstance(keys, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in keys.items()
    ):
        raise ConfigurationError(f"Config file {path}: [keys] must map binding ids to key strings")

    env_map = {
        "backend": "SATCHEL_BACKEND",
        "bucket": "SATCHEL_BUCKET",
        "endpoint": "SATCHEL_ENDPOINT",
        "project": "SATCHEL_PROJECT",
    }
    for key, var in env_map.items():
        if env.get(var):
            values[key] = env[var]
            origin[key] = f"environment {var}"
    if "endpoint" not in values or origin.get("endpoint", "").startswith("config"):
        emulator = env.get("STORAGE_EMULATOR_HOST")
        if emulator:
            values["endpoint"] = emulator
            origin["endpoint"] = "environment STORAGE_EMULATOR_HOST"
    if env.get("SATCHEL_DATA_DIR"):
        values["data_dir"] = Path(env["SATCHEL_DATA_DIR"]).expanduser()
        origin["data_dir"] = "environment SATCHEL_DATA_DIR"
    if env.get("SATCHEL_IDLE_TIMEOUT"):
        try:
            values["idle_timeout"] = float(env["SATCHEL_IDLE_TIMEOUT"])
        except ValueError:
            raise ConfigurationError("SATCHEL_IDLE_TIMEOUT must be a number of seconds") from None
    if env.get("SATCHEL_REPLIT_SIDECAR"):
        values["replit_sidecar"] = env["SATCHEL_REPLIT_SIDECAR"].rstrip("/")

    backend = values.get("backend")
    if backend is not None and backend not in BACKENDS:
        raise ConfigurationError(
            f"Unknown backend {backend!r} (from {origin.get('backend')})",
            hint=f"choose one of: {', '.join(BACKENDS)}",
        )
    return Settings(**values, keys=dict(keys), config_file=path, origin=origin)
