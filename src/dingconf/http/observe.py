"""The access log and request metrics: one line and one count per request.

:func:`observe` wraps the whole app (outside :func:`~dingconf.http.asgi.wire_errors`),
so it sees every request's final status, its request id, the action the
route table named, the caller the guard admitted and DingTalk's error code.
It also collects the bodies of DingTalk calls for the request journal
(:class:`~dingconf.http.journal.Journal`): one layer records each request for
all three, because every layer around the app costs each request its frames
and closures (the journal's own layer cost about half its 3 µs per call).
It logs the method and path but never the query string, headers or body:
tokens, secrets and signed URLs' signatures never reach the log. A path
parameter that is not a plain identifier (the credential in
``/autoLogin/{token}``, a short link's code) is logged as ``***``
(:func:`~dingconf.http.redaction.loggable_path`, which the journal reads too).
"""

import asyncio
import atexit
import json
import re
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dingconf.core.records import Principal
from dingconf.db.store import StorageUnavailable
from dingconf.http.asgi import ERROR_CODE, FAILURE, KEEP_BODIES, RECEIVED, REQUEST_ID, SENT
from dingconf.http.errors import DropConnection
from dingconf.http.journal import JOURNALED_PREFIX, Journal
from dingconf.http.metrics import Metrics
from dingconf.http.operations import ACTION, PRINCIPAL
from dingconf.http.redaction import loggable_path

__all__ = ["ACCESS_LOG_FORMATS", "access_line", "observe"]

ACCESS_LOG_FORMATS = ("text", "json", "off")
#: The action label of requests no route matched (kept to one label value).
_UNROUTED = "unknown"
# A text value is written bare only when it cannot be mistaken for more fields
# (a path may carry any decoded character, newlines included).
_BARE = re.compile(r"[^\s\"=\\]+")


_second: list[Any] = [None, ""]  # the last whole second formatted, and its text
_millisecond: list[Any] = [None, ""]  # the same for the last millisecond


def _utc(seconds: float) -> str:
    ms = int(seconds * 1000)
    if _millisecond[0] != ms:  # under load, requests share their millisecond
        whole = ms // 1000
        if _second[0] != whole:  # strftime once a second, not once a request
            _second[:] = [whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))]
        _millisecond[:] = [ms, f"{_second[1]}.{ms % 1000:03d}Z"]
    text: str = _millisecond[1]
    return text


def access_line(fields: dict[str, Any], fmt: str) -> str:
    """One access-log line: ``key=value`` pairs (text) or a JSON object."""
    present = {k: v for k, v in fields.items() if v is not None}
    if fmt == "json":
        return json.dumps(present, separators=(",", ":"))
    return " ".join(f"{k}={_text(v)}" for k, v in present.items())


def _text(value: object) -> str:
    return _bare(value) if isinstance(value, str) else str(value)


# The parts of a line that repeat (method; action, caller, status and code),
# rendered once per combination: checking each value against _BARE per
# request cost ~2 us.
_RENDERED: dict[Any, str] = {}
_RENDERED_LIMIT = 4096


def _plain(value: str) -> bool:
    """Whether ``value`` can be written bare: :data:`_BARE`'s test, without the
    regex for the usual printable ASCII value (the regex cost ~0.4 µs a path)."""
    if value and value.isascii() and value.isprintable():
        return not (" " in value or '"' in value or "=" in value or "\\" in value)
    return _BARE.fullmatch(value) is not None


def _bare(value: str) -> str:
    return value if _plain(value) else json.dumps(value)


def _rendered(key: Any, render: Any) -> str:
    text = _RENDERED.get(key)
    if text is None:
        if len(_RENDERED) >= _RENDERED_LIMIT:
            _RENDERED.clear()
        text = _RENDERED[key] = render(*key)
    return text


def _after_path(action: str, app: str | None, org: str | None, status: int, code: Any) -> str:
    who = "" if app is None else f" app={_bare(app)} org={_bare(str(org))}"
    return (
        f" action={_bare(action)}{who} status={status}"
        f"{'' if code is None else ' code=' + _bare(str(code))}"
    )


#: What the request path keeps of a request for its access-log line, formatted
#: later: the wall-clock start, the request id, the method, the loggable path,
#: the action, the caller's app and organisation, the status, DingTalk's error
#: code and the latency. Plain values only, so the garbage collector stops
#: tracking the tuple at its first look instead of walking it until written.
_Record = tuple[float, str | None, str, str, str, str | None, str | None, int, str | None, float]


def _text_line(
    wall: float,
    request_id: str | None,
    method: str,
    path: str,
    action: str,
    app: str | None,
    org: str | None,
    status: int,
    code: str | None,
    seconds: float,
) -> str:
    """The text line of :func:`access_line`, built in one f-string."""
    after = _rendered((action, app, org, status, code), _after_path)
    return (
        f"time={_utc(wall)}"
        # Request ids are ours (hex and dashes): nothing to quote.
        f"{'' if request_id is None else ' requestId=' + request_id} "
        f"method={_rendered((method,), _bare)} "
        f"path={_bare(path)}"
        f"{after} latencyMs={seconds * 1000:.3f}"
    )


