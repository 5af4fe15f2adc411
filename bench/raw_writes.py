"""The write references: minimal raw ASGI apps answering the control API's join and leave.

``app`` (the plain reference) writes, in one transaction, the participant's
row (an upsert) and the meeting's counts: no event rows, no session history,
no checks. ``same_work`` writes, in one transaction, every row dingconf's join
promises, as plainly as it can be written: the participant, the meeting's
counts and member count, the stay (session history), the join's network
sample, and the ``user_join`` event in the outbox with one pending delivery
for each app of the meeting's organisation (and its ``_target_push`` twin for
the app that created the meeting, if one did); a leave closes the
participant and the stay, moves the counts and writes ``user_leave`` the same
way. Both answer the same bytes dingconf answers.

Served by the same server software on the same database (``RAW_APP_DB``: a
SQLite file path or a ``postgresql://`` URL), they are the references
``bench/writes.py`` compares dingconf's writes against; the plain one's row
shows what the records themselves cost.
"""

import os
import sqlite3
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec
from psycopg_pool import AsyncConnectionPool
from raw_lifespan import serve_lifespan

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

# The same-work join and leave (``same_work``).
_MEMBER = "nick, attend_status, last_join, leave_time, duration, sessions"
# The bench's people are no users of the organisation: outsiders (dingconf reads
# the user to know; the reference, doing no checks, writes what it would find).
_ENTER_SQL = (
    "INSERT INTO participants (conference_id, union_id, nick, attend_status, first_join, "
    "last_join, sessions, outer_org, listed_at) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, 1, 1, {p}) "
    "ON CONFLICT (conference_id, union_id) DO UPDATE SET attend_status = excluded.attend_status, "
    "last_join = excluded.last_join, leave_time = NULL, sessions = participants.sessions + 1 "
    f"RETURNING {_MEMBER}"
)
_COUNT_JOIN_SQL = (
    "UPDATE conferences SET active_num = active_num + 1, attend_num = attend_num + {p} "
    "WHERE conference_id = {p} RETURNING corp_id, host_id"
)
_MEMBER_COUNT_SQL = (
    "INSERT INTO member_counts (conference_id, members) VALUES ({p}, 1) "
    "ON CONFLICT (conference_id) DO UPDATE SET members = member_counts.members + 1"
)
_STAY_SQL = (
    "INSERT INTO participant_sessions (conference_id, union_id, seq, join_time) "
    "VALUES ({p}, {p}, {p}, {p})"
)
_SAMPLE_SQL = (
    "INSERT INTO network_samples (conference_id, union_id, seq, at_ms, rtt, loss_rate, jitter, "
    "send_bit_rate, recv_bit_rate) SELECT {p}, {p}, COALESCE(MAX(seq), 0) + 1, {p}, 20, 0, 10, "
    "1200000, 800000 FROM network_samples WHERE conference_id = {p} AND union_id = {p}"
)
_EXIT_SQL = _LEAVE_SQL + f" AND attend_status = {_ACTIVE} RETURNING {_MEMBER}"
_CLOSE_STAY_SQL = (
    "UPDATE participant_sessions SET leave_time = {p} WHERE conference_id = {p} "
    "AND union_id = {p} AND seq = {p} RETURNING device_type"
)
_COUNT_LEAVE_SQL = _LEAVE_COUNTS_SQL + " RETURNING corp_id, host_id"
_NEXT_SEQ_SQL = (
    "SELECT (SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE conference_id = {p}), "
    "(SELECT app_key FROM event_origins WHERE subject_id = {p})"
)
_EVENT_SQL = (
    "INSERT INTO events (event_id, conference_id, seq, corp_id, event_type, target_app, "
    "born_at, payload) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})"
)
_DELIVERY_COLUMNS = (
    "INSERT INTO event_deliveries (event_id, app_key, conference_id, seq, event_type, state, "
    "attempts, next_at, claimed_until, last_error) "
)
_ORG_DELIVERIES_SQL = (
    _DELIVERY_COLUMNS + "SELECT {p}, app_key, {p}, {p}, {p}, 'pending', 0, {p}, 0, '' "
    "FROM apps WHERE corp_id = {p}"
)
_APP_DELIVERY_SQL = _DELIVERY_COLUMNS + "VALUES ({p}, {p}, {p}, {p}, {p}, 'pending', 0, {p}, 0, '')"
_MEMBER_EVENT = "meeting_member_status_change"

_HEADERS = [(b"content-type", b"application/json;charset=utf-8")]
_OK = b'{"success":true}'
_DECODE = msgspec.json.Decoder().decode
_ENCODE = msgspec.json.Encoder().encode

#: Runs one statement in the request's transaction: its first row, if any.
Run = Callable[[str, tuple[Any, ...]], Awaitable[tuple[Any, ...] | None]]


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


async def _plain(run: Run, conference_id: str, union_id: str, join: bool) -> bool:
    for sql, params in _statements(conference_id, union_id, join):
        await run(sql, params)
    return True


