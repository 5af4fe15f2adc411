"""What ``dingconf serve`` and the provisioning commands need around the app itself.

Checks before starting (the port, the public URL), turning failures into one
readable line, the logging set-up handed to granian, and the notice printed
once the server answers. Nothing here is on a request's path.
"""

import copy
import errno
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

import click

from dingconf.core.config import (
    DEFAULT_DATABASE,
    DEMO_APP_KEY,
    DEMO_CORP,
    DEMO_USER_IDS,
    Settings,
    redacted_url,
)

__all__ = [
    "OneLineErrors",
    "StartupError",
    "box",
    "check_port",
    "check_public_url",
    "describe_failure",
    "env",
    "granian_server",
    "log_config",
    "ready_notice",
    "redact",
    "when_ready",
]


class StartupError(Exception):
    """Something given at start-up cannot work; its message is one line for the user."""


#: A database URL with its password replaced (the landing page shows it too).
redact = redacted_url


def _one_line(text: str) -> str:
    return " ".join(text.split())


# Shorter passwords may be bits of words ("e" of "connection failed"): they
# are masked only where they stand apart from letters and digits.
_WORD_SIZED = 8


def _masked(text: str, password: str) -> str:
    """``text`` with the password (as in the URL, or decoded) replaced by ``***``."""
    for secret in sorted({password, unquote(password)}, key=len, reverse=True):
        if len(secret) >= _WORD_SIZED:
            text = text.replace(secret, "***")
        else:
            text = re.sub(rf"(?<![^\W_]){re.escape(secret)}(?![^\W_])", "***", text)
    return text


def describe_failure(exc: BaseException, database: str) -> str:
    """One line saying why the store at ``database`` could not be used.

    The database's password never appears: the URL is redacted, and removed
    from the driver's message should the driver repeat it.
    """
    reason = _one_line(str(exc)) or type(exc).__name__
    password = urlsplit(database).password if "://" in database else None
    if password:
        reason = _masked(reason, password)
    if isinstance(exc, ValueError) and "database URL" in reason:
        return reason
    return f"cannot use the database {redact(database)}: {reason}"


def check_port(host: str, port: int) -> None:
    """Refuse to start where something already listens.

    granian binds with ``SO_REUSEPORT`` so that its own workers share one
    port; the price is that a second server on the same port also starts,
    and the two split the requests. A plain bind (``SO_REUSEADDR`` only, so a
    port in ``TIME_WAIT`` is fine) fails on a port another socket listens on.

    Raises:
        StartupError: the port is taken, or the address cannot be bound at all.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        if sys.platform != "win32":
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise StartupError(
                    f"port {port} on {host} is already in use (another dingconf, or another "
                    "server); stop it or choose another --port"
                ) from None
            raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def check_public_url(url: str | None) -> None:
    """Refuse a ``--public-url`` that join links could not be built on.

    Raises:
        StartupError: not an absolute http(s) URL.
    """
    if url is None:
        return
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise StartupError(f"--public-url must be an http:// or https:// URL, not {url!r}")


def log_config(level: str) -> dict[str, Any]:
    """granian's logging configuration plus dingconf's logger, for every process.

    ``dingconf`` (errors with their tracebacks, at ``level``) writes to stderr,
    where the access log goes too (:mod:`dingconf.http.observe`).
    """
    from granian.log import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["dingconf"] = {
        "()": "logging.Formatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
    }
    config["handlers"]["dingconf"] = {
        "formatter": "dingconf",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["dingconf"] = {
        "handlers": ["dingconf"],
        "level": level.upper(),
        "propagate": False,
    }
    return config


def granian_server(target: str, **options: Any) -> Any:
    """granian's server for ``target``, whose workers obey a stop from their first moment.

    A worker is forked with the main process's signal handlers, which only
    set a flag of the main server's copy, until granian installs the
    worker's own: a SIGTERM (the main process stopping its workers, as on
    Ctrl-C) arriving in between was lost, and the main process waited for
    that worker for ever. In a worker, they now end it by SIGTERM's default
    action, and ignore SIGINT (the main process acts on a Ctrl-C).
    """
    from granian import Granian

    main_pid = os.getpid()

    class Server(Granian):  # type: ignore[misc, valid-type]  # granian names its class by a variable
        def signal_handler_interrupt(self, *args: Any, **kwargs: Any) -> None:
            if os.getpid() == main_pid:
                super().signal_handler_interrupt(*args, **kwargs)
            elif args and args[0] == signal.SIGTERM:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                os.kill(os.getpid(), signal.SIGTERM)

    return Server(target, **options)


def box(lines: Sequence[str]) -> str:
    """``lines`` framed in plain ASCII (any terminal encoding can show it)."""
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 2) + "+"
    return "\n".join([rule, *(f"| {line.ljust(width)} |" for line in lines), rule])


def _probe_host(host: str) -> str:
    if host in {"0.0.0.0", ""}:  # noqa: S104 - a wildcard bind is reached on loopback
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def when_ready(
    host: str, port: int, then: Callable[[], None], timeout_s: float = 120.0
) -> threading.Thread:
    """Call ``then`` from a background thread once the server answers its health check."""
    url = f"http://{_probe_host(host)}:{port}/_dingconf/health"

    def wait() -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=1):
                    then()
                    return
            except (OSError, urllib.error.URLError):
                time.sleep(0.1)

    thread = threading.Thread(target=wait, name="dingconf-ready", daemon=True)
    thread.start()
    return thread


def ready_notice(settings: Settings, prepared: list[str]) -> str:
    """The last thing ``serve`` prints: where it answers and how to get in.

    ``prepared`` is what start-up printed; the demo credentials among it (a
    first start, or the local demo secret the demo app answers to) are shown
    here, and only here.
    """
    hint = (
        "" if settings.database == DEFAULT_DATABASE else f" --database {redact(settings.database)}"
    )
    lines = [f"dingconf is ready at {settings.base_url}", f"database {redact(settings.database)}"]
    credentials = next((line for line in prepared if "appSecret=" in line), None)
    if credentials is not None:
        lines += [f"demo organisation {DEMO_CORP}, users {DEMO_USER_IDS}", credentials]
        lines += (
            ["The demo secret is set at start, not random (--demo-secret changes it)."]
            if settings.local_demo_secret is not None
            else [
                "The secret is shown once (only its hash is stored); for a new one run",
                f"  dingconf apps reset-secret {DEMO_APP_KEY}{hint}",
            ]
        )
    else:
        lines += [
            "Lost an app's secret? A new one (revoking its tokens):",
            f"  dingconf apps reset-secret APPKEY{hint}",
        ]
    return box(lines)


class OneLineErrors(click.Group):
    """A command group whose every failure is one ``Error:`` line and a non-zero exit.

    Click's own usage errors print the usage and a hint around the message;
    here they print the message and where to find help, never a traceback.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.UsageError as error:
            where = error.ctx.command_path if error.ctx else "dingconf"
            click.echo(f"Error: {error.format_message()} (see '{where} -h')", err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            click.echo(f"Error: {error.format_message()}", err=True)
            sys.exit(error.exit_code)
        except StartupError as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(1)
        except (click.Abort, KeyboardInterrupt):
            click.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def env(name: str) -> dict[str, Any]:
    """An option's environment variable, shown in ``--help``."""
    return {"envvar": f"DINGCONF_{name}", "show_envvar": True}
