"""Heavy answers are bounded: pages never grow with the meeting, a cursor walks the rest.

QueryCloudRecordText's page (characters of speech), the minutes' summary parts
(items and characters), the control API's participants (a page with a token),
QueryConferenceInfoBatch (meetings per call, members per meeting); and
QueryUserOnGoingConference's lookups go through indexes (EXPLAIN, both backends).
"""

import re

import httpx
import pytest

from dingconf.analytics.tables import AnalyticsTables, current_stays_sql
from dingconf.control.service import PARTICIPANTS_PAGE
from dingconf.core.records import AttendStatus, ConferenceStatus
from dingconf.db.sqlite import SQLiteDatabase
from dingconf.db.store import Store
from dingconf.listing.service import BATCH_MEETINGS, BATCH_USERS
from dingconf.listing.tables import SELECT_MEMBERSHIPS, ListingTables
from dingconf.meetings.transitions import insert_conference
from dingconf.minutes.summary import SUMMARY_ITEMS, SUMMARY_TEXT
from dingconf.recording.files_service import PAGE_CHARS
from dingconf.testing.plugin import DingconfServer
from test_store_contract import CID, Runner, conference, db  # noqa: F401 (the fixture)

from conftest import auth, join_meeting

BASE = "/v1.0/conference/videoConferences"
#: More members than the batch lists and the control API pages by default.
CROWD = max(BATCH_USERS, PARTICIPANTS_PAGE) + 1


