"""The baseline: a minimal raw ASGI app answering QueryConferenceInfo.

It does what dingconf's hot path must do, with nothing else: read the token
header, look the token up by hash, look the meeting up by id, and return the
same bytes dingconf returns. Served by the same server software on the same
database (``RAW_APP_DB``: a SQLite file path or a ``postgresql://`` URL), it is
the baseline the benchmark compares dingconf against.

``RAW_APP_CEILING`` (a file) turns it into the stack's ceiling: every request
answered with that file's bytes and the same headers, nothing read: what the
server software itself costs per request.
"""

import hashlib
import os
import sqlite3
from typing import Any

import msgspec
from psycopg_pool import AsyncConnectionPool

_TARGET = os.environ.get("RAW_APP_DB", "")
_CEILING = os.environ.get("RAW_APP_CEILING")
_PREFIX = "/v1.0/conference/videoConferences/"
_COLUMNS = (
    "conference_id, title, status, biz_type, room_code, external_link_url, creator_id, "
    "creator_nick, start_time, active_num, attend_num, invited_num, cloud_record_status"
)
_TOKEN_SQL = "SELECT corp_id, expires_at FROM tokens WHERE token_hash = {p}"
_MEETING_SQL = f"SELECT {_COLUMNS} FROM conferences WHERE conference_id = {{p}} AND corp_id = {{p}}"
_ENCODE = msgspec.json.Encoder().encode
_HEADERS = [(b"content-type", b"application/json;charset=utf-8")]
_NOT_FOUND = b'{"code":"roomNotFound"}'

if _TARGET.startswith("postgresql://"):
    _POOL = AsyncConnectionPool(
        _TARGET, min_size=4, max_size=16, open=False, kwargs={"autocommit": True}
    )

    async def _lookup(token_hash: str, conference_id: str) -> tuple[Any, ...] | None:
        async with _POOL.connection() as conn:
            grant = await (await conn.execute(_TOKEN_SQL.format(p="%s"), (token_hash,))).fetchone()
            if grant is None:
                return None
            cur = await conn.execute(_MEETING_SQL.format(p="%s"), (conference_id, grant[0]))
            return await cur.fetchone()
elif _CEILING:
    _POOL = None
else:
    _POOL = None
    _DB = sqlite3.connect(_TARGET, isolation_level=None, check_same_thread=False)
    _DB.execute("PRAGMA journal_mode = WAL")

    async def _lookup(token_hash: str, conference_id: str) -> tuple[Any, ...] | None:
        grant = _DB.execute(_TOKEN_SQL.format(p="?"), (token_hash,)).fetchone()
        if grant is None:
            return None
        row: tuple[Any, ...] | None = _DB.execute(
            _MEETING_SQL.format(p="?"), (conference_id, grant[0])
        ).fetchone()
        return row


async def ceiling(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answer every request with the same bytes (the stack's ceiling)."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
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


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Serve one request."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            if _POOL is not None:
                await _POOL.open(wait=True)
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    token = b""
    for name, value in scope["headers"]:
        if name == b"x-acs-dingtalk-access-token":
            token = value
    row = await _lookup(hashlib.sha256(token).hexdigest(), scope["path"][len(_PREFIX) :])
    if row is None:
        status, body = 404, _NOT_FOUND
    else:
        status = 200
        body = _ENCODE(
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
    await send({"type": "http.response.start", "status": status, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": body})
