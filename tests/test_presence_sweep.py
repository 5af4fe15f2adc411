"""A join page's presence ends in the transaction of its person's leave.

The sweep (and the page's own leave) used to end the presence in one
transaction and make the person leave in a second: a crash or a failure in
between left the person inside with no presence to sweep them out. Here the
leave's write fails once (as a database outage would, mid-way), and the next
sweep or leave must still take the person out.
"""

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from dingconf.app import Services, build_services, open_store
from dingconf.auth.service import READ, WRITE
from dingconf.core.clock import ClockState
from dingconf.core.config import Settings
from dingconf.core.records import AttendStatus, Principal
from dingconf.db.store import StorageUnavailable
from dingconf.members.tables import MemberTables
from in_process import run

from conftest import SEED

TIMEOUT_MS = 3_000
ACME = Principal("dingacme", "acme-app", frozenset({READ, WRITE}))


@pytest.fixture
def fail_one_leave(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The next leave's write fails, as when the database goes away mid-way; the
    failures counted."""
    real = MemberTables.leave
    failures: list[int] = []

    async def leave(self: MemberTables, *args: Any) -> Any:
        if not failures:
            failures.append(1)
            raise StorageUnavailable("the database went away")
        return await real(self, *args)

    monkeypatch.setattr(MemberTables, "leave", leave)
    return failures


async def _inside_after(
    services: Services, end: Callable[[Services, str, str, str], Awaitable[object]]
) -> list[AttendStatus]:
    """A guest joins through the page, ``end`` runs twice (the first time failing);
    the guest's attendStatus after each run."""
    await services.provisioning.load_seed(SEED)
    created = await services.conferences.create(ACME, "u-host", "sweep", [])
    cid = created.conference.conference_id
    link = parse_qs(urlsplit(created.conference.external_link_url).query)
    room, token = link["roomCode"][0], link["token"][0]
    joined = await services.presence.join(room, token, None, "Guest")
    statuses = []
    for _ in range(2):
        with contextlib.suppress(StorageUnavailable):
            await end(services, room, token, joined.presence_id)
        members = await MemberTables(services.store.reader).list_members(ACME.corp_id, cid)
        statuses += [m.attend_status for m in members if m.union_id == joined.union_id]
    return statuses


async def _swept(services: Services, _room: str, _token: str, _presence_id: str) -> None:
    # The page fell silent: the clock runs past the presence timeout.
    services.clock.set_state(ClockState(offset_ms=TIMEOUT_MS + 1_000))
    await services.presence.sweep()


async def _left(services: Services, room: str, token: str, presence_id: str) -> None:
    await services.presence.leave(room, token, presence_id)


@pytest.mark.parametrize("end", [_swept, _left], ids=["swept", "page leaves"])
def test_a_failed_leave_keeps_the_presence_so_the_person_is_taken_out_later(
    database_url: str, fail_one_leave: list[int], end: Any
):
    async def scenario() -> list[AttendStatus]:
        settings = Settings(database=database_url, presence_timeout_s=TIMEOUT_MS / 1000)
        services = build_services(settings, open_store(database_url))
        await services.store.open()
        try:
            return await _inside_after(services, end)
        finally:
            await services.store.close()

    assert run(scenario()) == [AttendStatus.ACTIVE, AttendStatus.LEFT]
    assert fail_one_leave == [1]