def _long_text(n: int, chars: int = 3000) -> str:
    """``chars`` characters of distinct words, ending a sentence."""
    words = " ".join(f"w{n}x{i}" for i in range(chars // 6))
    return words[: chars - 1] + "."


def _live(server: DingconfServer, http: httpx.Client, token: str, *people: str) -> str:
    created = http.post(BASE, json={"userId": "u-host", "confTitle": "heavy"}, headers=auth(token))
    cid: str = created.json()["conferenceId"]
    for who in ("u-host", *people):
        server.participants.join(cid, who)
    return cid


def test_a_transcript_page_holds_a_bounded_amount_of_speech_and_a_walk_reads_it_all(
    server: DingconfServer, http: httpx.Client, token: str
):
    cid = _live(server, http, token, "u-alice")
    started = http.post(
        f"{BASE}/{cid}/cloudRecords/start", json={"unionId": "u-host"}, headers=auth(token)
    )
    assert started.status_code == 200, started.text
    said = [_long_text(n) for n in range(16)]
    # Turns of two people, then a monologue: one turn far longer than a page.
    for n, text in enumerate(said):
        server.participants.say(cid, "u-host" if n >= 8 or n % 2 == 0 else "u-alice", text)

    read: list[str] = []
    token_at: int | None = None
    for _ in range(len(said) + 1):
        query = "maxResults=2000" + ("" if token_at is None else f"&nextToken={token_at}")
        page = http.get(f"{BASE}/{cid}/cloudRecords/getTexts?{query}", headers=auth(token))
        assert page.status_code == 200, page.text
        body = page.json()
        paragraphs = body["paragraphList"]
        assert paragraphs
        assert sum(len(p["paragraph"]) for p in paragraphs) <= PAGE_CHARS
        read += [p["paragraph"] for p in paragraphs]
        if not body["hasMore"]:
            break
        token_at = paragraphs[-1]["nextTtoken"]
    else:
        pytest.fail("the walk did not end")
    # Every word said is read once, in order.
    assert re.findall(r"\w+", " ".join(read)) == re.findall(r"\w+", " ".join(said))


def test_a_minutes_summary_is_bounded_in_items_and_characters(
    server: DingconfServer, http: httpx.Client, token: str
):
    cid = _live(server, http, token, "u-alice")
    started = http.post(
        f"{BASE}/{cid}/minutes/start", json={"unionId": "u-host"}, headers=auth(token)
    )
    assert started.status_code == 200, started.text
    for n in range(SUMMARY_ITEMS + 5):
        who = ("u-host", "u-alice")[n % 2]
        # Each an action item and a question that the other person answers.
        server.participants.say(cid, who, "x" * 600 + f" so will we ship item {n} before noon?")
    reply = http.post(
        f"{BASE}/{cid}/minutes/summaries/query", json={"unionId": "u-host"}, headers=auth(token)
    )
    assert reply.status_code == 200, reply.text
    summary = reply.json()["summary"]
    lists = ("actions", "autoChapters", "conversationalSummary", "questionsAnsweringSummary")
    for part in lists:
        assert 0 < len(summary[part]) <= SUMMARY_ITEMS, part
    texts = [a["text"] for a in summary["actions"]]
    texts += [c["summary"] for c in summary["autoChapters"]]
    texts += [c["summary"] for c in summary["conversationalSummary"]]
    texts += [q["question"] for q in summary["questionsAnsweringSummary"]]
    assert max(len(t) for t in texts) <= SUMMARY_TEXT


@pytest.fixture(scope="module")
def crowd(server: DingconfServer, http: httpx.Client, token: str) -> str:
    """A meeting more people joined than one page or one batch answer holds."""
    cid = _live(server, http, token)
    for n in range(CROWD):
        server.participants.join(cid, f"crowd-{n:04d}")
    return cid


def test_the_control_api_pages_participants_and_a_walk_reads_everyone(
    server: DingconfServer, crowd: str
):
    path = f"/_dingconf/conferences/{crowd}/participants"
    status, _, first = server.request("GET", path)
    assert status == 200, first
    assert len(first["participants"]) == PARTICIPANTS_PAGE and first["nextToken"]
    seen = [p["unionId"] for p in first["participants"]]
    next_token = first["nextToken"]
    while next_token:
        status, _, page = server.request("GET", f"{path}?maxResults=200&nextToken={next_token}")
        assert status == 200, page
        assert len(page["participants"]) <= 200
        seen += [p["unionId"] for p in page["participants"]]
        next_token = page["nextToken"]
    assert sorted(seen) == sorted(["u-host", *(f"crowd-{n:04d}" for n in range(CROWD))])
    status, _, bad = server.request("GET", f"{path}?maxResults=0")
    assert (status, bad["code"]) == (400, "paramError")


def test_a_batch_answer_lists_a_bounded_number_of_members_and_meetings(
    http: httpx.Client, token: str, crowd: str
):
    reply = http.post(f"{BASE}/query", json={"conferenceIdList": [crowd]}, headers=auth(token))
    assert reply.status_code == 200, reply.text
    (info,) = reply.json()["infos"]
    assert len(info["userList"]) == BATCH_USERS
    # The first members, in the order they became members: the host first.
    assert info["userList"][0]["userId"] == "u-host"
    assert info["userList"][1]["userId"] == "crowd-0000"
    too_many = [f"{n:024x}" for n in range(BATCH_MEETINGS + 1)]
    refused = http.post(f"{BASE}/query", json={"conferenceIdList": too_many}, headers=auth(token))
    assert (refused.status_code, refused.json()["code"]) == (400, "paramsError")


def _plan(runner: Runner, sql: str, params: tuple[object, ...]) -> str:
    store = runner.store
    assert isinstance(store, Store)
    explain = "EXPLAIN QUERY PLAN " if isinstance(store.database, SQLiteDatabase) else "EXPLAIN "
    rows = runner(store.database.reader.fetchall(explain + sql, params))
    return "\n".join(" ".join(str(c) for c in row) for row in rows)


async def _big_meeting(runner: Runner, people: int) -> None:
    store = runner.store
    async with store.write() as tx:
        await insert_conference(tx, conference(CID, status=ConferenceStatus.STARTED), [], "ua")
        for n in range(people):
            await join_meeting(tx, CID, f"p{n:05d}", "P", 2_000)
    assert isinstance(store, Store)
    if not isinstance(store.database, SQLiteDatabase):  # PostgreSQL plans from statistics
        await store.database.reader.execute("ANALYZE")


def test_a_persons_meetings_and_stay_are_looked_up_by_index(db: Runner):  # noqa: F811
    db(_big_meeting(db, 3000))
    inside = (int(ConferenceStatus.STARTED), "p01234", int(AttendStatus.ACTIVE))
    memberships = _plan(db, SELECT_MEMBERSHIPS, ("dinga", *inside))
    assert "participants_by_person" in memberships, memberships
    stays = _plan(db, current_stays_sql(1), ("dinga", CID, "p01234"))
    # The stay by its primary key (conference, person, stay number): no scan.
    by_key = r"participant_sessions_1 \(conference_id=\? AND union_id=\? AND seq=\?\)"
    assert re.search(by_key + "|using participant_sessions_pkey", stays), stays
    assert "SCAN s" not in stays and "Seq Scan on participant_sessions" not in stays, stays
    found = db(
        ListingTables(db.store.reader).list_memberships("dinga", "p01234", AttendStatus.ACTIVE)
    )
    assert [m.union_id for m in found] == ["p01234"]
    (stay,) = db(AnalyticsTables(db.store.reader).current_stays("dinga", CID, ["p01234", "nobody"]))
    assert (stay.union_id, stay.leave_ms) == ("p01234", None)
