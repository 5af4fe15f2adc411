"""The storage contract: every backend must pass these, through the store and the tables."""

import asyncio
from collections.abc import Coroutine, Iterator
from dataclasses import replace
from typing import Any, TypeVar

import pytest

from dingconf.analytics.tables import AnalyticsTables
from dingconf.app import open_store
from dingconf.auth.tables import OrgTables, TokenTables
from dingconf.bookings.tables import BookingTables
from dingconf.control.state_tables import ORG_TABLES
from dingconf.core.records import (
    App,
    AttendStatus,
    Booking,
    BookingSettings,
    Conference,
    ConferenceStatus,
    ExtensionApp,
    Org,
    Participant,
    Suite,
    TokenRecord,
    User,
)
from dingconf.db.store import RoomCodeTaken, Store
from dingconf.listing.pages import ConferencePages
from dingconf.listing.records import ConferenceFilter
from dingconf.listing.tables import ListingTables
from dingconf.meetings.tables import CONFERENCE_COLUMNS, MeetingTables
from dingconf.meetings.transitions import (
    add_invitations,
    end_conference,
    insert_conference,
    kick_member,
    record_leave,
    update_conference,
)
from dingconf.members.tables import MEMBER_COLUMNS, MemberTables

from conftest import join_meeting

T = TypeVar("T")