async def _same_work(run: Run, conference_id: str, union_id: str, join: bool) -> bool:
    """Every row a join (a leave) promises; False when the person was not inside to leave."""
    now = int(time.time() * 1000)
    c = conference_id
    if join:
        member = await run(_ENTER_SQL, (c, union_id, union_id, _ACTIVE, now, now, now))
        assert member is not None
        first = member[5] == 1
        meeting = await run(_COUNT_JOIN_SQL, (int(first), c))
        if first:
            await run(_MEMBER_COUNT_SQL, (c,))
        await run(_STAY_SQL, (c, union_id, member[5], now))
        await run(_SAMPLE_SQL, (c, union_id, now, c, union_id))
        device, scene = "Win", "user_join"
    else:
        member = await run(_EXIT_SQL, (_LEFT, now, now, c, union_id))
        if member is None:
            return False
        stay = await run(_CLOSE_STAY_SQL, (now, c, union_id, member[5]))
        meeting = await run(_COUNT_LEAVE_SQL, (c,))
        device, scene = (stay[0] if stay else "Win"), "user_leave"
    assert meeting is not None
    corp_id, host_id = meeting
    member_model = {
        "conferenceId": c,
        "userId": "",
        "userNick": member[0],
        "joinTime": member[2] or 0,
        "leaveTime": member[3] or 0,
        "duration": member[4],
        "attendStatus": member[1],
        "host": union_id == host_id,
        "coHost": False,
        "pstnJoin": False,
        "deviceType": device,
    }
    body = {"openMemberModels": [member_model], "changeScene": scene}
    await add_event(run, c, corp_id, _MEMBER_EVENT, body, now)
    return True


async def add_event(
    run: Run, conference_id: str, corp_id: str, event_type: str, body: dict[str, Any], now: int
) -> None:
    """An event with the meeting's next statusSeqNum, a pending delivery to each app of
    the organisation, and the ``_target_push`` twin for the app that created the
    meeting, if one did."""
    c = conference_id
    seq, origin = await run(_NEXT_SEQ_SQL, (c, c)) or (1, None)
    payload = _ENCODE({**body, "statusSeqNum": seq}).decode()
    event_id = f"{now:012x}{os.urandom(10).hex()}"
    await run(_EVENT_SQL, (event_id, c, seq, corp_id, event_type, None, now, payload))
    await run(_ORG_DELIVERIES_SQL, (event_id, c, seq, event_type, now, corp_id))
    if origin is not None:
        twin_id, twin = f"{now:012x}{os.urandom(10).hex()}", event_type + "_target_push"
        await run(_EVENT_SQL, (twin_id, c, seq, corp_id, twin, origin, now, payload))
        await run(_APP_DELIVERY_SQL, (twin_id, origin, c, seq, twin, now))


Work = Callable[[Run, str, str, bool], Awaitable[bool]]
T = TypeVar("T")

if _TARGET.startswith("postgresql://"):
    _POOL = AsyncConnectionPool(
        _TARGET, min_size=4, max_size=16, open=False, kwargs={"autocommit": True}
    )

    async def in_transaction(body: Callable[[Run], Awaitable[T]]) -> T:
        """``body``'s statements in one transaction, committed when it returns."""
        async with _POOL.connection() as conn, conn.transaction(), conn.cursor() as cur:

            async def run(sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
                await cur.execute(sql.format(p="%s"), params)
                return await cur.fetchone() if cur.description else None

            return await body(run)
else:
    _POOL = None
    _DB = sqlite3.connect(_TARGET, isolation_level=None, check_same_thread=False, timeout=10)
    _DB.execute("PRAGMA journal_mode = WAL")
    _DB.execute("PRAGMA synchronous = NORMAL")

    async def _run(sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = _DB.execute(sql.format(p="?"), params).fetchone()
        return row

    async def in_transaction(body: Callable[[Run], Awaitable[T]]) -> T:
        """``body``'s statements in one transaction, committed when it returns."""
        _DB.execute("BEGIN IMMEDIATE")
        try:
            done = await body(_run)
        except BaseException:
            _DB.execute("ROLLBACK")
            raise
        _DB.execute("COMMIT")
        return done


#: The same-work join or leave.
SAME_WORK: Work = _same_work


async def read_body(receive: Any) -> bytes:
    """A request's body, all its chunks."""
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def serve_write(work: Work, scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answer one join or leave with ``work`` (:data:`SAME_WORK` for the mixed reference)."""
    conference_id, _, action = scope["path"][len(_PREFIX) :].partition("/")
    union_id = _DECODE(await read_body(receive))["unionId"]
    done = await in_transaction(lambda run: work(run, conference_id, union_id, action == "join"))
    status, body = (200, _OK) if done else (400, b'{"code":"notInConference"}')
    await send({"type": "http.response.start", "status": status, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": body})


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Serve one request: the plain reference."""
    if scope["type"] == "lifespan":
        await serve_lifespan(_POOL, receive, send)
        return
    await serve_write(_plain, scope, receive, send)


async def same_work(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Serve one request: the same-work reference."""
    if scope["type"] == "lifespan":
        await serve_lifespan(_POOL, receive, send)
        return
    await serve_write(SAME_WORK, scope, receive, send)
