"""Helpers for the minutes tests: a server of the module's own, speech, and SDK shortcuts."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from alibabacloud_dingtalk.conference_1_0 import models as m
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient

from dingconf.testing.plugin import DingconfServer
from in_process_server import InProcessServer
from lifecycle import sdk

from conftest import SEED, new_database_url, sdk_config


def minutes_state(server: DingconfServer, cid: str) -> tuple[int, str | None]:
    """``(minutesStatus, owner)`` of a meeting, read from the console's meeting page."""
    status, _, body = server.request("GET", f"/_dingconf/conferences/{cid}")
    assert status == 200, body
    return body["minutes"]["status"], body["minutes"].get("owner")


class Minutes:
    """One private server (its clock is the tests' to move) with Acme's SDK client and token."""

    def __init__(self, server: DingconfServer) -> None:
        self.server = server
        self.conf = ConferenceClient(sdk_config(server))
        self.token = server.token("acme-app", "acme-secret")
        self.http = httpx.Client(base_url=server.url, timeout=30)

    def call(self, action: str, *args: Any, token: str | None = None) -> Any:
        """An SDK call with Acme's token (or ``token``); the response body."""
        return sdk(self.conf, token or self.token, action, *args)

    def meeting(self, host: str = "u-host", title: str = "Minutes") -> str:
        """A new Acme meeting with its host, Alice and Bob inside (Carol and Dave are not)."""
        request = m.CreateVideoConferenceRequest(user_id=host, conf_title=title)
        cid: str = self.call("CreateVideoConference", request).conference_id
        for who in (host, "u-alice", "u-bob"):
            self.server.participants.join(cid, who)
        return cid

    def say(self, cid: str, union_id: str, text: str, after_ms: int = 1000) -> None:
        """Let ``after_ms`` pass, then ``union_id`` says ``text``."""
        self.server.clock.advance(after_ms)
        self.server.participants.say(cid, union_id, text)

    def start(self, cid: str, union_id: str = "u-host", owner: str | None = None) -> None:
        self.server.clock.advance(1000)
        request = m.StartMinutesRequest(union_id=union_id, owner_union_id=owner)
        assert self.call("StartMinutes", cid, request).code == "200"

    def stop(self, cid: str, union_id: str = "u-host") -> None:
        self.server.clock.advance(1000)
        assert self.call("StopMinutes", cid, m.StopMinutesRequest(union_id=union_id)).code == "200"

    def status(self, cid: str) -> tuple[int, str | None]:
        """The minutes' status and owner, as the console shows them.

        QueryConferenceInfo no longer returns them (querying-video-conference-information).
        """
        return minutes_state(self.server, cid)

    def get(self, path: str, **params: Any) -> httpx.Response:
        """A plain-HTTP GET with Acme's token."""
        return self.http.get(
            path, params=params, headers={"x-acs-dingtalk-access-token": self.token}
        )


@pytest.fixture(scope="module", name="mins")
def minutes_server(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Minutes]:
    """A server of this module's own, on each backend."""
    tmp: Path = tmp_path_factory.mktemp("minutes")
    server = InProcessServer(
        tmp, seed=SEED, database=new_database_url(backend, tmp, request)
    ).start()
    try:
        helper = Minutes(server)
        yield helper
        helper.http.close()
    finally:
        server.stop()