class Runner:
    """Runs coroutines against one store on one event loop."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.loop = asyncio.new_event_loop()
        #: The store's org listing pages, with this process's kept totals.
        self.pages = ConferencePages(store)

    def __call__(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)


@pytest.fixture
def db(database_url: str) -> Iterator[Runner]:
    runner = Runner(open_store(database_url))
    runner(runner.store.open())
    runner(seed_orgs(runner.store))
    try:
        yield runner
    finally:
        runner(runner.store.close())
        runner.loop.close()


async def seed_orgs(store: Store) -> None:
    """Organisations dinga and dingb, user ua of dinga, app app-a of dinga."""
    async with store.write() as tx:
        accounts = OrgTables(tx.conn)
        await accounts.upsert_org(Org("dinga", "A"))
        await accounts.upsert_org(Org("dingb", "B"))
        await accounts.upsert_user(User("dinga", "ua", "User A"))
        await accounts.upsert_app(App("app-a", "dinga", "hash", frozenset({"S.Read"})))


def conference(cid: str, corp: str = "dinga", room: str = "10000000001", **kw: Any) -> Conference:
    fields: dict[str, Any] = dict(
        conference_id=cid,
        corp_id=corp,
        title="t",
        biz_type="0",
        status=ConferenceStatus.STARTED,
        room_code=room,
        external_link_url="http://x/app",
        creator_id="ua",
        creator_nick="User A",
        host_id="ua",
        start_time_ms=1_000,
        end_time_ms=None,
        schedule_conference_id=None,
        active_num=0,
        attend_num=0,
        invited_num=0,
        cloud_record_status=0,
        cloud_record_owner=None,
        extension_apps=(),
    )
    return Conference(**(fields | kw))


CID = "a" * 24


def test_accounts_round_trip(db: Runner):
    accounts = OrgTables(db.store.reader)
    app = App("app-a", "dinga", "hash", frozenset({"S.Read"}))
    assert db(accounts.get_org("dinga")) == Org("dinga", "A")
    assert db(accounts.list_orgs()) == [Org("dinga", "A"), Org("dingb", "B")]
    assert db(accounts.get_user("dinga", "ua")) == User("dinga", "ua", "User A")
    assert db(accounts.get_user("dingb", "ua")) is None
    assert db(accounts.get_app("app-a")) == app
    assert db(accounts.list_apps("dinga")) == [app]


def test_token_resolution_follows_current_scopes_and_authorisation(db: Runner):
    s = db.store
    resolve = TokenTables(s.reader).resolve_token

    async def scenario() -> None:
        async with s.write() as tx:
            tokens, accounts = TokenTables(tx.conn), OrgTables(tx.conn)
            await tokens.put_token(TokenRecord("h1", "app", "app-a", "dinga", 5_000, "n"))
            await accounts.upsert_suite(
                Suite("su", "hash", frozenset({"S.Read"}), frozenset({"dinga"}))
            )
            await tokens.put_token(TokenRecord("h2", "suite", "su", "dinga", 6_000, ""))
        principal, expires = await resolve("h1") or (None, 0)
        assert principal is not None and principal.scopes == {"S.Read"} and expires == 5_000
        async with s.write() as tx:
            await OrgTables(tx.conn).upsert_app(
                App("app-a", "dinga", "hash", frozenset({"S.Read", "S.Write"}))
            )
        found = await resolve("h1")
        assert found is not None and found[0].scopes == {"S.Read", "S.Write"}
        assert await resolve("h2") is not None
        async with s.write() as tx:  # the corp withdraws its authorisation
            await OrgTables(tx.conn).upsert_suite(
                Suite("su", "hash", frozenset({"S.Read"}), frozenset())
            )
        assert await resolve("h2") is None
        async with s.write() as tx:
            tokens = TokenTables(tx.conn, tx.row_lock)
            assert await tokens.find_live_token("app", "app-a", "dinga", 4_999) is not None
            assert await tokens.find_live_token("app", "app-a", "dinga", 5_000) is None
            assert await tokens.delete_tokens("app", "app-a") == 1
        assert await resolve("h1") is None

    db(scenario())


def test_expired_tokens_are_purged_and_live_ones_kept(db: Runner):
    s = db.store

    async def scenario() -> None:
        async with s.write() as tx:
            tokens = TokenTables(tx.conn)
            await tokens.put_token(TokenRecord("old", "app", "app-a", "dinga", 5_000, "n"))
            await tokens.put_token(TokenRecord("live", "app", "app-a", "dinga", 9_000, "m"))
        async with s.write() as tx:
            tokens = TokenTables(tx.conn)
            assert await tokens.purge_tokens(5_000) == 0  # expiring now is not yet expired
            assert await tokens.purge_tokens(5_001) == 1
        assert await TokenTables(s.reader).resolve_token("old") is None
        assert await TokenTables(s.reader).resolve_token("live") is not None

    db(scenario())


def test_rows_map_by_the_declared_columns_of_the_tables(db: Runner, database_url: str):
    """The column declarations the mappings follow are the tables' columns (as the
    state dump declares them too), in the records' field order."""
    in_record = {"start_time": "start_time_ms", "end_time": "end_time_ms"}
    assert tuple(in_record.get(c, c) for c in CONFERENCE_COLUMNS) == Conference._fields
    in_member = {"first_join": "first_join_ms", "last_join": "last_join_ms"}
    in_member |= {"leave_time": "leave_ms", "duration": "duration_ms"}
    fields = tuple(in_member.get(c, c) for c in MEMBER_COLUMNS)
    assert fields == tuple(f for f in Participant._fields if f != "job_number")
    dumped = {t.name: t.columns for t in ORG_TABLES}
    assert dumped["conferences"] == CONFERENCE_COLUMNS
    assert set(MEMBER_COLUMNS) <= set(dumped["participants"])
    if database_url.startswith("sqlite"):
        sql = "SELECT name FROM pragma_table_info('conferences')"
    else:
        sql = "SELECT column_name FROM information_schema.columns WHERE table_name = 'conferences'"
    stored = {row[0] for row in db(db.store.reader.fetchall(sql))}
    assert stored == set(CONFERENCE_COLUMNS)


def test_meetings_are_invisible_to_other_orgs(db: Runner):
    s = db.store

    async def scenario() -> None:
        async with s.write() as tx:
            await insert_conference(tx, conference(CID), [("ub", "B")], "ua")
        assert (await s.get_conference("dinga", CID)) == conference(CID)
        assert await s.get_conference("dingb", CID) is None
        assert await MeetingTables(s.reader).conference_corp(CID) == "dinga"
        assert await MeetingTables(s.reader).conference_corp("b" * 24) is None
        async with s.write() as tx:
            assert await MeetingTables(tx.conn, tx.row_lock).lock("dingb", CID) is None
        assert await MemberTables(s.reader).list_members("dingb", CID) == []

    db(scenario())


def test_extension_apps_round_trip(db: Runner):
    apps = (ExtensionApp("COOLAPP-1", "123", 2, '{"k": "v"}'),)

    async def scenario() -> None:
        async with db.store.write() as tx:
            await insert_conference(tx, conference(CID, extension_apps=apps), [], "ua")
        got = await db.store.get_conference("dinga", CID)
        assert got is not None and got.extension_apps == apps

    db(scenario())


