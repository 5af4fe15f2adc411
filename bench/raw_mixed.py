"""The mixed load's reference: the two same-work references behind one raw ASGI app.

``bench/mixed.lua`` sends QueryConferenceInfo (90 %), joins and leaves through
the control API, and CreateVideoConference / CloseVideoConference. The queries
go to ``raw_app.py``'s same-work ``recorded`` (the access-log line and the
1,000-call journal dingconf keeps; the writes, a tenth of the load, keep no
such record here), the joins and leaves to ``raw_writes.py``'s same-work
writes. Creating and closing a meeting write, in one transaction each, the
rows dingconf's do, as plainly as possible: the meeting, its organisation's
listing totals, the creator rung as its first member (an invitation, a member
row, the member count), the app that created it, and the
``conference_created`` event to every app with its ``_target_push`` twin;
closing ends the meeting, closes the stays of whoever is inside, fails the
calls still ringing, moves the totals and writes ``conference_closed`` the
same way. Same server software, same database (``RAW_APP_DB``), as
``bench/run.py``'s mixed row compares.
"""

import asyncio
import hashlib
import os
import time
from typing import Any

import msgspec
import raw_app
import raw_writes
from raw_writes import Run, add_event, in_transaction

_CONFERENCES = "/v1.0/conference/videoConferences"
_HEADERS = [(b"content-type", b"application/json;charset=utf-8")]
_CALLING, _ACTIVE, _LEFT, _FAILED, _RUNNING, _ENDED = 2, 3, 6, 4, 2, 1
_TOKEN_SQL = "SELECT corp_id, client_key FROM tokens WHERE token_hash = {p}"
_USER_SQL = "SELECT nick FROM users WHERE corp_id = {p} AND union_id = {p}"
_CREATE_SQL = (
    "INSERT INTO conferences (conference_id, corp_id, title, biz_type, status, room_code, "
    "external_link_url, creator_id, creator_nick, host_id, start_time, invited_num) "
    "VALUES ({p}, {p}, {p}, '0', {p}, {p}, {p}, {p}, {p}, {p}, {p}, 1)"
)
_LISTED_SQL = (
    "INSERT INTO org_listings (corp_id, generation, pending, running, ended) "
    "VALUES ({p}, 1, 0, 1, 0) ON CONFLICT (corp_id) DO UPDATE SET "
    "generation = org_listings.generation + 1, running = org_listings.running + 1"
)
_INVITE_SQL = (
    "INSERT INTO invitations (conference_id, union_id, nick, invited_by, invited_at) "
    "VALUES ({p}, {p}, {p}, {p}, {p})"
)
_RING_SQL = (
    "INSERT INTO participants (conference_id, union_id, nick, attend_status, listed_at) "
    "VALUES ({p}, {p}, {p}, {p}, {p})"
)
_COUNT_SQL = "INSERT INTO member_counts (conference_id, members) VALUES ({p}, 1)"
_ORIGIN_SQL = "INSERT INTO event_origins (subject_id, app_key) VALUES ({p}, {p})"
_CLOSE_SQL = (
    "UPDATE conferences SET status = {p}, end_time = {p}, active_num = 0 "
    "WHERE conference_id = {p} AND corp_id = {p} AND status = {p} "
    "RETURNING title, start_time, attend_num, invited_num, creator_id, creator_nick"
)
_UNLISTED_SQL = (
    "UPDATE org_listings SET generation = generation + 1, running = running - 1, "
    "ended = ended + 1 WHERE corp_id = {p}"
)
_CLOSE_STAYS_SQL = (
    "UPDATE participant_sessions SET leave_time = {p} WHERE conference_id = {p} "
    "AND leave_time IS NULL"
)
_ALL_LEAVE_SQL = (
    "UPDATE participants SET attend_status = {p}, leave_time = {p}, "
    "duration = duration + ({p} - last_join) WHERE conference_id = {p} AND attend_status = {p}"
)
_FAIL_CALLS_SQL = (
    "UPDATE participants SET attend_status = {p} WHERE conference_id = {p} AND attend_status = {p}"
)
_ENCODE = msgspec.json.Encoder().encode
_DECODE = msgspec.json.Decoder().decode


def _conf_model(conference_id: str, row: tuple[Any, ...], status: int, now: int) -> dict[str, Any]:
    title, start, attended, invited, creator_id, creator_nick = row
    return {
        "conferenceId": conference_id,
        "title": title,
        "status": status,
        "startTime": start,
        "confDuration": max(0, now - start),
        "activeNum": 0,
        "attendNum": attended,
        "invitedNum": invited,
        "creatorId": creator_id,
        "creatorNick": creator_nick,
        "bizType": "0",
    }


