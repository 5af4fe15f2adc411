"""Listing totals and pages that cost the same at any size, and stay right while people join.

Member totals and meetings by status are kept by the writes; other org totals are
counted once per "listing generation". Two stores (or servers) on one database act as two processes.
"""

import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alibabacloud_dingtalk.conference_1_0 import models as m

from dingconf.app import open_store
from dingconf.auth.tables import OrgTables
from dingconf.control.state_tables import StateTables
from dingconf.core.records import ConferenceStatus, Org
from dingconf.db.store import Store, WriteTx
from dingconf.listing.records import ConferenceFilter
from dingconf.listing.tables import ListingTables
from dingconf.meetings.transitions import (
    add_invitations,
    end_conference,
    insert_conference,
    record_leave,
    update_conference,
)
from dingconf.members.tables import MemberTables
from dingconf.testing.plugin import DingconfServer
from lifecycle import members, sdk
from over_http import TOKEN_HEADER, new_meeting
from test_store_contract import Runner, conference, seed_orgs

from conftest import join_meeting, processes_on
from sdk_errors import assert_sdk_error

CID, OTHER = "a" * 24, "b" * 24
RUNNING = ConferenceFilter(status=ConferenceStatus.STARTED)
ENDED = ConferenceFilter(status=ConferenceStatus.ENDED)


@pytest.fixture
def two(database_url: str) -> Iterator[tuple[Runner, Runner]]:
    """Two stores on one database, each with its own connections and caches."""
    runners = [Runner(open_store(database_url)) for _ in range(2)]
    for runner in runners:
        runner(runner.store.open())
    runners[0](seed_orgs(runners[0].store))
    try:
        yield runners[0], runners[1]
    finally:
        for runner in runners:
            runner(runner.store.close())
            runner.loop.close()


def raw_sql(database_url: str, *statements: str) -> Any:
    """Run statements straight on the database; the first row of the last."""
    sqlite = database_url.startswith("sqlite:")
    connect = sqlite3.connect if sqlite else psycopg.connect
    with connect(database_url.removeprefix("sqlite:///") if sqlite else database_url) as conn:
        last = [conn.execute(s) for s in statements][-1]
        return last.fetchone() if last.description else None


def generation(database_url: str, corp_id: str) -> int:
    """The organisation's listing generation, read straight from the database."""
    row = raw_sql(database_url, f"SELECT generation FROM org_listings WHERE corp_id = '{corp_id}'")
    return int(row[0]) if row else 0


def member_total(db: Runner, cid: str = CID) -> int:
    return db(MemberTables(db.store.reader).page("dinga", cid, 0, 5)).total


def org_total(db: Runner, where: ConferenceFilter = RUNNING) -> int:
    return db(db.pages.page("dinga", where, 0, 5))[1]


def write(db: Runner, *steps: Callable[[WriteTx], Awaitable[object]]) -> None:
    """Run ``steps`` in one write transaction of ``db``'s store."""

    async def run() -> None:
        async with db.store.write() as tx:
            for step in steps:
                await step(tx)

    db(run())


def test_member_totals_follow_invites_and_joins_made_by_another_store(two):
    a, b = two
    invitees = [("ua", "A"), ("ub", "B")]
    write(a, lambda tx: insert_conference(tx, conference(CID, invited_num=2), invitees, "ua"))
    assert member_total(b) == 2
    write(
        a,
        lambda tx: join_meeting(tx, CID, "ua", "A", 2_000),  # was invited
        lambda tx: join_meeting(tx, CID, "uc", "C", 2_000),  # new
        lambda tx: record_leave(tx, CID, "uc", 2_200),
        lambda tx: join_meeting(tx, CID, "uc", "C", 2_500),  # again
        lambda tx: add_invitations(tx, CID, [("ub", "B"), ("ud", "D")], "ua", 3_000),
    )
    assert member_total(b) == member_total(a) == 4
    assert len(b(MemberTables(b.store.reader).list_members("dinga", CID))) == 4
    # Another organisation's meeting, or none: no members.
    assert b(MemberTables(b.store.reader).page("dingb", CID, 0, 5)).total == 0
    assert b(MemberTables(b.store.reader).page("dinga", OTHER, 0, 5)) == ([], 0, None)