def test_live_room_codes_are_unique_and_freed_when_ended(db: Runner):
    s = db.store

    async def scenario() -> None:
        async with s.write() as tx:
            await insert_conference(tx, conference(CID), [], "ua")
        with pytest.raises(RoomCodeTaken):
            async with s.write() as tx:
                await insert_conference(tx, conference("b" * 24), [], "ua")
        assert await MeetingTables(s.reader).conference_corp("b" * 24) is None  # rolled back
        async with s.write() as tx:
            await end_conference(tx, CID, 2_000)
        async with s.write() as tx:
            await insert_conference(tx, conference("b" * 24), [], "ua")
        assert await MeetingTables(s.reader).conference_corp("b" * 24) == "dinga"

    db(scenario())


def test_join_leave_and_end_move_counters_and_history(db: Runner):
    s = db.store

    async def scenario() -> None:
        async with s.write() as tx:
            await insert_conference(
                tx, conference(CID, status=ConferenceStatus.INITIALISED), [], "ua"
            )
            await join_meeting(tx, CID, "ua", "A", 1_000)
            await join_meeting(tx, CID, "ub", "B", 1_500)
        c = await s.get_conference("dinga", CID)
        assert c is not None and (c.status, c.active_num, c.attend_num) == (
            ConferenceStatus.STARTED,
            2,
            2,
        )
        async with s.write() as tx:
            await record_leave(tx, CID, "ua", 3_000)
            await join_meeting(tx, CID, "ua", "A", 4_000)
        c = await s.get_conference("dinga", CID)
        assert c is not None and (c.active_num, c.attend_num) == (2, 2)
        async with s.write() as tx:
            member = await MemberTables(tx.conn).get(CID, "ua")
            assert (
                member is not None and member.duration_ms == 2_000 and member.first_join_ms == 1_000
            )
            await end_conference(tx, CID, 5_000)
        c = await s.get_conference("dinga", CID)
        assert c is not None and (c.status, c.end_time_ms, c.active_num, c.attend_num) == (
            ConferenceStatus.ENDED,
            5_000,
            0,
            2,
        )
        members = {p.union_id: p for p in await MemberTables(s.reader).list_members("dinga", CID)}
        assert members["ua"].duration_ms == 3_000 and members["ub"].duration_ms == 3_500
        assert {p.attend_status for p in members.values()} == {AttendStatus.LEFT}
        assert {p.leave_ms for p in members.values()} == {5_000}

    db(scenario())


def test_a_meeting_read_again_shows_every_commit_since(db: Runner, database_url: str):
    # Two stores on one database are two connections, as two server processes
    # have: whatever one of them keeps between reads, the other's commits show.
    s = db.store
    other = open_store(database_url)

    async def counts() -> tuple[int, int]:
        c = await s.get_conference("dinga", CID)
        assert c is not None
        return c.active_num, c.attend_num

    async def scenario() -> None:
        await other.open()
        try:
            async with s.write() as tx:
                await insert_conference(tx, conference(CID), [], "ua")
            assert await counts() == (0, 0)
            for n in range(1, 6):
                async with other.write() as tx:
                    await join_meeting(tx, CID, f"u{n}", "N", 1_000 + n)
                assert await counts() == (n, n)
                assert await counts() == (n, n)
            async with s.write() as tx:
                await record_leave(tx, CID, "u1", 9_000)
            assert await counts() == (4, 5)
            async with other.write() as tx:
                await end_conference(tx, CID, 10_000)
            c = await s.get_conference("dinga", CID)
            assert c is not None and (c.status, c.end_time_ms) == (ConferenceStatus.ENDED, 10_000)
            assert await s.get_conference("dingb", CID) is None
        finally:
            await other.close()

    db(scenario())


def test_failed_transaction_changes_nothing(db: Runner):
    s = db.store

    async def scenario() -> None:
        with pytest.raises(RuntimeError):
            async with s.write() as tx:
                await OrgTables(tx.conn).upsert_org(Org("dingc", "C"))
                raise RuntimeError("boom")
        assert await OrgTables(s.reader).get_org("dingc") is None

    db(scenario())