class _Buffered:
    """The access log's queue: each request leaves a record, formatted and written
    with the others every :data:`FLUSH_S` seconds.

    A write and a flush per request (what a logging handler does) halved the
    throughput of the hottest call, and formatting the line cost the request
    another ~2 µs; records wait here instead, in the order the requests
    finished, at most ``FLUSH_S`` or :data:`MAX_PENDING` of them, and are
    formatted in one batch off the requests' path. :meth:`flush` runs at
    shutdown and exit, so a clean exit loses none.
    """

    FLUSH_S = 0.05
    MAX_PENDING = 512

    def __init__(self, stream: TextIO | None, render: Callable[..., str]) -> None:
        self._stream = stream
        self._render = render
        self._pending: list[_Record] = []
        atexit.register(self.flush)

    def flush(self) -> None:
        """Format and write every pending record now."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        text = "".join([self._line(record) for record in pending])
        try:
            stream = self._stream or sys.stderr
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed or full stderr must never fail the requests themselves

    def _line(self, record: _Record) -> str:
        """One record's line; one that fails to format costs its own line alone."""
        try:
            return self._render(*record) + "\n"
        except Exception:
            request_id, action, status = record[1], record[4], record[7]
            return f"requestId={request_id or '-'} action={action} status={status}\n"

    def write(self, record: _Record) -> None:
        """Queue one request's record."""
        pending = self._pending
        if not pending:
            asyncio.get_running_loop().call_later(self.FLUSH_S, self.flush)
        pending.append(record)
        if len(pending) >= self.MAX_PENDING:
            self.flush()


def observe(
    app: ASGIApp,
    metrics: Metrics,
    access_log: str,
    journal: Journal | None = None,
    stream: TextIO | None = None,
) -> ASGIApp:
    """Count every HTTP request in ``metrics``, log it in ``access_log`` format and
    keep each DingTalk call in ``journal`` (None: keep none, collect no bodies).

    The log goes to ``stream`` (default: this process's stderr).
    """
    if access_log not in ACCESS_LOG_FORMATS:
        raise ValueError(f"access log format must be one of {ACCESS_LOG_FORMATS}")
    logging_on = access_log != "off"
    log = _Buffered(stream, _text_line if access_log == "text" else _json_line)
    write = log.write

    async def lifespan(scope: Scope, receive: Receive, send: Send) -> None:
        async def sending(message: Message) -> None:
            if message["type"].startswith("lifespan.shutdown."):
                log.flush()  # every line out before the process may end (complete or failed)
            await send(message)

        try:
            await app(scope, receive, sending)
        finally:
            # A forked worker ends without running atexit: a lifespan that ended
            # some other way still writes its last lines.
            log.flush()

    def records(
        scope: Scope,
        wall: float,
        action: str,
        status: int,
        seconds: float,
        sent: tuple[int, bytes] | None,
        dropped: bool,
        kept: bool,
    ) -> None:
        """The access log's record and the journal's entry of one request."""
        principal = scope.get(PRINCIPAL)
        app_key, org = (
            (principal.client_key, principal.corp_id)
            if isinstance(principal, Principal)
            else (None, None)
        )
        request_id, method, path = scope.get(REQUEST_ID), scope["method"], loggable_path(scope)
        if logging_on:
            code = scope.get(ERROR_CODE)
            write((wall, request_id, method, path, action, app_key, org, status, code, seconds))
        if kept and journal is not None:
            received = scope.get(RECEIVED)
            journal.keep(
                request_id or "",
                method,
                path,
                scope["query_string"],
                scope.get(ACTION),
                org,
                app_key,
                0 if sent is None else status,
                seconds * 1000,
                dropped,
                b"".join(received) if received else b"",
                b"" if sent is None else sent[1],
            )

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await lifespan(scope, receive, send)
            else:
                await app(scope, receive, send)
            return
        started, wall = time.perf_counter(), time.time()
        kept = journal is not None and scope["path"].startswith(JOURNALED_PREFIX)
        if kept:
            scope[KEEP_BODIES] = True
        dropped = False
        # No wrapping of send and receive: what was exchanged comes back in the
        # scope (SENT, RECEIVED), which saves every request two closures.
        try:
            await app(scope, receive, send)
        except DropConnection:
            dropped = True
            raise
        finally:
            seconds = time.perf_counter() - started
            sent = scope.get(SENT)
            status = 500 if sent is None else sent[0]  # none: the client saw the server fail
            action = scope.get(ACTION, _UNROUTED)
            failure = scope.get(FAILURE)
            metrics.observe(action, status, seconds, isinstance(failure, StorageUnavailable))
            if logging_on or kept:  # off, nothing more is read of the request
                records(scope, wall, action, status, seconds, sent, dropped, kept)

    return middleware


def _json_line(*record: Any) -> str:
    """The JSON line of :func:`access_line` (the same record as :func:`_text_line`)."""
    wall, request_id, method, path, action, app, org, status, code, seconds = record
    fields = {
        "time": _utc(wall),
        "requestId": request_id,
        "method": method,
        "path": path,
        "action": action,
        "app": app,
        "org": org,
        "status": status,
        "code": code,
        "latencyMs": round(seconds * 1000, 3),
    }
    return access_line(fields, "json")
