"""The storage contract of stays, devices, network samples, declines and departments.

Every backend must pass these, through the Store interface only.
"""

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dingconf.analytics.records import Device, NetworkSample, SessionRecord
from dingconf.analytics.tables import AnalyticsTables
from dingconf.app import open_store
from dingconf.auth.tables import OrgTables
from dingconf.core.records import AttendStatus, Conference, ConferenceStatus, Org, User
from dingconf.db.store import Store
from dingconf.meetings.transitions import insert_conference, record_leave
from dingconf.members.tables import MemberTables

from conftest import join_meeting

CID = "b" * 24


def meeting(corp: str = "dinga") -> Conference:
    return Conference(
        CID, corp, "t", "0", ConferenceStatus.STARTED, "10000000002", "http://x/app", "ua",
        "User A", "ua", 1_000, None, None, 0, 0, 0, 0, None, (),
    )  # fmt: skip


@pytest.fixture
def store(database_url: str) -> Iterator[tuple[Store, asyncio.AbstractEventLoop]]:
    loop = asyncio.new_event_loop()
    s = open_store(database_url)
    loop.run_until_complete(s.open())

    async def seed() -> None:
        async with s.write() as tx:
            await OrgTables(tx.conn).upsert_org(Org("dinga", "A"))
            await OrgTables(tx.conn).upsert_org(Org("dingb", "B"))
            await OrgTables(tx.conn).upsert_user(User("dinga", "ua", "User A", dept_name="R&D"))
            await OrgTables(tx.conn).upsert_user(User("dinga", "ub", "User B"))
            await insert_conference(tx, meeting(), [("uc", "C")], "ua")

    loop.run_until_complete(seed())
    try:
        yield s, loop
    finally:
        loop.run_until_complete(s.close())
        loop.close()


def test_departments_round_trip(store):
    s, loop = store

    async def scenario() -> None:
        a = await OrgTables(s.reader).get_user("dinga", "ua")
        assert a is not None and a.dept_name == "R&D"
        users = await OrgTables(s.reader).list_users("dinga")
        assert [(u.union_id, u.dept_name) for u in users] == [("ua", "R&D"), ("ub", None)]
        async with s.write() as tx:
            await OrgTables(tx.conn).upsert_user(User("dinga", "ub", "User B", dept_name="Sales"))
            b = await OrgTables(tx.conn).get_user("dinga", "ub")
            assert b is not None and b.dept_name == "Sales"

    loop.run_until_complete(scenario())


def test_stays_keep_their_device_and_samples_their_order(store):
    s, loop = store
    mac, phone = Device("Mac", "7.0", True), Device("iOS", "6.9", False)

    async def scenario() -> None:
        async with s.write() as tx:
            analytics = AnalyticsTables(tx.conn)
            await join_meeting(tx, CID, "ua", "A", 2_000)
            await analytics.set_session_device(CID, "ua", mac)
            await join_meeting(tx, CID, "ud", "D", 2_500, outer_org=True)
            await analytics.add_samples(CID, [NetworkSample("ua", 2_000, rtt=40)])
        async with s.write() as tx:
            analytics = AnalyticsTables(tx.conn)
            await record_leave(tx, CID, "ua", 3_000)
            await join_meeting(tx, CID, "ua", "A", 4_000)
            await analytics.set_session_device(CID, "ua", phone)
            await analytics.add_samples(
                CID, [NetworkSample("ua", 4_000), NetworkSample("ud", 1_000, loss_rate=9)]
            )
            assert await analytics.stay_devices(CID, ["ua", "ud", "uc"]) == {
                "ua": "iOS",
                "ud": "Win",
            }
            assert await analytics.stay_devices(CID, []) == {}
        reader = AnalyticsTables(s.reader)
        stays = await reader.current_stays("dinga", CID, ["ua", "ud", "uc"])  # any order
        assert sorted(stays, key=lambda stay: stay.union_id) == [
            SessionRecord(CID, "ua", 2, "A", 4_000, None, phone, False),
            SessionRecord(CID, "ud", 1, "D", 2_500, None, Device(), True),
        ]
        assert await reader.current_stays("dingb", CID, ["ua"]) == []
        assert await reader.list_sessions("dinga", CID) == [
            SessionRecord(CID, "ua", 1, "A", 2_000, 3_000, mac, False),
            SessionRecord(CID, "ud", 1, "D", 2_500, None, Device(), True),
            SessionRecord(CID, "ua", 2, "A", 4_000, None, phone, False),
        ]
        assert await reader.list_sessions("dingb", CID) == []
        assert await reader.list_samples("dinga", CID) == [
            NetworkSample("ud", 1_000, loss_rate=9),
            NetworkSample("ua", 2_000, rtt=40),
            NetworkSample("ua", 4_000),
        ]
        assert [x.at_ms for x in await reader.list_samples("dinga", CID, ["ua"])] == [2_000, 4_000]
        assert await reader.list_samples("dinga", CID, []) == []
        assert await reader.list_samples("dingb", CID) == []

    loop.run_until_complete(scenario())


def test_only_someone_being_rung_can_decline(store):
    s, loop = store

    async def scenario() -> None:
        async with s.write() as tx:
            await join_meeting(tx, CID, "ua", "A", 2_000)
            calls = AnalyticsTables(tx.conn)
            assert await calls.decline_call(CID, "uc", "busy") is True
            assert await calls.decline_call(CID, "uc", "again") is False  # no longer rung
            assert await calls.decline_call(CID, "ua", None) is False  # inside
        members = {p.union_id: p for p in await MemberTables(s.reader).list_members("dinga", CID)}
        assert (members["uc"].attend_status, members["uc"].reject_description) == (
            AttendStatus.JOIN_FAILED,
            "busy",
        )
        assert members["ua"].reject_description is None

    loop.run_until_complete(scenario())


def test_cli_gives_a_user_a_department(database_url: str, tmp_path: Path):
    def dingconf(*args: str) -> None:
        result = subprocess.run(
            [sys.executable, "-m", "dingconf", *args, "--database", database_url],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr

    dingconf("orgs", "add", "dingnew")
    dingconf("users", "add", "dingnew", "u-1", "--dept-name", "Legal")
    loop = asyncio.new_event_loop()
    s = open_store(database_url)
    try:
        loop.run_until_complete(s.open())
        user = loop.run_until_complete(OrgTables(s.reader).get_user("dingnew", "u-1"))
        assert user is not None and user.dept_name == "Legal"
    finally:
        loop.run_until_complete(s.close())
        loop.close()