SID = "5f3c2b1a-0000-4000-8000-000000000001"


def booking(sid: str = SID, corp: str = "dinga", room: str = "20000000001", **kw: Any) -> Booking:
    fields: dict[str, Any] = dict(
        schedule_conference_id=sid,
        corp_id=corp,
        creator_id="ua",
        title="Booked",
        start_time_ms=10_000,
        end_time_ms=20_000,
        room_code=room,
        url="http://x/j/abc",
        cancelled=False,
        settings=BookingSettings(),
    )
    return Booking(**(fields | kw))


FULL_SETTINGS = BookingSettings(
    host_id="ua",
    cohost_ids=("ub", "uc"),
    conf_allowed_corp_id="dinga",
    lock_room=1,
    mute_on_join=-1,
    screen_share_forbidden=0,
    waiting_room=1,
    join_before_host=0,
    enable_chat=1,
    lock_nick=0,
    lock_media_status_mic_mute=1,
    enable_web_anonymous_join=False,
    extension_apps=(ExtensionApp("COOL", "7", 1, "{}"),),
    cloud_record_owner="ub",
    record_auto_start=1,
    record_auto_start_type=2,
)


def test_bookings_round_trip_and_are_invisible_to_other_orgs(db: Runner):
    s = db.store
    sparse = booking()
    full = booking("5f3c2b1a-0000-4000-8000-000000000002", room="20000000002")
    full = replace(full, settings=FULL_SETTINGS)

    async def scenario() -> None:
        async with s.write() as tx:
            written = BookingTables(tx.conn, tx.row_lock)
            await written.insert_booking(sparse)
            await written.insert_booking(full)
            assert await written.booking_corp(SID) == "dinga"
            assert await written.booking_corp("nope") is None
        read = BookingTables(s.reader)
        assert await read.get_booking("dinga", SID) == sparse
        assert await read.get_booking("dinga", full.schedule_conference_id) == full
        assert await read.get_booking("dingb", SID) is None
        assert await read.booking_corp(SID) == "dinga"
        assert await read.booking_corp("nope") is None
        async with s.write() as tx:
            locking = BookingTables(tx.conn, tx.row_lock)
            assert await locking.lock_booking("dinga", SID) == sparse
            assert await locking.lock_booking("dingb", SID) is None
            assert await locking.lock_booking("dinga", "nope") is None

    db(scenario())


def test_update_booking_rewrites_every_field_of_its_own_org_only(db: Runner):
    s = db.store
    other = booking("5f3c2b1a-0000-4000-8000-00000000000b", corp="dingb", room="20000000003")
    changed = booking(
        creator_id="uz",
        title="Moved",
        start_time_ms=11_000,
        end_time_ms=22_000,
        room_code="20000000009",
        url="http://x/j/new",
        cancelled=True,
        settings=FULL_SETTINGS,
    )

    async def scenario() -> None:
        read = BookingTables(s.reader)
        async with s.write() as tx:
            await BookingTables(tx.conn).insert_booking(booking())
            await BookingTables(tx.conn).insert_booking(other)
        async with s.write() as tx:
            await BookingTables(tx.conn).update_booking(changed)
            # Another organisation cannot rewrite a booking it does not own.
            await BookingTables(tx.conn).update_booking(
                replace(other, corp_id="dinga", title="Stolen")
            )
        assert await read.get_booking("dinga", SID) == changed
        assert await read.get_booking("dingb", other.schedule_conference_id) == other
        async with s.write() as tx:  # settings set back to none are gone
            await BookingTables(tx.conn).update_booking(
                replace(changed, settings=BookingSettings())
            )
        got = await read.get_booking("dinga", SID)
        assert got is not None and got.settings == BookingSettings()

    db(scenario())


def test_booking_by_room_code_skips_cancelled_bookings_and_crosses_orgs(db: Runner):
    s = db.store
    other = booking("5f3c2b1a-0000-4000-8000-00000000000b", corp="dingb", room="20000000003")

    async def scenario() -> None:
        read = BookingTables(s.reader)
        async with s.write() as tx:
            await BookingTables(tx.conn).insert_booking(booking())
            await BookingTables(tx.conn).insert_booking(other)
        assert await read.booking_by_room_code("20000000001") == booking()
        assert await read.booking_by_room_code("20000000003") == other
        assert await read.booking_by_room_code("29999999999") is None
        async with s.write() as tx:
            await BookingTables(tx.conn).update_booking(booking(cancelled=True))
        assert await read.booking_by_room_code("20000000001") is None

    db(scenario())


