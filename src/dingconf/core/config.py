"""Typed settings, read once by an entry point and passed down."""

import ipaddress
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "DEFAULT_DATABASE",
    "DEMO_APP_KEY",
    "DEMO_CORP",
    "DEMO_ORG_NAME",
    "DEMO_SECRET",
    "DEMO_USERS",
    "DEMO_USER_IDS",
    "InputLimits",
    "Secret",
    "Settings",
    "data_dir",
    "default_database",
    "redacted_url",
]


def data_dir() -> Path:
    """Where dingconf keeps its data by default: the platform's user data directory.

    ``$DINGCONF_DATA_DIR`` wins; then ``$XDG_DATA_HOME/dingconf`` (default
    ``~/.local/share/dingconf``) on Linux and other Unixes,
    ``~/Library/Application Support/dingconf`` on macOS and
    ``%LOCALAPPDATA%\\dingconf`` on Windows. It never depends on the current
    directory, so every command finds the same database.
    """
    explicit = os.environ.get("DINGCONF_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "dingconf"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "dingconf"
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".local" / "share"
    return base / "dingconf"


def default_database() -> str:
    """The default database URL: a SQLite file in :func:`data_dir`."""
    return f"sqlite:///{(data_dir() / 'dingconf.sqlite3').absolute()}"


def redacted_url(url: str) -> str:
    """A database URL with its password replaced, fit to print, log or show."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


#: The default database as the environment of this process names it.
DEFAULT_DATABASE = default_database()

#: The demo organisation and app ``serve`` creates on an empty database.
DEMO_CORP = "dingdemo"
DEMO_ORG_NAME = "Demo Org"
#: Its users, as (unionId, nick).
DEMO_USERS = (("demo-alice", "Alice"), ("demo-bob", "Bob"), ("demo-carol", "Carol"))
#: Its users' unionIds as start-up lists them.
DEMO_USER_IDS = ", ".join(union_id for union_id, _ in DEMO_USERS)
DEMO_APP_KEY = "demo-app"
#: The demo app's documented local secret (README, "Quick start"): a server
#: bound to loopback gives it to the demo app; one reachable from elsewhere
#: refuses it unless ``--demo-secret`` names it.
DEMO_SECRET = "demo-secret"  # noqa: S105 - documented and public on purpose


class Secret:
    """A string whose repr never shows its value, so it cannot leak into logs."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the secret value; call only where it is really needed."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class InputLimits:
    """What one request may carry; each is a flag of ``dingconf serve``."""

    #: Bytes of a request body; larger ones are refused unread (413).
    max_body_bytes: int = 1 << 20
    #: Seconds to receive a whole body once its headers arrived.
    body_timeout_s: float = 10.0
    #: Characters of any string in a body or a query/path parameter.
    max_string: int = 4096
    #: Characters of an identifier (a key ending in ``Id``/``Ids``/``IdList``).
    max_id: int = 128
    #: Items of any list in a body.
    max_list: int = 1000


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a dingconf server needs to start."""

    host: str = "127.0.0.1"
    port: int = 8080
    database: str = DEFAULT_DATABASE
    #: Base of the ``externalLinkUrl`` join links; defaults to the server's own address.
    public_base_url: str | None = None
    #: Protects the ``/_dingconf`` control API when set (design.md, "Emulator control plane").
    admin_token: Secret | None = None
    workers: int = 1
    token_ttl_s: int = 7200
    #: Seeds the generator of ids and tokens, so the same calls get the same ones.
    random_seed: int | None = None
    limits: InputLimits = InputLimits()
    #: ``text`` (key=value), ``json`` or ``off``: one line per request on stderr.
    access_log: str = "text"
    #: Calls the request journal keeps per process (0: no journal).
    journal_size: int = 1000
    #: DingTalk's per-app per-API QPS limit at start (0: off).
    qps_limit: int = 0
    #: Seconds a join page's person stays inside without a heartbeat.
    presence_timeout_s: float = 15.0
    #: Seconds (server clock) delivered and dead events stay listed after their last attempt.
    event_retention_s: float = 86_400.0
    #: Pending events an app may be owed; older ones beyond it are dead-lettered.
    event_backlog: int = 10_000
    #: The demo app's secret as set explicitly (``--demo-secret``); None: the default.
    demo_secret: Secret | None = None

    @property
    def base_url(self) -> str:
        """The public base URL for join links."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def is_loopback(self) -> bool:
        """Whether the server listens on a loopback address only.

        Any address of 127.0.0.0/8 (127.0.0.2 too) or ::1 is: the kernel never
        routes them off the machine. A host *name* is not, however it starts
        (``127.0.0.1.example.com`` resolves wherever its owner likes), except
        ``localhost``.
        """
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    @property
    def local_demo_secret(self) -> str | None:
        """The secret the demo app is given: the one set explicitly, else
        :data:`DEMO_SECRET` on loopback; None (a random one) on any other address."""
        if self.demo_secret is not None:
            return self.demo_secret.reveal()
        return DEMO_SECRET if self.is_loopback else None

    @property
    def refused_secret(self) -> str | None:
        """The app secret a token request is refused with whatever is stored:
        :data:`DEMO_SECRET` on a server reachable from elsewhere, unless set explicitly."""
        return DEMO_SECRET if self.demo_secret is None and not self.is_loopback else None
