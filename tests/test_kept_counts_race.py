"""The meeting's kept counts under racing writers: they always equal the rows.

A meeting keeps counts beside its rows (QueryConferenceMembers' ``totalCount``
in ``member_counts``; ``activeNum``, ``attendNum`` and ``invitedNum`` on the
meeting). Many requests of the in-process app race joins, leaves, kicks,
invites and declines on one meeting, each in a task of its own as under an
HTTP server (on PostgreSQL each write holds a connection of its own, so they
truly overlap); then every kept count is compared with a count of the rows.
Two server processes on one database do the same for the member total over
HTTP, which on SQLite is the only way another writer commits mid-request.
"""

import asyncio
import random
import sqlite3
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx
import psycopg

from in_process import InProcessApp, run

from conftest import processes_on

T = TypeVar("T")
CORP = "dingrace"
USERS = [f"r-{i:02d}" for i in range(24)]
SEED: dict[str, Any] = {
    "orgs": [
        {
            "corpId": CORP,
            "name": "Race",
            "users": [{"unionId": "r-host", "nick": "Host"}]
            + [{"unionId": u, "nick": u} for u in USERS],
            "apps": [
                {
                    "appKey": "race-app",
                    "appSecret": "race-secret",
                    "scopes": [
                        "VideoConference.Conference.Read",
                        "VideoConference.Conference.Write",
                    ],
                }
            ],
        }
    ]
}
GUESTS = [f"guest-{i}" for i in range(160)]
# Bounded: at most 1 + 24 + 160 members, all on one page.
ROUNDS, CONCURRENT, PAGE = 8, 40, 300


class _App(InProcessApp):
    """The race's organisation in the in-process app, where no request may fail with a 5xx."""

    def __init__(self, database_url: str) -> None:
        super().__init__(database_url, seed=SEED)

    async def call(
        self, method: str, target: str, body: Any = None, token: str = ""
    ) -> tuple[int, Any]:
        status, reply = await super().call(method, target, body, token)
        # Refusals (someone not inside leaving, say) are expected; a 5xx never is.
        assert status < 500, (method, target, status, reply)
        return status, reply


def _counted(database_url: str, cid: str) -> dict[str, tuple[int, int]]:
    """Each kept count of meeting ``cid`` beside the count of its rows."""
    queries = {
        "totalCount": (
            "SELECT members FROM member_counts WHERE conference_id = '{cid}'",
            "SELECT COUNT(*) FROM participants WHERE conference_id = '{cid}'",
        ),
        "activeNum": (
            "SELECT active_num FROM conferences WHERE conference_id = '{cid}'",
            "SELECT COUNT(*) FROM participants WHERE conference_id = '{cid}' AND attend_status = 3",
        ),
        "open stays": (
            "SELECT active_num FROM conferences WHERE conference_id = '{cid}'",
            "SELECT COUNT(*) FROM participant_sessions WHERE conference_id = '{cid}' "
            "AND leave_time IS NULL",
        ),
        "attendNum": (
            "SELECT attend_num FROM conferences WHERE conference_id = '{cid}'",
            "SELECT COUNT(*) FROM participants WHERE conference_id = '{cid}' "
            "AND first_join IS NOT NULL",
        ),
        "invitedNum": (
            "SELECT invited_num FROM conferences WHERE conference_id = '{cid}'",
            # The creator, rung by the creation, is not counted (nor invited again here).
            "SELECT (SELECT COUNT(*) FROM invitations WHERE conference_id = '{cid}' "
            "AND union_id <> 'r-host') + "
            "(SELECT COUNT(*) FROM phone_invitations WHERE conference_id = '{cid}')",
        ),
    }
    sqlite = database_url.startswith("sqlite:")
    connect: Any = sqlite3.connect if sqlite else psycopg.connect
    with connect(database_url.removeprefix("sqlite:///") if sqlite else database_url) as conn:
        return {
            name: tuple(int(conn.execute(q.format(cid=cid)).fetchone()[0]) for q in pair)
            for name, pair in queries.items()
        }