def test_update_conference_writes_settings_and_state_but_never_counters(db: Runner):
    s = db.store
    apps = (ExtensionApp("COOLAPP-1", "1", 0, ""), ExtensionApp("COOLAPP-2", "2", 2, "{}"))

    async def scenario() -> None:
        async with s.write() as tx:
            await insert_conference(tx, conference(CID, invited_num=1), [("ub", "B")], "ua")
            await join_meeting(tx, CID, "ua", "A", 1_000)
        before = await s.get_conference("dinga", CID)
        assert before is not None and (before.active_num, before.attend_num) == (1, 1)
        changed = before._replace(
            title="Renamed",
            status=ConferenceStatus.ENDED,
            host_id="ub",
            start_time_ms=900,
            end_time_ms=9_000,
            cloud_record_status=3,
            cloud_record_owner="ub",
            extension_apps=apps,
            cohost_ids=("uc", "ud"),
            locked=True,
            mute_all=2,
            internal_only=True,
            auto_record_type=1,
            auto_record_owner="uc",
        )
        async with s.write() as tx:
            await update_conference(
                tx, changed._replace(active_num=50, attend_num=60, invited_num=70)
            )
        assert await s.get_conference("dinga", CID) == changed
        async with s.write() as tx:  # and back to the empty values
            await update_conference(
                tx,
                changed._replace(
                    end_time_ms=None,
                    cloud_record_owner=None,
                    extension_apps=(),
                    cohost_ids=(),
                    locked=False,
                    mute_all=0,
                    internal_only=False,
                    auto_record_type=None,
                    auto_record_owner=None,
                ),
            )
            got = await MeetingTables(tx.conn, tx.row_lock).lock("dinga", CID)
        assert got is not None and got == await s.get_conference("dinga", CID)
        assert (got.end_time_ms, got.extension_apps, got.cohost_ids, got.auto_record_type) == (
            None,
            (),
            (),
            None,
        )

    db(scenario())


def member(cid: str, uid: str, nick: str, status: AttendStatus, **kw: Any) -> Participant:
    fields: dict[str, Any] = dict(
        first_join_ms=None, last_join_ms=None, leave_ms=None, duration_ms=0
    )
    return Participant(cid, uid, nick, status, **(fields | kw))


def test_invitations_ring_once_and_turn_into_members(db: Runner):
    s = db.store
    calling = AttendStatus.CALLING

    async def scenario() -> None:
        async with s.write() as tx:
            await insert_conference(tx, conference(CID, invited_num=1), [("ub", "B")], "ua")
        assert await MemberTables(s.reader).list_members("dinga", CID) == [
            member(CID, "ub", "B", calling)
        ]
        async with s.write() as tx:
            await join_meeting(tx, CID, "uc", "C", 1_500)
            added = await add_invitations(tx, CID, [("ub", "B"), ("ud", "D")], "ua", 2_000)
            assert added == 1  # ub was invited before
            # Someone inside stays inside when invited.
            assert await add_invitations(tx, CID, [("uc", "C")], "ua", 2_100) == 1
        c = await s.get_conference("dinga", CID)
        assert c is not None and (c.invited_num, c.active_num, c.attend_num) == (3, 1, 1)
        assert await MemberTables(s.reader).list_members("dinga", CID) == [
            member(CID, "ub", "B", calling),
            member(CID, "uc", "C", AttendStatus.ACTIVE, first_join_ms=1_500, last_join_ms=1_500),
            member(CID, "ud", "D", calling),
        ]
        assert await MemberTables(s.reader).list_members("dingb", CID) == []
        async with s.write() as tx:  # the invitee answers: the same member, now inside
            await join_meeting(tx, CID, "ub", "Bee", 3_000)
            assert await MemberTables(tx.conn).get(CID, "ub") == member(
                CID, "ub", "Bee", AttendStatus.ACTIVE, first_join_ms=3_000, last_join_ms=3_000
            )
            assert await MemberTables(tx.conn).get(CID, "zz") is None
        listed = await MemberTables(s.reader).list_members("dinga", CID)
        assert [p.union_id for p in listed] == ["ub", "uc", "ud"]
        c = await s.get_conference("dinga", CID)
        assert c is not None and (c.invited_num, c.active_num, c.attend_num) == (3, 2, 2)
        async with s.write() as tx:  # a member who left is rung again
            await record_leave(tx, CID, "ub", 4_000)
            assert await add_invitations(tx, CID, [("ub", "B")], "ua", 5_000) == 0
            got = await MemberTables(tx.conn).get(CID, "ub")
        assert got == member(
            CID,
            "ub",
            "Bee",
            calling,
            first_join_ms=3_000,
            last_join_ms=3_000,
            leave_ms=4_000,
            duration_ms=1_000,
        )

    db(scenario())


