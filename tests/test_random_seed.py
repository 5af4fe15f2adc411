"""``serve --random-seed N``: the same calls get the same ids and tokens whenever
they are made, while the meetings' own times follow the server clock."""

import asyncio
from pathlib import Path
from typing import Any

from in_process import InProcessApp

DAY = 24 * 3600 * 1000


async def _same_calls(database_url: str, days_ahead: int) -> tuple[list[Any], int, int]:
    """The ids of a fixed series of calls made with the clock ``days_ahead`` days on;
    also the time the clock was set to and the meeting's startTime."""
    async with InProcessApp(database_url, random_seed=42) as app:
        status, clock = await app.call("GET", "/_dingconf/clock")
        assert status == 200
        at = (clock["now"] // DAY + days_ahead) * DAY
        status, _ = await app.call("POST", "/_dingconf/clock", {"setMs": at, "freeze": True})
        assert status == 200
        status, issued = await app.call(
            "POST", "/v1.0/oauth2/accessToken", {"appKey": "acme-app", "appSecret": "acme-secret"}
        )
        token = issued["accessToken"]
        calls = [
            ("POST", "/v1.0/conference/videoConferences", {"userId": "u-host", "confTitle": "a"}),
            ("POST", "/v1.0/conference/videoConferences", {"userId": "u-host", "confTitle": "b"}),
            (
                "POST",
                "/v1.0/conference/scheduleConferences",
                {"creatorUnionId": "u-host", "title": "c", "startTime": at, "endTime": at + DAY},
            ),
            ("GET", f"/v1.0/conference/videoConferences/{'0' * 24}", None),  # an error: requestid
        ]
        answers: list[Any] = [token]
        for method, path, body in calls:
            answers.append((await app.call(method, path, body, token))[1])
        status, org = await app.call("POST", "/_dingconf/orgs", {})
        assert status == 200
        answers.append(org)
        cid = answers[1]["conferenceId"]
        status, info = await app.call(
            "GET", f"/v1.0/conference/videoConferences/{cid}", None, token
        )
        assert status == 200
        return answers, at, info["confInfo"]["startTime"]


def test_a_seed_repeats_every_id_whatever_the_clock(tmp_path: Path):
    runs = []
    for i, days_ahead in enumerate((2, 40)):
        url = f"sqlite:///{tmp_path / f'{i}.sqlite3'}"
        runs.append(asyncio.run(_same_calls(url, days_ahead)))
    (first, first_at, first_start), (second, second_at, second_start) = runs
    assert first[1]["conferenceId"] != first[2]["conferenceId"]
    assert first == second
    # The meetings themselves keep the server clock's time.
    assert (first_start, second_start) == (first_at, second_at)


async def _meeting_ids(apps: list[InProcessApp], rounds: int = 3) -> list[list[str]]:
    """Each app's conferenceIds, roomCodes and error requestids of ``rounds`` turns,
    the apps taking turns call by call."""
    tokens = []
    for app in apps:
        status, issued = await app.call(
            "POST", "/v1.0/oauth2/accessToken", {"appKey": "acme-app", "appSecret": "acme-secret"}
        )
        assert status == 200
        tokens.append(issued["accessToken"])
    seen: list[list[str]] = [[token] for token in tokens]
    for _ in range(rounds):
        for app, token, ids in zip(apps, tokens, seen, strict=True):
            body = {"userId": "u-host", "confTitle": "t"}
            status, made = await app.call("POST", "/v1.0/conference/videoConferences", body, token)
            assert status == 200
            ids += [made["conferenceId"], made["roomCode"]]
            missing = f"/v1.0/conference/videoConferences/{'0' * 24}"
            status, error = await app.call("GET", missing, None, token)
            assert status == 404
            ids.append(error["requestid"])
    return seen


def test_two_apps_in_one_process_keep_their_own_seeded_ids(tmp_path: Path):
    def url(name: str) -> str:
        return f"sqlite:///{tmp_path / f'{name}.sqlite3'}"

    async def alone(name: str, seed: int) -> list[str]:
        async with InProcessApp(url(name), random_seed=seed) as app:
            return (await _meeting_ids([app]))[0]

    async def together() -> list[list[str]]:
        first = InProcessApp(url("both-1"), random_seed=1)
        second = InProcessApp(url("both-2"), random_seed=2)
        async with first, second:
            return await _meeting_ids([first, second])

    one, two = asyncio.run(alone("one", 1)), asyncio.run(alone("two", 2))
    assert one != two
    assert asyncio.run(together()) == [one, two]
