"""The baseline: a minimal raw ASGI app answering QueryConferenceInfo.

It does what dingconf's hot path must do, with nothing else: read the token
header, look the token up by hash, look the meeting up by id, and return the
same bytes dingconf returns. Served by the same server software on the same
database (``RAW_APP_DB``: a SQLite file path or a ``postgresql://`` URL), it is
the baseline the benchmark compares dingconf against.

``RAW_APP_CEILING`` (a file) turns it into the stack's ceiling: every request
answered with that file's bytes and the same headers, nothing read: what the
server software itself costs per request.

``recorded`` is the same-work reference: the same lookups, plus the two
records dingconf keeps by default, as plainly as possible: the same
access-log line (``key=value`` text) written to stderr through a block-buffered
stream (the standard library's batching, flushed at exit), and a bounded
journal (a ``deque``) of the last 1,000 calls with their request and response
bodies. Each answer carries an ``x-acs-request-id``, as dingconf's do.
"""

import atexit
import collections
import hashlib
import itertools
import os
import sqlite3
import time
from typing import Any

import msgspec
from psycopg_pool import AsyncConnectionPool
from raw_lifespan import serve_lifespan

_TARGET = os.environ.get("RAW_APP_DB", "")
_CEILING = os.environ.get("RAW_APP_CEILING")
_PREFIX = "/v1.0/conference/videoConferences/"
_COLUMNS = (
    "conference_id, title, status, biz_type, room_code, external_link_url, creator_id, "
    "creator_nick, start_time, active_num, attend_num, invited_num, cloud_record_status"
)
_TOKEN_SQL = "SELECT corp_id, expires_at, client_key FROM tokens WHERE token_hash = {p}"
_MEETING_SQL = f"SELECT {_COLUMNS} FROM conferences WHERE conference_id = {{p}} AND corp_id = {{p}}"
_ENCODE = msgspec.json.Encoder().encode
_HEADERS = [(b"content-type", b"application/json;charset=utf-8")]
_NOT_FOUND = b'{"code":"roomNotFound"}'

if _TARGET.startswith("postgresql://"):
    _POOL = AsyncConnectionPool(
        _TARGET, min_size=4, max_size=16, open=False, kwargs={"autocommit": True}
    )

    async def _lookup(token_hash: str, conference_id: str) -> tuple[Any, Any]:
        async with _POOL.connection() as conn:
            grant = await (await conn.execute(_TOKEN_SQL.format(p="%s"), (token_hash,))).fetchone()
            if grant is None:
                return None, None
            cur = await conn.execute(_MEETING_SQL.format(p="%s"), (conference_id, grant[0]))
            return grant, await cur.fetchone()
elif _CEILING:
    _POOL = None
else:
    _POOL = None
    _DB = sqlite3.connect(_TARGET, isolation_level=None, check_same_thread=False)
    _DB.execute("PRAGMA journal_mode = WAL")

    async def _lookup(token_hash: str, conference_id: str) -> tuple[Any, Any]:
        """The token's grant (corp, expiry, app) and the meeting's row (None: not found)."""
        grant = _DB.execute(_TOKEN_SQL.format(p="?"), (token_hash,)).fetchone()
        if grant is None:
            return None, None
        row = _DB.execute(_MEETING_SQL.format(p="?"), (conference_id, grant[0])).fetchone()
        return grant, row


async def ceiling(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answer every request with the same bytes (the stack's ceiling)."""
    if scope["type"] == "lifespan":
        await serve_lifespan(None, receive, send)
        return
    await send(_CEILING_START)
    await send(_CEILING_BODY)


if _CEILING:
    _BYTES = open(_CEILING, "rb").read()  # noqa: SIM115 (read once at import)
    _CEILING_START = {
        "type": "http.response.start",
        "status": 200,
        "headers": [
            *_HEADERS,
            (b"content-length", str(len(_BYTES)).encode()),
            (b"x-acs-request-id", b"0" * 36),
        ],
    }
    _CEILING_BODY = {"type": "http.response.body", "body": _BYTES}


async def _answer(scope: dict[str, Any]) -> tuple[int, bytes, Any]:
    """The status and body of one query, and the token's grant (corp, expiry, app)."""
    token = b""
    for name, value in scope["headers"]:
        if name == b"x-acs-dingtalk-access-token":
            token = value
    grant, row = await _lookup(hashlib.sha256(token).hexdigest(), scope["path"][len(_PREFIX) :])
    if row is None:
        return 404, _NOT_FOUND, grant
    return 200, _body(row), grant


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Serve one request."""
    if scope["type"] == "lifespan":
        await serve_lifespan(_POOL, receive, send)
        return
    status, body, _ = await _answer(scope)
    await send({"type": "http.response.start", "status": status, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": body})


def _body(row: tuple[Any, ...]) -> bytes:
    return _ENCODE(
        {
            "confInfo": {
                "conferenceId": row[0],
                "title": row[1],
                "status": row[2],
                "bizType": row[3],
                "roomCode": row[4],
                "externalLinkUrl": row[5],
                "creatorId": row[6],
                "creatorNick": row[7],
                "startTime": row[8],
                "activeNum": row[9],
                "attendNum": row[10],
                "invitedNum": row[11],
                "cloudRecordStatus": row[12],
                "extensionAppSettings": [],
            }
        }
    )


#: The access log's sink: stderr, block-buffered as ``open`` buffers a file (a write
#: per 8 KiB, not per line; ``sys.stderr`` writes every line).
_LOG = open(2, "w", closefd=False)  # noqa: SIM115 (for the life of the process)
atexit.register(_LOG.flush)
#: The journal: the last 1,000 calls, bodies included.
_JOURNAL: collections.deque[tuple[Any, ...]] = collections.deque(maxlen=1000)
_IDS = itertools.count()
_ID_PREFIX = os.urandom(10).hex().upper()
_ID_PREFIX = f"{_ID_PREFIX[:8]}-{_ID_PREFIX[8:12]}-{_ID_PREFIX[12:16]}-{_ID_PREFIX[16:20]}-"
_second: list[Any] = [None, ""]  # the last whole second, formatted


def _utc(now: float) -> str:
    whole = int(now)
    if _second[0] != whole:
        _second[:] = [whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))]
    return f"{_second[1]}.{int(now * 1000) % 1000:03d}Z"


async def recorded(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Serve one request as :func:`app` does, logging and journaling it as dingconf does."""
    if scope["type"] == "lifespan":
        await serve_lifespan(_POOL, receive, send)
        return
    started, wall = time.perf_counter(), time.time()
    request_id = f"{_ID_PREFIX}{next(_IDS):012X}"
    status, body, grant = await _answer(scope)
    headers = [*_HEADERS, (b"x-acs-request-id", request_id.encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
    latency = time.perf_counter() - started
    who = "" if grant is None else f" app={grant[2]} org={grant[0]}"
    code = "" if status == 200 else " code=roomNotFound"
    _LOG.write(
        f"time={_utc(wall)} requestId={request_id} method={scope['method']} "
        f"path={scope['path']} action=QueryConferenceInfo{who} status={status}{code} "
        f"latencyMs={latency * 1000:.3f}\n"
    )
    _JOURNAL.append(
        (
            int(wall * 1000),
            request_id,
            scope["method"],
            scope["path"],
            scope["query_string"],
            "QueryConferenceInfo",
            None if grant is None else grant[0],
            None if grant is None else grant[2],
            status,
            latency * 1000,
            b"",
            body,
        )
    )