async def _create(run: Run, grant: tuple[Any, ...], body: dict[str, Any]) -> bytes:
    corp_id, app_key = grant
    creator = body["userId"]
    now = int(time.time() * 1000)
    c = os.urandom(12).hex()
    code = str(10**10 + int.from_bytes(os.urandom(5)) % (9 * 10**10))
    nick_row = await run(_USER_SQL, (corp_id, creator))
    nick = nick_row[0] if nick_row else creator
    link = f"http://127.0.0.1/app?roomCode={code}"
    title = body["confTitle"]
    await run(_CREATE_SQL, (c, corp_id, title, _RUNNING, code, link, creator, nick, creator, now))
    await run(_LISTED_SQL, (corp_id,))
    await run(_INVITE_SQL, (c, creator, nick, creator, now))
    await run(_RING_SQL, (c, creator, nick, _CALLING, now))
    await run(_COUNT_SQL, (c,))
    await run(_ORIGIN_SQL, (c, app_key))
    model = _conf_model(c, (title, now, 0, 1, creator, nick), _RUNNING, now)
    event = {"openConfModel": model, "changeScene": "conference_created"}
    await add_event(run, c, corp_id, "meeting_status_change", event, now)
    return _ENCODE({"conferenceId": c, "roomCode": code, "externalLinkUrl": link})


async def _close(run: Run, grant: tuple[Any, ...], conference_id: str) -> bytes | None:
    corp_id, _ = grant
    now = int(time.time() * 1000)
    c = conference_id
    closed = await run(_CLOSE_SQL, (_ENDED, now, c, corp_id, _RUNNING))
    if closed is None:
        return None
    await run(_UNLISTED_SQL, (corp_id,))
    await run(_CLOSE_STAYS_SQL, (now, c))
    await run(_ALL_LEAVE_SQL, (_LEFT, now, now, c, _ACTIVE))
    await run(_FAIL_CALLS_SQL, (_FAILED, c, _CALLING))
    event = {
        "openConfModel": _conf_model(c, closed, _ENDED, now),
        "changeScene": "conference_closed",
    }
    await add_event(run, c, corp_id, "meeting_status_change", event, now)
    return b'{"code":200,"cause":"success"}'


async def _meeting_write(scope: dict[str, Any], receive: Any) -> tuple[int, bytes]:
    """CreateVideoConference or CloseVideoConference, for the token's organisation."""
    token = next((v for k, v in scope["headers"] if k == b"x-acs-dingtalk-access-token"), b"")
    # Read before the transaction: on SQLite nothing may suspend inside it.
    body = _DECODE(await raw_writes.read_body(receive)) if scope["method"] == "POST" else None

    async def write(run: Run) -> tuple[int, bytes]:
        grant = await run(_TOKEN_SQL, (hashlib.sha256(token).hexdigest(),))
        if grant is None:
            return 401, b'{"code":"InvalidAuthentication"}'
        if body is not None:
            return 200, await _create(run, grant, body)
        closed = await _close(run, grant, scope["path"][len(_CONFERENCES) + 1 :])
        return (404, b'{"code":"roomNotFound"}') if closed is None else (200, closed)

    return await in_transaction(write)


async def _lifespan(receive: Any, send: Any) -> None:
    """Start and stop both references (each opens its own connections)."""
    inboxes: list[asyncio.Queue[dict[str, Any]]] = []
    tasks = []
    for part in (raw_app.app, raw_writes.app):
        inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        started = asyncio.Event()

        async def sent(message: dict[str, Any], started: asyncio.Event = started) -> None:
            if message["type"] == "lifespan.startup.complete":
                started.set()

        await inbox.put({"type": "lifespan.startup"})
        tasks.append(asyncio.create_task(part({"type": "lifespan"}, inbox.get, sent)))
        inboxes.append(inbox)
        await started.wait()
    await receive()  # startup
    await send({"type": "lifespan.startup.complete"})
    await receive()  # shutdown
    for inbox in inboxes:
        await inbox.put({"type": "lifespan.shutdown"})
    await asyncio.gather(*tasks)
    await send({"type": "lifespan.shutdown.complete"})


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Serve one request of the mixed load."""
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    path = scope["path"]
    if path.startswith("/_dingconf/"):
        await raw_writes.serve_write(raw_writes.SAME_WORK, scope, receive, send)
    elif scope["method"] == "GET":
        await raw_app.recorded(scope, receive, send)
    else:
        status, body = await _meeting_write(scope, receive)
        await send({"type": "http.response.start", "status": status, "headers": _HEADERS})
        await send({"type": "http.response.body", "body": body})