def test_own_commits_void_kept_totals_when_the_marker_does_not_move(
    two, monkeypatch: pytest.MonkeyPatch
):
    """A driver's change marker need not move for this process's commits: the store
    tells the listing pages to forget what they kept (Store.on_commit)."""
    a, _ = two
    store = a.store
    assert isinstance(store, Store)

    async def still() -> int:
        return 7

    monkeypatch.setattr(store.database, "change_marker", still)
    assert (org_total(a), org_total(a, ENDED)) == (0, 0)  # kept under marker 7
    write(a, lambda tx: insert_conference(tx, conference(CID), [], "ua"))
    assert org_total(a) == 1
    write(a, lambda tx: end_conference(tx, CID, 3_000))
    assert (org_total(a), org_total(a, ENDED)) == (0, 1)


def test_org_totals_seen_by_another_store_at_once_and_joins_do_not_recount(two, database_url):
    a, b = two
    write(a, lambda tx: insert_conference(tx, conference(CID, room="10000000001"), [], "ua"))
    assert (org_total(b), org_total(b, ENDED)) == (1, 0)
    write(a, lambda tx: insert_conference(tx, conference(OTHER, room="10000000002"), [], "ua"))
    assert org_total(b) == 2  # b's kept total is void: a's create moved the generation
    before = generation(database_url, "dinga")
    write(
        a,
        lambda tx: join_meeting(tx, CID, "uz", "Z", 2_000),
        lambda tx: record_leave(tx, CID, "uz", 2_500),
    )
    assert generation(database_url, "dinga") == before  # nothing listed changed
    assert org_total(b) == 2
    write(a, lambda tx: end_conference(tx, CID, 3_000))
    assert generation(database_url, "dinga") > before
    assert (org_total(b), org_total(b, ENDED)) == (1, 1)
    assert b(b.pages.page("dingb", RUNNING, 0, 5)) == ([], 0)


def test_a_booked_instance_starting_and_a_retitle_move_the_listings(two, database_url):
    a, b = two
    booked = conference(CID, status=ConferenceStatus.INITIALISED, title="plan")
    write(a, lambda tx: insert_conference(tx, booked, [], "ua"))
    retitled = ConferenceFilter(title_contains="review")
    assert (org_total(b), org_total(b, retitled)) == (0, 0)
    before = generation(database_url, "dinga")
    write(a, lambda tx: update_conference(tx, booked._replace(host_id="ub", locked=True)))
    assert generation(database_url, "dinga") == before  # no listed column changed
    write(a, lambda tx: join_meeting(tx, CID, "ua", "A", 5_000))
    assert org_total(b) == 1  # 0 -> 2: now running
    started = b(b.store.get_conference("dinga", CID))
    assert started is not None
    write(a, lambda tx: update_conference(tx, started._replace(title="review")))
    assert org_total(b, retitled) == 1


def test_loading_and_deleting_state_recount_members_and_move_totals(two):
    a, b = two
    write(
        a,
        lambda tx: insert_conference(tx, conference(CID), [("ua", "A")], "ua"),
        lambda tx: join_meeting(tx, CID, "uc", "C", 2_000),
    )
    assert (member_total(b), org_total(b)) == (2, 1)
    dump = a(StateTables(a.store.reader).dump_state("dinga"))
    write(a, lambda tx: StateTables(tx.conn).delete_orgs(["dinga"]))
    assert (member_total(b), org_total(b)) == (0, 0)
    write(a, lambda tx: StateTables(tx.conn).load_state(dump, replace_suites=False))
    assert (member_total(b), org_total(b)) == (2, 1)
    write(
        a,
        lambda tx: StateTables(tx.conn).delete_orgs(None),
        lambda tx: OrgTables(tx.conn).upsert_org(Org("dinga", "A")),
    )
    assert (member_total(b), org_total(b)) == (0, 0)


def test_kept_status_counts_agree_with_counting_through_every_kind_of_write(two):
    a, b = two
    filters = [
        *(ConferenceFilter(status=s) for s in ConferenceStatus),
        ConferenceFilter(status=ConferenceStatus.ENDED, started_from_ms=1_500, started_to_ms=9_000),
        ConferenceFilter(title_contains="x"),
    ]

    def agree() -> None:
        for where in filters:
            counted = len(b(ListingTables(b.store.reader).list_conferences("dinga", where)))
            assert org_total(b, where) == org_total(a, where) == counted, where

    ids = [f"{i:024x}" for i in range(6)]
    pending = ConferenceStatus.INITIALISED
    for i, cid in enumerate(ids):
        status = pending if i % 2 else ConferenceStatus.STARTED
        made = conference(cid, room=f"2000000000{i}", status=status, start_time_ms=1_000 * i)
        write(a, lambda tx, made=made: insert_conference(tx, made, [], "ua"))
        agree()
    write(a, lambda tx: join_meeting(tx, ids[1], "ua", "A", 2_000))  # 0 -> 2
    agree()
    write(
        a,
        lambda tx: end_conference(tx, ids[0], 3_000),
        lambda tx: end_conference(tx, ids[3], 3_000),
    )
    agree()
    write(a, lambda tx: end_conference(tx, ids[0], 3_500))  # already ended
    agree()
    running = b(b.store.get_conference("dinga", ids[2]))
    assert running is not None
    write(a, lambda tx: update_conference(tx, running._replace(title="xx", start_time_ms=8_000)))
    agree()
    dump = a(StateTables(a.store.reader).dump_state("dinga"))
    write(a, lambda tx: StateTables(tx.conn).delete_orgs(["dinga"]))
    agree()
    write(a, lambda tx: StateTables(tx.conn).load_state(dump, replace_suites=False))
    agree()


