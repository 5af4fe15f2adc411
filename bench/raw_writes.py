"""The write baseline: a minimal raw ASGI app answering the control API's join and leave.

It writes what a join or a leave must write, with nothing else: in one
transaction, the participant's row (an upsert) and the meeting's counts, then
the same bytes dingconf answers. No event rows, no session history, no
checks. Served by the same server software on the same database
(``RAW_APP_DB``: a SQLite file path or a ``postgresql://`` URL), it is the
reference ``bench/writes.py`` compares dingconf's writes against.
"""

import os
import sqlite3
import time
from typing import Any

import msgspec
from psycopg_pool import AsyncConnectionPool

_TARGET = os.environ["RAW_APP_DB"]
_PREFIX = "/_dingconf/conferences/"
_ACTIVE, _LEFT = 3, 6
_JOIN_SQL = (
    "INSERT INTO participants (conference_id, union_id, nick, attend_status, first_join, "
    "last_join, sessions, listed_at) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, 1, {p}) "
    "ON CONFLICT (conference_id, union_id) DO UPDATE SET attend_status = excluded.attend_status, "
    "last_join = excluded.last_join, leave_time = NULL, sessions = participants.sessions + 1"
)
_JOIN_COUNTS_SQL = (
    "UPDATE conferences SET active_num = active_num + 1, attend_num = attend_num + 1 "
    "WHERE conference_id = {p}"
)
_LEAVE_SQL = (
    "UPDATE participants SET attend_status = {p}, leave_time = {p}, "
    "duration = duration + ({p} - last_join) WHERE conference_id = {p} AND union_id = {p}"
)
_LEAVE_COUNTS_SQL = "UPDATE conferences SET active_num = active_num - 1 WHERE conference_id = {p}"
_HEADERS = [(b"content-type", b"application/json;charset=utf-8")]
_OK = b'{"success":true}'
_DECODE = msgspec.json.Decoder().decode


def _statements(conference_id: str, union_id: str, join: bool) -> list[tuple[str, tuple[Any, ...]]]:
    now = int(time.time() * 1000)
    if join:
        return [
            (_JOIN_SQL, (conference_id, union_id, union_id, _ACTIVE, now, now, now)),
            (_JOIN_COUNTS_SQL, (conference_id,)),
        ]
    return [
        (_LEAVE_SQL, (_LEFT, now, now, conference_id, union_id)),
        (_LEAVE_COUNTS_SQL, (conference_id,)),
    ]


if _TARGET.startswith("postgresql://"):
    _POOL = AsyncConnectionPool(
        _TARGET, min_size=4, max_size=16, open=False, kwargs={"autocommit": True}
    )

    async def _write(conference_id: str, union_id: str, join: bool) -> None:
        async with _POOL.connection() as conn, conn.transaction():
            for sql, params in _statements(conference_id, union_id, join):
                await conn.execute(sql.format(p="%s"), params)
else:
    _POOL = None
    _DB = sqlite3.connect(_TARGET, isolation_level=None, check_same_thread=False, timeout=10)
    _DB.execute("PRAGMA journal_mode = WAL")
    _DB.execute("PRAGMA synchronous = NORMAL")

    async def _write(conference_id: str, union_id: str, join: bool) -> None:
        _DB.execute("BEGIN IMMEDIATE")
        try:
            for sql, params in _statements(conference_id, union_id, join):
                _DB.execute(sql.format(p="?"), params)
        except BaseException:
            _DB.execute("ROLLBACK")
            raise
        _DB.execute("COMMIT")


async def _body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Serve one request."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            if _POOL is not None:
                await _POOL.open(wait=True)
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    conference_id, _, action = scope["path"][len(_PREFIX) :].partition("/")
    union_id = _DECODE(await _body(receive))["unionId"]
    await _write(conference_id, union_id, action == "join")
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": _OK})
