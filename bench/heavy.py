"""Heavy answers: how big each one is, how long it takes, and how long it stalls others.

    .venv/bin/python bench/heavy.py [--participants 100000] [--utterances 4000]
        [--chars 1000] [--runs 3]

Not part of ``make bench``: run it alone (a few minutes, loopback only). It
starts one ``dingconf serve`` on SQLite (the plugin's ``DingconfServer``,
127.0.0.1) and builds the heavy state: a meeting where two people said
``--utterances`` utterances of about ``--chars`` characters while a cloud
recording and the minutes ran (written through the store, as its own
seeding would), and a meeting ``--participants`` people joined (the same).
Each case's request is then sent ``--runs`` times while a second client
polls QueryConferenceInfo on a small meeting back to back; printed per case:
the answer's bytes, its time (median), and the stall, the slowest poll that
overlapped it (median over the runs), beside the polls' usual time.

To measure another checkout's code, put its ``src`` first on PYTHONPATH (the
server inherits the environment).
"""

import argparse
import asyncio
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dingconf.app import open_store
from dingconf.content.tables import ContentTables
from dingconf.meetings.tables import MeetingTables
from dingconf.meetings.transitions import record_join
from dingconf.testing.plugin import DingconfServer

CORP = "dingheavy"
SEED: dict[str, Any] = {
    "orgs": [
        {
            "corpId": CORP,
            "name": "Heavy",
            "users": [{"unionId": "u-host", "nick": "Hana"}, {"unionId": "u-alice", "nick": "Al"}],
            "apps": [{"appKey": "heavy-app", "appSecret": "heavy-secret"}],
        }
    ]
}
SPEAKERS = ("u-host", "u-alice")
HOST = {"unionId": "u-host"}
PAGE = "?maxResults=2000"
#: Joins (or utterances) written per transaction while seeding.
CHUNK = 5000


class Client:
    """One keep-alive HTTP connection to the server."""

    def __init__(self, server: DingconfServer, token: str) -> None:
        self._conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        self._headers = {"x-acs-dingtalk-access-token": token, "content-type": "application/json"}

    def call(self, method: str, path: str, body: object = None) -> tuple[int, bytes]:
        data = None if body is None else json.dumps(body).encode()
        self._conn.request(method, path, body=data, headers=self._headers)
        response = self._conn.getresponse()
        return response.status, response.read()

    def ok(self, method: str, path: str, body: object = None) -> Any:
        status, raw = self.call(method, path, body)
        if status != 200:
            raise RuntimeError(f"{method} {path} -> {status} {raw[:300]!r}")
        return json.loads(raw)


class Poller(threading.Thread):
    """Polls a small request back to back; keeps each call's (start, end)."""

    def __init__(self, client: Client, path: str) -> None:
        super().__init__(daemon=True)
        self.client, self.path = client, path
        self.calls: list[tuple[float, float]] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            start = time.perf_counter()
            self.client.ok("GET", self.path)
            self.calls.append((start, time.perf_counter()))

    def stall(self, start: float, end: float) -> float:
        """The slowest call that overlapped ``[start, end]`` (seconds)."""
        return max((e - s for s, e in self.calls if e >= start and s <= end), default=0.0)