def test_member_pages_seek_from_the_last_key_and_offsets_still_work(two):
    a, b = two
    write(
        a,
        lambda tx: insert_conference(tx, conference(CID), [], "ua"),
        # Two members per millisecond: the unionId breaks the tie.
        *(
            lambda tx, i=i: join_meeting(tx, CID, f"u{i}", f"U{i}", 1_000 + i // 2)
            for i in range(7)
        ),
    )
    first = b(MemberTables(b.store.reader).page("dinga", CID, 0, 3))
    assert [p.union_id for p in first.members] == ["u0", "u1", "u2"]
    assert (first.total, first.last) == (7, (1_001, "u2"))
    by_key = b(MemberTables(b.store.reader).page("dinga", CID, 3, 3, first.last))
    by_offset = b(MemberTables(b.store.reader).page("dinga", CID, 3, 3))
    assert [p.union_id for p in by_key.members] == ["u3", "u4", "u5"]
    assert by_key == by_offset
    # The key wins over the offset: the page starts right after it.
    assert b(MemberTables(b.store.reader).page("dinga", CID, 0, 3, (1_002, "u4"))).members == (
        by_key.members[2:] + b(MemberTables(b.store.reader).page("dinga", CID, 6, 3)).members
    )


def _walk(conf: Any, token: str, cid: str, between: Any) -> list[str]:
    """Read every page of members, 7 at a time, calling ``between`` after each."""
    seen: list[str] = []
    next_token = None
    while True:
        page = members(conf, token, cid, max_results=7, next_token=next_token)
        seen += [x.union_id for x in page.member_models]
        if not page.next_token:
            return seen
        offset, listed_at, last = page.next_token.split(".", 2)
        assert (int(offset), last) == (len(seen), seen[-1]) and listed_at.isdigit()
        next_token = page.next_token
        between(len(seen))


def test_a_keyset_walk_reads_every_member_once_while_people_join(
    server, conf, acme_token, create_meeting
):
    cid = create_meeting("walk").conference_id
    for i in range(20):
        server.participants.join(cid, f"walk-{i:02d}")
    late = []

    def meanwhile(read: int) -> None:
        # Newcomers, a rejoin and an invitation between pages.
        for j in range(3):
            late.append(f"z-late-{read:03d}-{j}")
            server.participants.join(cid, late[-1])
        server.participants.leave(cid, "walk-03")
        server.participants.join(cid, "walk-03")
        sdk(
            conf,
            acme_token,
            "InviteUsers",
            cid,
            m.InviteUsersRequest(
                union_id="u-host", invitee_list=[m.InviteUsersRequestInviteeList(union_id="u-bob")]
            ),
        )

    seen = _walk(conf, acme_token, cid, meanwhile)
    everyone = [x.union_id for x in members(conf, acme_token, cid, max_results=2000).member_models]
    assert sorted(seen) == sorted(set(seen))  # nobody twice
    assert seen == everyone  # nobody missed, in listing order
    assert {f"walk-{i:02d}" for i in range(20)} | set(late) <= set(seen)
    final = members(conf, acme_token, cid, max_results=2000)
    assert final.total_count == len(everyone)


def test_plain_offset_tokens_still_work_and_bad_keys_are_refused(
    server, conf, acme_token, create_meeting, http
):
    cid = create_meeting("tokens").conference_id
    for i in range(9):
        server.participants.join(cid, f"tok-{i}")
    first = members(conf, acme_token, cid, max_results=4)
    keyed = members(conf, acme_token, cid, max_results=4, next_token=first.next_token)
    plain = members(conf, acme_token, cid, max_results=4, next_token="4")
    assert [x.union_id for x in keyed.member_models] == [x.union_id for x in plain.member_models]
    assert keyed.next_token.split(".")[0] == plain.next_token.split(".")[0] == "8"
    assert keyed.total_count == plain.total_count == 10  # the host, rung at creation
    # The raw JSON: the total an integer, the token a string, nothing null.
    body = http.get(
        f"/v1.0/conference/videoConferences/{cid}/members",
        params={"maxResults": 4, "nextToken": "4"},
        headers={TOKEN_HEADER: acme_token},
    ).json()
    assert type(body["totalCount"]) is int and type(body["nextToken"]) is str
    assert None not in body.values()
    for bad in ("4.x.tok-3", "4.12", "4.12.", "x.12.tok-3", "4.1234567890123456789.tok-3"):
        assert_sdk_error(
            lambda bad=bad: members(conf, acme_token, cid, next_token=bad), 400, "paramError"
        )


def _org_list(server: DingconfServer, token: str, next_token: str = "") -> dict[str, Any]:
    path = f"/v1.0/conference/orgConferences?maxResults=2&nextToken={next_token}"
    status, _, body = server.request("GET", path, headers={TOKEN_HEADER: token})
    assert status == 200, body
    return dict(body)


def _members(server: DingconfServer, token: str, cid: str) -> int:
    path = f"/v1.0/conference/videoConferences/{cid}/members?maxResults=2"
    status, _, body = server.request("GET", path, headers={TOKEN_HEADER: token})
    assert status == 200, body
    return int(body["totalCount"])


def test_totals_across_two_processes_right_after_joins_invites_and_closes(
    database_url: str, tmp_path: Path
):
    with processes_on(database_url, tmp_path, 2) as servers:
        writer, reader = servers
        token = writer.token("acme-app", "acme-secret")
        first = new_meeting(writer, token, "one")
        running = _org_list(reader, token)["totalCount"]
        second = new_meeting(writer, token, "two")
        assert _org_list(reader, token)["totalCount"] == running + 1
        assert _members(reader, token, second) == 1  # the host, rung
        for i in range(3):
            writer.participants.join(second, f"proc-{i}")
            assert _members(reader, token, second) == 2 + i
        status, _, body = writer.request(
            "POST",
            f"/v1.0/conference/videoConferences/{second}/users/invite",
            {"unionId": "u-host", "inviteeList": [{"unionId": "u-bob"}]},
            {TOKEN_HEADER: token},
        )
        assert status == 200, body
        assert _members(reader, token, second) == 5
        assert _org_list(reader, token)["totalCount"] == running + 1
        status, _, body = writer.request(
            "DELETE",
            f"/v1.0/conference/videoConferences/{first}?unionId=u-host",
            headers={TOKEN_HEADER: token},
        )
        assert status == 200, body
        assert _org_list(reader, token)["totalCount"] == running
        listed, next_token = [], ""  # the reader's list, walked with its tokens
        while True:
            page = _org_list(reader, token, next_token)
            listed += [c["conferenceId"] for c in page["onGoingConfList"]]
            next_token = page.get("nextToken", "")
            if not next_token:
                break
        assert len(listed) == len(set(listed)) == running and second in listed
        assert first not in listed


def test_the_migration_counts_the_members_already_there(database_url: str):
    from yoyo import get_backend, read_migrations

    from dingconf.db.migrate import MIGRATIONS_DIR

    uri = database_url
    if not uri.startswith("sqlite:"):
        uri = "postgresql+psycopg://" + uri.split("://", 1)[1]
    backend = get_backend(uri)
    try:
        older = read_migrations(str(MIGRATIONS_DIR)).filter(lambda m: m.id < "0015")
        with backend.lock():
            backend.apply_migrations(backend.to_apply(older))
    finally:
        backend.connection.close()
    raw_sql(
        database_url,
        "INSERT INTO orgs (corp_id, name) VALUES ('dinga', 'A')",
        "INSERT INTO conferences (conference_id, corp_id, title, biz_type, status, room_code, "
        "external_link_url, creator_id, creator_nick, host_id, start_time) "
        f"VALUES ('{CID}', 'dinga', 't', '0', 2, '1', 'x', 'ua', 'A', 'ua', 1000)",
        *(
            "INSERT INTO participants (conference_id, union_id, nick, attend_status) "
            f"VALUES ('{CID}', 'u{i}', 'U', 2)"
            for i in range(3)
        ),
    )
    db = Runner(open_store(database_url))
    db(db.store.open())  # applies 0015
    try:
        assert (member_total(db), org_total(db)) == (3, 1)
        assert generation(database_url, "dinga") == 1
    finally:
        db(db.store.close())
        db.loop.close()
