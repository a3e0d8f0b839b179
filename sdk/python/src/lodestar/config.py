"""Where the SDK and the CLI find their settings: arguments first, then the LODESTAR_*
variables, then the config file that `lodestar init` writes (~/.lodestar/config.json, or the
path in LODESTAR_CONFIG)."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "http://127.0.0.1:3000"
KEY_PREFIX = "sk_"
# What the dashboard shows of a key: `sk_` and the first random characters.
DISPLAY_PREFIX_CHARS = 10
# Column limits of the server (docs/ingest.md): longer values would refuse a whole batch.
MAX_SERVICE = 128
MAX_ENVIRONMENT = 64
MAX_RELEASE = 128

NO_KEY_HELP = (
    "run `lodestar init --app-name NAME` (it saves a key to the config file), "
    "or set LODESTAR_API_KEY, or pass api_key= to lodestar.init()"
)


class ConfigError(ValueError):
    """A setting that is missing or cannot be used; the message says which and what to do."""


@dataclass(frozen=True)
class Connection:
    """The server and the key to send with, and where each came from."""

    url: str
    api_key: str
    key_source: str
    config_path: Path
    app_name: str | None = None
    app_id: int | None = None


def config_path(path: os.PathLike | str | None = None) -> Path:
    """The config file: `path`, else LODESTAR_CONFIG, else ~/.lodestar/config.json."""
    chosen = path or os.environ.get("LODESTAR_CONFIG") or "~/.lodestar/config.json"
    return Path(chosen).expanduser()


def read_config(path: Path) -> dict:
    """The config file's object; `{}` when there is no file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise ConfigError(f"cannot read the config file {path}: {e.strerror or e}") from None
    try:
        data = json.loads(text)
    except ValueError as e:
        raise ConfigError(f"the config file {path} is not valid JSON ({e})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"the config file {path} must hold a JSON object")
    return data


def write_config(path: Path, data: Mapping[str, Any]) -> None:
    """Writes the config atomically and readable by its owner only, at every instant: the
    folder is created 0700, the file is written under a temporary name created 0600 and
    renamed over the old one."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        # mkstemp creates the file 0600; chmod in case a platform or umask did otherwise.
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(dict(data), file, indent=2)
            file.write("\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def split_url(text: str, what: str) -> tuple[str, str | None]:
    """The server's base URL (no userinfo, no trailing slash) and the key found as its userinfo
    (`http://sk_...@host:port`), if any."""
    text = text.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{what} {text!r} is not an http(s) URL: use the Lodestar server's address, "
            f"like {DEFAULT_URL}"
        )
    if parts.query or parts.fragment:
        raise ConfigError(f"{what} must be the server's base URL, without ?query or #fragment")
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"{what} {text!r} has an invalid port") from None
    if port is not None:
        netloc += f":{port}"
    url = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
    key = parts.username or None
    return url, key


def check_key(key: str, source: str) -> str:
    """`key` if it reads as a Lodestar API key; a clear error naming `source` if not."""
    key = key.strip()
    if not key:
        raise ConfigError(f"the API key from {source} is empty: {NO_KEY_HELP}")
    if not key.startswith(KEY_PREFIX):
        raise ConfigError(
            f"the API key from {source} ({display_prefix(key)}) does not start with "
            f"{KEY_PREFIX!r}: use the app's API key from the Lodestar dashboard or "
            "`lodestar init`. A Sentry DSN's public key is not an API key."
        )
    return key


def display_prefix(key: str) -> str:
    """As much of a key as may be shown: its first characters, as the dashboard lists it."""
    if len(key) <= DISPLAY_PREFIX_CHARS:
        return key[: max(0, len(key) - 4)] + "…"
    return key[:DISPLAY_PREFIX_CHARS] + "…"


def resolve_connection(
    api_key: str | None = None,
    dsn: str | None = None,
    path: os.PathLike | str | None = None,
) -> Connection:
    """The URL and key to use, the first found of each. Key: `api_key`, the key in `dsn`,
    LODESTAR_API_KEY, the key in LODESTAR_DSN, the config file's `api_key`. URL: `dsn`,
    LODESTAR_DSN, the config file's `url`, then http://127.0.0.1:3000."""
    file_path = config_path(path)
    dsn_url = dsn_key = None
    if dsn is not None:
        dsn_url, dsn_key = split_url(dsn, "dsn")
    env_dsn = os.environ.get("LODESTAR_DSN") or None
    env_url = env_dsn_key = None
    if env_dsn is not None and (dsn_url is None or not (api_key or dsn_key)):
        env_url, env_dsn_key = split_url(env_dsn, "LODESTAR_DSN")

    keys = (
        (api_key, "api_key"),
        (dsn_key, "the userinfo of dsn"),
        (os.environ.get("LODESTAR_API_KEY") or None, "LODESTAR_API_KEY"),
        (env_dsn_key, "the userinfo of LODESTAR_DSN"),
    )
    key, key_source = next(((k, s) for k, s in keys if k is not None), (None, ""))
    url = dsn_url or env_url

    # The file also names the app; it is only required to read when it must supply something.
    needed = key is None or url is None
    try:
        file = read_config(file_path)
    except ConfigError:
        if needed:
            raise
        file = {}
    if key is None:
        file_key = file.get("api_key")
        if not isinstance(file_key, str) or not file_key:
            where = "has none" if file_path.exists() else "does not exist"
            raise ConfigError(
                f"no Lodestar API key found (the config file {file_path} {where}): {NO_KEY_HELP}"
            )
        key, key_source = file_key, str(file_path)
    if url is None:
        file_url = file.get("url")
        if isinstance(file_url, str) and file_url:
            url, _ = split_url(file_url, f"the url in {file_path}")
        else:
            url = DEFAULT_URL
    # The file's app is the key's app only when the key is the file's.
    from_file = key_source == str(file_path)
    app_id = file.get("app_id") if from_file else None
    app_name = file.get("app_name") if from_file else None
    return Connection(
        url=url,
        api_key=check_key(key, key_source),
        key_source=key_source,
        config_path=file_path,
        app_name=app_name if isinstance(app_name, str) else None,
        app_id=app_id if isinstance(app_id, int) and not isinstance(app_id, bool) else None,
    )


def resolve_url(path: os.PathLike | str | None = None) -> str:
    """The server URL when no key is needed (`lodestar init`): LODESTAR_DSN, the config
    file's `url`, then http://127.0.0.1:3000."""
    env_dsn = os.environ.get("LODESTAR_DSN")
    if env_dsn:
        return split_url(env_dsn, "LODESTAR_DSN")[0]
    file_path = config_path(path)
    try:
        file_url = read_config(file_path).get("url")
    except ConfigError:
        file_url = None
    if isinstance(file_url, str) and file_url:
        return split_url(file_url, f"the url in {file_path}")[0]
    return DEFAULT_URL


def script_name() -> str:
    """The running script's name (`shop.py` -> `shop`; `python -m shop` -> `shop`), else
    `python`."""
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] not in ("", "-c", "-") else ""
    if not argv0:
        return "python"
    script = Path(argv0)
    if script.stem == "__main__":
        return script.parent.name or "python"
    return script.stem or "python"


def checked_text(value: str | None, name: str, limit: int) -> str | None:
    """A short text setting (service, environment, release) within the server's limit."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{name} must be a string, not {type(value).__name__}")
    value = value.strip()
    if not value:
        return None
    if len(value) > limit:
        raise ConfigError(f"{name} is {len(value)} characters long: at most {limit} are stored")
    return value
