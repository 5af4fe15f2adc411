"""Derivations whose cost grows with a transcript run off the event loop.

In process: while a heavy answer's derivation is held (the real derivation,
wrapped so that it waits for the test), another request must be served. Had
the derivation run on the event loop, the loop would be stuck inside it and
the small request could not be answered until the hold timed out.
"""

import asyncio
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

from dingconf.minutes import derive as minutes_derive
from dingconf.recording import files_service as cloud_records
from in_process import InProcessApp

BASE = "/v1.0/conference/videoConferences"
#: How long a held derivation waits for the small request (only a failing run waits it out).
HOLD_S = 10


async def _ok(
    app: InProcessApp, method: str, target: str, body: Any = None, token: str = ""
) -> Any:
    status, payload = await app.call(method, target, body, token)
    assert status == 200, payload
    return payload


class Hold:
    """Wraps a derivation: it signals that it started, then waits for :meth:`release`."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.started = threading.Event()
        self._released = threading.Event()
        #: Per call: whether it was released (True) or gave up waiting (False).
        self.released: list[bool] = []

    def __call__(self, *args: Any) -> Any:
        self.started.set()
        self.released.append(self._released.wait(HOLD_S))
        return self.real(*args)

    def release(self) -> None:
        self._released.set()


async def _talk(app: InProcessApp, token: str) -> str:
    """A meeting with a recording and the minutes running, and a few things said."""
    cid: str = (await _ok(app, "POST", BASE, {"userId": "u-host", "confTitle": "t"}, token))[
        "conferenceId"
    ]
    for who in ("u-host", "u-alice"):
        await _ok(app, "POST", f"/_dingconf/conferences/{cid}/join", {"unionId": who})
    await _ok(app, "POST", f"{BASE}/{cid}/cloudRecords/start", HOST, token)
    await _ok(app, "POST", f"{BASE}/{cid}/minutes/start", HOST, token)
    for n, who in enumerate(("u-host", "u-alice", "u-host")):
        said = {"unionId": who, "text": f"Point {n}: we should ship it. Agreed?"}
        await _ok(app, "POST", f"/_dingconf/conferences/{cid}/say", said)
    return cid


async def _document_target(app: InProcessApp, token: str, cid: str) -> str:
    query = f"{BASE}/{cid}/flashMinutes/document/generate?unionId=u-host"
    url = urlsplit((await _ok(app, "GET", query, token=token))["minutesDocUrl"])
    return f"{url.path}?{url.query}"


HOST = {"unionId": "u-host"}
#: Each heavy answer: the derivation held, the method and the path under the meeting
#: (None: the document's signed link) and the body.
HEAVY: dict[str, tuple[Any, str, str, str | None, Any]] = {
    "QueryMinutesSummary": (minutes_derive, "sentences", "POST", "/minutes/summaries/query", HOST),
    "QueryMinutesMeetingResult": (
        minutes_derive, "sentences", "GET", "/minutes/meetingResult?unionId=u-host", None
    ),
    "the minutes document": (minutes_derive, "sentences", "GET", None, None),
    "QueryCloudRecordText": (
        cloud_records, "turns", "GET", "/cloudRecords/getTexts?maxResults=2000", None
    ),
}  # fmt: skip


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("case", list(HEAVY))
def test_a_heavy_derivation_lets_other_requests_through(
    case: str, database_url: str, monkeypatch: pytest.MonkeyPatch
):
    async def scenario() -> None:
        async with InProcessApp(database_url) as app:
            issued = {"appKey": "acme-app", "appSecret": "acme-secret"}
            token = (await _ok(app, "POST", "/v1.0/oauth2/accessToken", issued))["accessToken"]
            cid = await _talk(app, token)
            one = f"{BASE}/{cid}"
            module, name, method, under, body = HEAVY[case]
            target = one + under if under else await _document_target(app, token, cid)
            hold = Hold(getattr(module, name))
            monkeypatch.setattr(module, name, hold)

            answer = asyncio.create_task(app.call(method, target, body, token))
            assert await asyncio.to_thread(hold.started.wait, HOLD_S)
            # The derivation is under way; a small request is answered meanwhile.
            status, info = await app.call("GET", one, token=token)
            hold.release()
            assert status == 200 and info["confInfo"]["conferenceId"] == cid
            status, payload = await answer
            assert status == 200, payload
            assert hold.released == [True]

    asyncio.run(scenario())