def test_kick_member_closes_the_stay_and_forbids_rejoining(db: Runner):
    s = db.store

    async def scenario() -> None:
        async with s.write() as tx:
            await insert_conference(tx, conference(CID, invited_num=1), [("ud", "D")], "ua")
            await join_meeting(tx, CID, "ub", "B", 1_000)
            await join_meeting(tx, CID, "uc", "C", 1_000)
        async with s.write() as tx:
            await kick_member(tx, CID, "ub", 4_000, forbid_rejoin=True)
            await kick_member(tx, CID, "ud", 4_000, forbid_rejoin=False)  # never got in
            assert await MemberTables(tx.conn).get(CID, "ub") == member(
                CID,
                "ub",
                "B",
                AttendStatus.KICKED,
                first_join_ms=1_000,
                last_join_ms=1_000,
                leave_ms=4_000,
                duration_ms=3_000,
                rejoin_forbidden=True,
            )
            assert await MemberTables(tx.conn).get(CID, "ud") == member(
                CID, "ud", "D", AttendStatus.KICKED
            )
        c = await s.get_conference("dinga", CID)
        assert c is not None and (c.active_num, c.attend_num, c.invited_num) == (1, 2, 1)
        async with s.write() as tx:  # ending later does not reopen or re-close the stay
            await end_conference(tx, CID, 9_000)
        kicked = {p.union_id: p for p in await MemberTables(s.reader).list_members("dinga", CID)}
        assert (kicked["ub"].attend_status, kicked["ub"].duration_ms) == (
            AttendStatus.KICKED,
            3_000,
        )
        assert (kicked["uc"].attend_status, kicked["uc"].duration_ms) == (AttendStatus.LEFT, 8_000)

    db(scenario())


def test_update_member_and_mute_everyone_touch_one_meeting(db: Runner):
    s = db.store
    other = "b" * 24

    async def scenario() -> None:
        async with s.write() as tx:
            await insert_conference(tx, conference(CID), [], "ua")
            await insert_conference(tx, conference(other, room="10000000002"), [], "ua")
            for cid in (CID, other):
                await join_meeting(tx, cid, "ub", "B", 1_000)
                await join_meeting(tx, cid, "uc", "C", 1_000, muted=True)
        async with s.write() as tx:
            ub = await MemberTables(tx.conn).get(CID, "ub")
            assert ub is not None
            # Only the nick and the mute state are written.
            await MemberTables(tx.conn).update(
                ub._replace(nick="Bee", muted=True, duration_ms=99, rejoin_forbidden=True)
            )
            assert await MemberTables(tx.conn).get(CID, "ub") == ub._replace(nick="Bee", muted=True)
        async with s.write() as tx:
            await MemberTables(tx.conn).mute_all(CID, False)
        assert [
            (p.nick, p.muted) for p in await MemberTables(s.reader).list_members("dinga", CID)
        ] == [
            ("Bee", False),
            ("C", False),
        ]
        async with s.write() as tx:
            await MemberTables(tx.conn).mute_all(CID, True)
        assert [
            (p.nick, p.muted) for p in await MemberTables(s.reader).list_members("dinga", CID)
        ] == [
            ("Bee", True),
            ("C", True),
        ]
        assert [
            (p.nick, p.muted) for p in await MemberTables(s.reader).list_members("dinga", other)
        ] == [
            ("B", False),
            ("C", True),
        ]

    db(scenario())


