"""The request journal: the recent DingTalk calls this process answered.

Each call under ``/v1.0`` is kept with its action, caller, bodies, status and
latency, so a test can ask which calls its code made (WireMock's request
journal, moto's recorder). The control API's own calls are not kept.

The journal lives in this process's memory (design.md, "Toolkit state"): with
``--workers N`` each worker keeps its own. It holds at most ``capacity``
calls, the oldest dropped first, and each body at most :data:`MAX_BODY_BYTES`.
Secrets and tokens never leave it: the token header is not kept, and every
secret in a path, body or query string is hidden
(:mod:`dingconf.http.redaction`) before a call is read. The request's outermost layer
(:func:`dingconf.http.observe.observe`) collects each call's bodies and hands
them to :meth:`Journal.keep`; with a capacity of 0 it collects nothing.
"""

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

import msgspec

from dingconf.core.closest import closest_route
from dingconf.http.redaction import redact_body, redact_query

__all__ = [
    "JOURNALED_PREFIX",
    "MAX_BODY_BYTES",
    "Entry",
    "Journal",
    "JournalFilter",
]

#: The calls kept: DingTalk's API (the control API's own calls are not).
JOURNALED_PREFIX = "/v1.0/"

#: Bytes of a body kept; a longer one is kept cut, as a string.
MAX_BODY_BYTES = 64 * 1024


class Entry(NamedTuple):
    """One journaled call."""

    at_ms: int
    request_id: str
    method: str
    path: str
    query: str
    action: str | None
    corp_id: str | None
    app_key: str | None
    status: int
    latency_ms: float
    dropped: bool
    request: bytes
    response: bytes
    #: For a call no operation answers: the closest operation's method and path.
    closest: tuple[str, str] | None = None


class JournalFilter(NamedTuple):
    """Which entries a query wants (None: any)."""

    action: str | None = None
    corp_id: str | None = None
    app_key: str | None = None
    since_ms: int | None = None
    until_ms: int | None = None

    def matches(self, e: Entry) -> bool:
        """Whether ``e`` passes every condition given."""
        return (
            (self.action is None or e.action == self.action)
            and (self.corp_id is None or e.corp_id == self.corp_id)
            and (self.app_key is None or e.app_key == self.app_key)
            and (self.since_ms is None or e.at_ms >= self.since_ms)
            and (self.until_ms is None or e.at_ms <= self.until_ms)
        )


def _cut(body: bytes) -> bytes:
    if len(body) <= MAX_BODY_BYTES:
        return body
    return msgspec.json.encode(body[:MAX_BODY_BYTES].decode("utf-8", "replace") + "…(cut)")


class _Raw(NamedTuple):
    """A call as it was answered, before redaction: what recording costs per call.

    The journal keeps these fields as a plain tuple in this order (building a
    NamedTuple costs ~0.4 µs more, on every call); a reader makes the _Raw.
    They are plain values (no scope, no records), so the garbage collector
    stops tracking the tuple at its first look instead of walking the
    journal's thousand calls again and again.
    """

    at_ms: int
    request_id: str
    method: str
    path: str  # as logged: secret path parameters hidden
    query: bytes
    action: str | None
    corp_id: str | None
    app_key: str | None
    status: int
    latency_ms: float
    dropped: bool
    request: bytes
    response: bytes


def _render(kept: tuple[Any, ...], operations: tuple[tuple[str, str], ...]) -> Entry:
    """The journal's entry for a kept call (an Entry, or a _Raw's fields): secrets
    redacted, bodies cut, and a call no operation answered (no action, 404) given
    the closest of ``operations``."""
    if isinstance(kept, Entry):
        return kept
    raw = _Raw(*kept)
    unmatched = raw.action is None and raw.status == 404
    request, document = redact_body(raw.request)
    response, _ = redact_body(raw.response)
    corp_id, app_key = _caller(raw.corp_id, raw.app_key, document)
    return Entry(
        raw.at_ms,
        raw.request_id,
        raw.method,
        raw.path,
        redact_query(raw.query.decode("latin-1")),
        raw.action,
        corp_id,
        app_key,
        raw.status,
        round(raw.latency_ms, 3),
        raw.dropped,
        _cut(request),
        b"" if raw.dropped else _cut(response),
        closest_route(raw.method, raw.path, operations) if unmatched else None,
    )


class Journal:
    """A bounded, in-memory log of recent calls (oldest dropped first).

    Calls are kept as answered and redacted only when read: the journal is
    read rarely and written on every call, so the redaction (a scan of both
    bodies) costs the reader, not the hot path.
    """

    def __init__(self, capacity: int, now_ms: Callable[[], int]) -> None:
        self.capacity = capacity
        self._now_ms = now_ms
        self._entries: deque[tuple[Any, ...]] = deque(maxlen=capacity or None)
        self._operations: tuple[tuple[str, str], ...] = ()

    def __len__(self) -> int:
        return len(self._entries)

    def know_operations(self, operations: Iterable[tuple[str, str]]) -> None:
        """The operations (method, path) a call no operation answered is compared with."""
        self._operations = tuple(operations)

    def keep(
        self,
        request_id: str,
        method: str,
        path: str,
        query: bytes,
        action: str | None,
        corp_id: str | None,
        app_key: str | None,
        status: int,
        latency_ms: float,
        dropped: bool,
        request: bytes,
        response: bytes,
    ) -> None:
        """Keep a call as it was answered, dropping the oldest when full.

        ``path`` is the path as logged (secret parameters hidden), ``corp_id``
        and ``app_key`` the caller's (None: the guard named nobody), ``status``
        the one sent (0: none), ``dropped`` whether the connection was cut
        instead of answered.
        """
        if not self.capacity:
            return
        # Read now, when the request has brought the shared clock up to date.
        at_ms = self._now_ms() - int(latency_ms)
        raw = (  # _Raw's fields
            at_ms,
            request_id,
            method,
            path,
            query,
            action,
            corp_id,
            app_key,
            0 if dropped else status,
            latency_ms,  # rounded when read
            dropped,
            request,
            response,
        )
        # A body too long to keep whole is cut now (after its redaction):
        # what the journal holds stays bounded.
        too_long = len(request) > MAX_BODY_BYTES or len(response) > MAX_BODY_BYTES
        self._entries.append(_render(raw, self._operations) if too_long else raw)

    def select(self, which: JournalFilter, limit: int | None = None) -> list[Entry]:
        """The entries ``which`` matches, newest first, at most ``limit``."""
        found: list[Entry] = []
        for kept in reversed(tuple(self._entries)):
            entry = _render(kept, self._operations)
            if which.matches(entry):
                found.append(entry)
                if limit is not None and len(found) >= limit:
                    break
        return found

    def count(self, which: JournalFilter) -> int:
        """How many entries ``which`` matches."""
        return sum(1 for entry in self if which.matches(entry))

    def clear(self) -> int:
        """Forget every entry; return how many there were."""
        cleared = len(self._entries)
        self._entries.clear()
        return cleared

    def __iter__(self) -> Iterator[Entry]:
        return iter([_render(kept, self._operations) for kept in tuple(self._entries)])


def _caller(
    corp_id: str | None, app_key: str | None, request: Any
) -> tuple[str | None, str | None]:
    """The organisation and app of a call: its token's, else the token request's body."""
    if app_key is not None:
        return corp_id, app_key
    if isinstance(request, dict):
        corp = request.get("authCorpId")
        key = request.get("appKey") or request.get("suiteKey") or request.get("clientId")
        return (corp if isinstance(corp, str) else None), (key if isinstance(key, str) else None)
    return None, None
