"""Member passes (service.member_pass): bound to their person, meeting and time."""

import asyncio
from pathlib import Path

from dingconf.app import open_store
from dingconf.members.member_pass import PASS_TTL_MS, MemberPasses


def test_a_member_pass_admits_its_person_in_its_meeting_until_it_expires(tmp_path: Path):
    async def scenario() -> list[bool]:
        store = open_store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
        await store.open()
        try:
            passes = MemberPasses(store)
            issued = await passes.issue("dinga", "123456789", "ua", 1_000)
            # Another process checks with the key kept in the database.
            other = MemberPasses(store)
            return [
                await other.admits("dinga", "123456789", "ua", issued, 1_000),
                await other.admits("dinga", "123456789", "ua", issued, 1_000 + PASS_TTL_MS - 1),
                await other.admits("dinga", "123456789", "ua", issued, 1_000 + PASS_TTL_MS),
                await other.admits("dinga", "123456789", "ub", issued, 1_000),
                await other.admits("dinga", "987654321", "ua", issued, 1_000),
                await other.admits("dingb", "123456789", "ua", issued, 1_000),
                await other.admits("dinga", "123456789", "ua", None, 1_000),
                await other.admits("dinga", "123456789", "ua", "9" + issued, 1_000),
            ]
        finally:
            await store.close()

    assert asyncio.run(scenario()) == [True, True, False, False, False, False, False, False]
