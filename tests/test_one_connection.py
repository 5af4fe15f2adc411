"""Every write works on a PostgreSQL pool of one connection.

A read made through the store (not the transaction) inside a write block
waits for a second pooled connection while holding the first: with a pool of
one it times out. Running each service's writes on such a pool proves every
read inside them goes through the transaction.
"""

import asyncio

from dingconf.app import Services, build_services, store_over
from dingconf.core.config import Settings
from dingconf.core.records import BookingSettings, Principal
from dingconf.db.postgres import PostgresDatabase
from dingconf.members.service import MeetingSettings

from backends import PostgresCluster
from conftest import SEED

ACME = Principal(
    "dingacme",
    "acme-app",
    frozenset({"VideoConference.Conference.Read", "VideoConference.Conference.Write"}),
)
START = 1_900_000_000_000


async def _every_write(s: Services) -> None:
    await s.provisioning.load_seed(SEED)
    await s.tokens.issue_app_token("acme-app", "acme-secret")

    created = await s.conferences.create(ACME, "u-host", "One", ["u-bob"])
    cid = created.conference.conference_id
    await s.control.join(cid, "u-alice", None)
    await s.members.invite(ACME, cid, "u-host", [("u-carol", None)], [("13800000000", "Tel")])
    await s.members.set_cohosts(ACME, cid, "add", ["u-alice"])
    await s.members.update_nick(ACME, cid, "u-alice", "Al")
    await s.members.mute_members(ACME, cid, "mute", ["u-alice"])
    await s.members.mute_all(ACME, cid, "mute", False)
    await s.members.update_settings(ACME, cid, MeetingSettings(only_internal_employees_join=True))
    await s.members.lock(ACME, cid, "lock")
    await s.members.kick(ACME, cid, ["u-bob"], True)
    await s.recording.start(ACME, cid, "u-host")
    await s.control.set_record_paused(cid, True)
    await s.recording.stop(ACME, cid, "u-host")
    await s.control.leave(cid, "u-alice")
    await s.conferences.close(ACME, cid, "u-host")

    booking = await s.bookings.create(
        ACME, "u-host", "Booked", START, START + 3_600_000, BookingSettings(lock_room=1)
    )
    sid = booking.schedule_conference_id
    await s.bookings.update(ACME, "u-host", sid, "Moved", START + 1, START + 7_200_000)
    await s.bookings.update_settings(ACME, "u-host", sid, BookingSettings(mute_on_join=-1))
    first = await s.control.join_room(booking.room_code, "u-host", None)
    await s.conferences.close(ACME, first, "u-host")
    second = await s.control.join_room(booking.room_code, "u-host", None)
    assert second != first
    await s.conferences.close(ACME, second, "u-host")
    await s.bookings.cancel(ACME, "u-host", sid)
    _, last = await s.bookings.instances(ACME, sid, None, None)
    assert [(c.conference_id, c.title) for c in last.items] == [(second, "Moved")]


def test_every_write_works_on_a_single_connection(pg_cluster: PostgresCluster):
    database = PostgresDatabase(pg_cluster.new_database(), min_size=1, max_size=1, timeout_s=1.0)
    services = build_services(Settings(), store_over(database))

    async def scenario() -> None:
        await services.store.open()
        try:
            await _every_write(services)
        finally:
            await services.store.close()

    asyncio.run(scenario())