LISTED = {
    "c1": dict(start_time_ms=1_000, status=ConferenceStatus.ENDED, room="30000000001"),
    "c2": dict(start_time_ms=2_000, status=ConferenceStatus.STARTED, room="30000000001"),
    "c3": dict(start_time_ms=3_000, status=ConferenceStatus.INITIALISED, room="30000000002"),
    "c4": dict(start_time_ms=2_000, status=ConferenceStatus.STARTED, room="30000000003"),
    "b1": dict(
        start_time_ms=1_500, status=ConferenceStatus.STARTED, room="30000000009", corp="dingb"
    ),
}


def listed(key: str, **overrides: Any) -> Conference:
    kw = dict(LISTED[key]) | overrides
    room, corp = kw.pop("room"), kw.pop("corp", "dinga")
    sid = SID if key in ("c1", "c2") else None
    return conference(key * 12, corp, str(room), schedule_conference_id=sid, **kw)


@pytest.mark.parametrize(
    ("corp", "where", "expected"),
    [
        ("dinga", ConferenceFilter(), ["c1", "c2", "c4", "c3"]),
        ("dingb", ConferenceFilter(), ["b1"]),
        ("dingc", ConferenceFilter(), []),
        (None, ConferenceFilter(), ["c1", "b1", "c2", "c4", "c3"]),
        ("dinga", ConferenceFilter(status=ConferenceStatus.STARTED), ["c2", "c4"]),
        (None, ConferenceFilter(status=ConferenceStatus.STARTED), ["b1", "c2", "c4"]),
        ("dinga", ConferenceFilter(status=ConferenceStatus.INITIALISED), ["c3"]),
        ("dinga", ConferenceFilter(room_code="30000000001"), ["c1", "c2"]),
        ("dingb", ConferenceFilter(room_code="30000000001"), []),
        (None, ConferenceFilter(room_code="30000000009"), ["b1"]),
        ("dinga", ConferenceFilter(schedule_conference_id=SID), ["c1", "c2"]),
        ("dinga", ConferenceFilter(schedule_conference_id="nope"), []),
        ("dinga", ConferenceFilter(started_from_ms=2_000), ["c2", "c4", "c3"]),
        ("dinga", ConferenceFilter(started_to_ms=2_000), ["c1", "c2", "c4"]),
        ("dinga", ConferenceFilter(started_from_ms=1_001, started_to_ms=2_999), ["c2", "c4"]),
        (None, ConferenceFilter(started_from_ms=1_500, started_to_ms=1_500), ["b1"]),
        (
            "dinga",
            ConferenceFilter(
                status=ConferenceStatus.STARTED,
                room_code="30000000001",
                schedule_conference_id=SID,
                started_from_ms=2_000,
                started_to_ms=2_000,
            ),
            ["c2"],
        ),
    ],
)
def test_list_conferences_filters(db: Runner, corp, where, expected):
    s = db.store

    async def scenario() -> None:
        async with s.write() as tx:
            for key in LISTED:
                await insert_conference(tx, listed(key), [], "ua")
        read = ListingTables(s.reader)
        assert await read.list_conferences(corp, where) == [listed(k) for k in expected]
        async with s.write() as tx:  # the transaction sees the same
            written = ListingTables(tx.conn)
            assert await written.list_conferences(corp, where) == [listed(k) for k in expected]

    db(scenario())


def test_pages_of_conferences_are_cut_by_the_database(db: Runner):
    s = db.store

    async def scenario() -> None:
        async with s.write() as tx:
            for key in LISTED:
                await insert_conference(tx, listed(key, title=f"Sync {key}"), [], "ua")
        everything = ConferenceFilter()
        assert await db.pages.page("dinga", everything, 1, 2) == (
            [listed(k, title=f"Sync {k}") for k in ("c2", "c4")],
            4,
        )
        assert await db.pages.page("dinga", everything, 4, 2) == ([], 4)
        # From where a page ended: the offset only numbers it.
        c2 = listed("c2", title="Sync c2")
        after = (c2.start_time_ms, c2.conference_id)
        found, total = await db.pages.page("dinga", everything, 2, 5, after)
        assert ([c.conference_id[:2] for c in found], total) == (["c4", "c3"], 4)
        # Title filters are case-sensitive substrings, LIKE wildcards are literal.
        for needle, expected in (
            ("c4", ["c4"]),
            ("C4", []),
            ("%", []),
            ("Sync", ["c1", "c2", "c4", "c3"]),
        ):
            found, total = await db.pages.page(
                "dinga", ConferenceFilter(title_contains=needle), 0, 10
            )
            assert [c.conference_id[:2] for c in found] == expected
            assert total == len(expected)

    db(scenario())