def _text(i: int, chars: int) -> str:
    words = [f"word{(i * 7 + n) % 997}" for n in range(chars // 8)]
    return " ".join(words)[: chars - 1] + "."


async def _seed(url: str, talk: str, crowd: str, now_ms: int, args: argparse.Namespace) -> None:
    store = open_store(url)
    await store.open()
    try:
        for first in range(0, args.utterances, CHUNK):
            async with store.write() as tx:
                content = ContentTables(tx.conn)
                for i in range(first, min(first + CHUNK, args.utterances)):
                    who = SPEAKERS[i % 2]
                    at_ms = now_ms + i * 100
                    await content.add_utterance(talk, who, who, _text(i, args.chars), at_ms)
        for first in range(0, args.participants, CHUNK):
            async with store.write() as tx:
                meetings = MeetingTables(tx.conn, tx.row_lock)
                for i in range(first, min(first + CHUNK, args.participants)):
                    locked = await meetings.lock_any(crowd)
                    assert locked is not None
                    await record_join(tx, locked, f"p{i:06d}", f"P {i}", now_ms)
    finally:
        await store.close()


def _meeting(api: Client, title: str) -> str:
    body = {"userId": "u-host", "confTitle": title}
    return str(api.ok("POST", "/v1.0/conference/videoConferences", body)["conferenceId"])


def build(server: DingconfServer, api: Client, args: argparse.Namespace) -> dict[str, str]:
    """The heavy state; the meetings' ids (talk, crowd, small)."""
    ids = {name: _meeting(api, name) for name in ("talk", "crowd", "small")}
    for name in ids:
        server.participants.join(ids[name], "u-host")
    server.participants.join(ids["talk"], "u-alice")
    one = f"/v1.0/conference/videoConferences/{ids['talk']}"
    api.ok("POST", f"{one}/cloudRecords/start", {"unionId": "u-host"})
    api.ok("POST", f"{one}/minutes/start", {"unionId": "u-host"})
    now = int(server.request("GET", "/_dingconf/clock")[2]["now"]) + 1
    asyncio.run(_seed(server.database, ids["talk"], ids["crowd"], now, args))
    server.clock.advance(args.utterances * 100 + 1000)  # everything said is in the past
    return ids


def cases(api: Client, ids: dict[str, str], person: str) -> list[tuple[str, str, str, Any]]:
    """(name, method, path, body) of each heavy request."""
    talk = f"/v1.0/conference/videoConferences/{ids['talk']}"
    doc = api.ok("GET", f"{talk}/flashMinutes/document/generate?unionId=u-host")
    document = urlsplit(doc["minutesDocUrl"])
    crowd = f"/_dingconf/conferences/{ids['crowd']}"
    batch = {"conferenceIdList": [ids["crowd"]]}
    return [
        (
            "QueryCloudRecordText, maxResults 2000",
            "GET",
            f"{talk}/cloudRecords/getTexts{PAGE}",
            None,
        ),
        ("QueryMinutesSummary, every part", "POST", f"{talk}/minutes/summaries/query", HOST),
        ("QueryMinutesMeetingResult", "GET", f"{talk}/minutes/meetingResult?unionId=u-host", None),
        ("the minutes document", "GET", f"{document.path}?{document.query}", None),
        ("control: participants", "GET", f"{crowd}/participants", None),
        ("QueryConferenceInfoBatch", "POST", "/v1.0/conference/videoConferences/query", batch),
        (
            "QueryUserOnGoingConference",
            "GET",
            f"/v1.0/conference/users/lists?unionId={person}",
            None,
        ),
    ]


def measure(server: DingconfServer, token: str, ids: dict[str, str], runs: int) -> None:
    api = Client(server, token)
    poller = Poller(Client(server, token), f"/v1.0/conference/videoConferences/{ids['small']}")
    poller.start()
    time.sleep(0.5)
    print(f"{'case':40} {'bytes':>12} {'time ms':>9} {'stall ms':>9}")
    for name, method, path, body in cases(api, ids, "p050000"):
        times, stalls, size = [], [], 0
        for _ in range(runs):
            start = time.perf_counter()
            status, raw = api.call(method, path, body)
            end = time.perf_counter()
            if status != 200:
                raise RuntimeError(f"{name} -> {status} {raw[:300]!r}")
            time.sleep(0.3)  # the poll in flight when the answer came back ends
            times.append(end - start)
            stalls.append(poller.stall(start, end))
            size = len(raw)
        print(
            f"{name:40} {size:>12,} {statistics.median(times) * 1000:>9.0f} "
            f"{statistics.median(stalls) * 1000:>9.0f}"
        )
    poller.done.set()
    poller.join()
    usual = statistics.median(e - s for s, e in poller.calls)
    print(
        f"QueryConferenceInfo polled alone: {usual * 1000:.1f} ms (median of {len(poller.calls)})"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--utterances", type=int, default=4000)
    parser.add_argument("--chars", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dingconf-heavy-") as tmp:
        server = DingconfServer(Path(tmp), seed=SEED).start()
        try:
            token = server.token("heavy-app", "heavy-secret")
            began = time.perf_counter()
            ids = build(server, Client(server, token), args)
            print(f"built in {time.perf_counter() - began:.0f} s", file=sys.stderr)
            measure(server, token, ids, args.runs)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