async def _storm(app: _App, token: str, cid: str, rng: random.Random) -> list[tuple[int, int]]:
    """``ROUNDS`` waves of ``CONCURRENT`` requests, each wave let loose at once; the
    ``(totalCount, members listed)`` of each QueryConferenceMembers among them."""
    control = f"/_dingconf/conferences/{cid}"
    api = f"/v1.0/conference/videoConferences/{cid}"
    people = USERS + GUESTS
    pages: list[tuple[int, int]] = []

    async def read() -> None:
        # Every member fits on the page: the total is the rows listed.
        status, page = await app.call("GET", f"{api}/members?maxResults={PAGE}", token=token)
        assert status == 200
        pages.append((page["totalCount"], len(page["memberModels"])))

    def one() -> Coroutine[Any, Any, Any]:
        who = rng.choice(people)
        kind = rng.choice(("join", "join", "join", "leave", "kick", "invite", "phone", "decline"))
        if rng.random() < 0.25:
            return read()
        if kind in ("join", "leave", "decline"):
            return app.call("POST", f"{control}/{kind}", {"unionId": who})
        if kind == "kick":
            body = {"userList": [{"unionId": who}], "forbiddenRejoin": False}
            return app.call("POST", f"{api}/members/kick", body, token)
        if kind == "phone":
            number = f"1380000{rng.randrange(20):04d}"
            body = {"unionId": "r-host", "phoneInviteeList": [{"phoneNumber": number}]}
            return app.call("POST", f"{api}/users/invite", body, token)
        invitees = [{"unionId": u} for u in rng.sample(USERS, 3)]
        return app.call("POST", f"{api}/users/invite", {"inviteeList": invitees}, token)

    for _ in range(ROUNDS):
        await asyncio.gather(*(asyncio.create_task(one()) for _ in range(CONCURRENT)))
    return pages


def test_kept_counts_equal_the_rows_under_racing_writes(database_url: str):
    async def scenario() -> tuple[str, list[tuple[int, int]]]:
        async with _App(database_url) as app:
            _, issued = await app.call(
                "POST",
                "/v1.0/oauth2/accessToken",
                {"appKey": "race-app", "appSecret": "race-secret"},
            )
            token = issued["accessToken"]
            _, created = await app.call(
                "POST",
                "/v1.0/conference/videoConferences",
                {"userId": "r-host", "confTitle": "race"},
                token,
            )
            cid = str(created["conferenceId"])
            return cid, await _storm(app, token, cid, random.Random(26))

    cid, pages = run(scenario())
    assert len(pages) > ROUNDS, "the storm read the members a few times a wave"
    # Each reply's total is of the same moment as its rows...
    assert [total for total, _ in pages] == [listed for _, listed in pages]
    # ... and every kept count is its rows' count once the writers are done.
    counted = _counted(database_url, cid)
    assert {name: kept for name, (kept, _) in counted.items()} == {
        name: rows for name, (_, rows) in counted.items()
    }


def test_two_processes_agree_on_the_total_and_the_rows(database_url: str, tmp_path: Path):
    """Joins through one process while another lists the members: on SQLite too, where
    only another process can commit between two statements of a reply."""
    with processes_on(database_url, tmp_path, 2) as (writer, reader):
        token = writer.token("acme-app", "acme-secret")
        headers = {"x-acs-dingtalk-access-token": token}
        created = httpx.post(
            f"{writer.url}/v1.0/conference/videoConferences",
            json={"userId": "u-host", "confTitle": "race"},
            headers=headers,
        ).json()
        cid = created["conferenceId"]
        joined = threading.Event()
        pages: list[tuple[int, int]] = []

        def join(k: int) -> None:
            with httpx.Client(base_url=writer.url) as client:
                for i in range(50):
                    path = f"/_dingconf/conferences/{cid}/join"
                    assert client.post(path, json={"unionId": f"g-{k}-{i}"}).status_code == 200

        def read() -> None:
            path = f"/v1.0/conference/videoConferences/{cid}/members?maxResults={PAGE}"
            with httpx.Client(base_url=reader.url, headers=headers) as client:
                for _ in range(500):  # bounded; the joins end it sooner
                    page = client.get(path).json()
                    pages.append((page["totalCount"], len(page["memberModels"])))
                    if joined.is_set():
                        return

        joiners = [threading.Thread(target=join, args=(k,)) for k in range(3)]
        readers = [threading.Thread(target=read) for _ in range(2)]
        for thread in joiners + readers:
            thread.start()
        for thread in joiners:
            thread.join()
        joined.set()
        for thread in readers:
            thread.join()
    assert len(pages) > 10
    assert [total for total, _ in pages] == [listed for _, listed in pages]
    counted = _counted(database_url, cid)
    assert counted["totalCount"] == (151, 151)  # the host, rung, and 150 joiners
    assert counted["activeNum"] == (150, 150)