def test_list_conferences_in_a_transaction_sees_its_own_writes(db: Runner):
    s = db.store

    async def scenario() -> None:
        async with s.write() as tx:
            await insert_conference(tx, conference(CID), [], "ua")
            written = ListingTables(tx.conn)
            assert await written.list_conferences("dinga", ConferenceFilter()) == [conference(CID)]
            assert await written.list_conferences("dingb", ConferenceFilter()) == []

    db(scenario())


def test_list_memberships_of_running_meetings_in_one_org(db: Runner):
    s = db.store
    running, ended, other = "a" * 24, "b" * 24, "c" * 24
    pending = "d" * 24

    async def scenario() -> None:
        async with s.write() as tx:
            await insert_conference(tx, conference(running, start_time_ms=2_000), [], "ua")
            await insert_conference(tx, conference(ended, room="10000000002"), [], "ua")
            await insert_conference(
                tx, conference(other, "dingb", room="10000000003"), [("ub", "B")], "ua"
            )
            await insert_conference(
                tx,
                conference(pending, room="10000000004", status=ConferenceStatus.INITIALISED),
                [("ub", "B")],
                "ua",
            )
            for cid in (running, ended, other):
                await join_meeting(tx, cid, "ub", "B", 3_000)
            await join_meeting(tx, running, "uc", "C", 3_000)
            await end_conference(tx, ended, 4_000)
        read = ListingTables(s.reader)
        inside = member(
            running, "ub", "B", AttendStatus.ACTIVE, first_join_ms=3_000, last_join_ms=3_000
        )
        assert await read.list_memberships("dinga", "ub", AttendStatus.ACTIVE) == [inside]
        assert await read.list_memberships("dingb", "ub", AttendStatus.ACTIVE) == [
            inside._replace(conference_id=other)
        ]
        assert await read.list_memberships("dinga", "ub", AttendStatus.LEFT) == []
        # The not yet started meeting (status 0) is not running.
        assert await read.list_memberships("dinga", "ub", AttendStatus.CALLING) == []
        assert await read.list_memberships("dinga", "zz", AttendStatus.ACTIVE) == []
        async with s.write() as tx:
            await record_leave(tx, running, "ub", 5_000)
        assert await read.list_memberships("dinga", "ub", AttendStatus.ACTIVE) == []
        assert await read.list_memberships("dinga", "ub", AttendStatus.LEFT) == [
            inside._replace(leave_ms=5_000, duration_ms=2_000, attend_status=AttendStatus.LEFT)
        ]

    db(scenario())


def test_a_join_moves_the_counts_by_what_its_rows_did(db: Runner):
    """Not by what the caller read before: a join of someone inside changes nothing,
    a first stay counts in attendNum, a row new to the meeting in the member total."""

    async def scenario() -> tuple[Any, ...]:
        store = db.store
        async with store.write() as tx:
            await insert_conference(tx, conference(CID, invited_num=1), [("ub", "B")], "ua")
        async with store.write() as tx:
            first = await join_meeting(tx, CID, "ub", "B", 2_000)  # was rung
            again = await join_meeting(tx, CID, "ub", "B", 2_100)  # inside already
            await record_leave(tx, CID, "ub", 2_200)
            await join_meeting(tx, CID, "ub", "B", 2_300)  # a second stay
            await join_meeting(tx, CID, "uc", "C", 2_400)  # new to the meeting
        meeting = await store.get_conference("dinga", CID)
        assert meeting is not None
        page = await MemberTables(store.reader).page("dinga", CID, 0, 10)
        stays = await AnalyticsTables(store.reader).list_sessions("dinga", CID)
        return first is not None, again, meeting, page.total, len(stays)

    joined, again, meeting, total, stays = db(scenario())
    assert joined and again is None
    assert (meeting.active_num, meeting.attend_num, total, stays) == (2, 2, 2, 3)
