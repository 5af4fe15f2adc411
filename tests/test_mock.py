"""``dingconf.mock()``: the official SDK, unchanged and with any endpoint, answered by a
dingconf inside this process, with no socket opened and no process started."""

import asyncio
import contextlib
import io
import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import darabonba.core
import pytest
from alibabacloud_dingtalk.conference_1_0 import models
from alibabacloud_dingtalk.conference_1_0.client import Client
from alibabacloud_tea_openapi.models import Config

import dingconf
from dingconf.core.errors import InvalidRequest
from dingconf.testing import sdk_seam
from dingconf.testing.mock import DingconfMock
from dingconf.testing.plugin import free_port

from mock_sdk import CLIENT, RUNTIME, create, query, query_async, token_of
from sdk_errors import assert_sdk_error

README = Path(__file__).resolve().parent.parent / "README.md"


def _listening_inodes() -> set[str]:
    """Inodes of the TCP sockets in LISTEN state that this process holds."""
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for row in Path(table).read_text().splitlines()[1:]:
                fields = row.split()
                if fields[3] == "0A":  # TCP_LISTEN
                    listening.add(fields[9])
    mine = set()
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                mine.add(target[len("socket:[") : -1])
    return listening & mine


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any bind, listen or connect of this process; and check no socket listens."""

    def refused(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("a socket was bound, listened on, resolved or connected")

    before = _listening_inodes()
    for name in ("bind", "listen", "connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, refused)
    monkeypatch.setattr(socket, "getaddrinfo", refused)
    yield
    assert _listening_inodes() == before


def test_the_readme_example_runs_with_no_socket_opened(no_network: None):
    section = README.read_text().split("## In-process mode (no server)\n", 1)[1]
    program = re.search(r"^```python\n(.*?)^```", section, re.M | re.S)
    assert program is not None
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(program.group(1), "README.md", "exec"), {"__name__": "readme"})
    assert printed.getvalue() == "Stand-up 1\n"


def test_sdk_calls_reach_the_mock_whatever_the_endpoint(no_network: None):
    with dingconf.mock() as mock:
        token = token_of()
        conference_id = create(token)
        for endpoint in ("127.0.0.1:8080", "example.invalid", "api.dingtalk.com"):
            config = Config(protocol="http", endpoint=endpoint)
            info = Client(config).query_conference_info_with_options(
                conference_id,
                models.QueryConferenceInfoHeaders(x_acs_dingtalk_access_token=token),
                RUNTIME,
            )
            assert info.body.conf_info.title == "Stand-up"
        assert mock.journal.count("QueryConferenceInfo") == 3


def test_async_sdk_calls_run_from_the_callers_loop(no_network: None):
    async def scenario(mock: DingconfMock) -> list[str]:
        client = CLIENT
        token = mock.token()
        headers = models.CreateVideoConferenceHeaders(x_acs_dingtalk_access_token=token)
        made = await asyncio.gather(
            *(
                client.create_video_conference_with_options_async(
                    models.CreateVideoConferenceRequest(user_id="demo-alice", conf_title=f"m{i}"),
                    headers,
                    RUNTIME,
                )
                for i in range(5)
            )
        )
        infos = [await query_async(token, m.body.conference_id) for m in made]
        return sorted(info.body.conf_info.title for info in infos)

    with dingconf.mock() as mock:
        assert asyncio.run(scenario(mock)) == [f"m{i}" for i in range(5)]


def test_the_decorator_activates_a_fresh_mock_per_call_of_a_sync_function():
    mock = dingconf.mock()
    created: list[str] = []

    @mock
    def make_one() -> int:
        created.append(create(token_of()))
        return mock.journal.count("CreateVideoConference")

    assert make_one() == 1
    assert make_one() == 1  # the first call's meeting is gone with its mock
    assert created[0] != created[1]


def test_the_decorator_wraps_async_functions():
    mock = dingconf.mock()

    @mock
    async def make_one(title: str) -> str:
        token = await asyncio.to_thread(mock.token)
        conference_id = create(token, title)
        info = await query_async(token, conference_id)
        title_seen: str = info.body.conf_info.title
        return title_seen

    assert asyncio.iscoroutinefunction(make_one)
    assert asyncio.run(make_one("Async")) == "Async"


def test_outside_a_mock_the_sdk_is_its_own_again():
    original = darabonba.core.DaraCore.__dict__["do_action"]
    with dingconf.mock() as outer:
        with dingconf.mock() as inner:
            create(token_of())
        with pytest.raises(RuntimeError, match="not active"):
            inner.journal.count()
        create(token_of())
        assert outer.journal.count("CreateVideoConference") == 1
    assert darabonba.core.DaraCore.__dict__["do_action"] is original
    nobody = Config(protocol="http", endpoint=f"127.0.0.1:{free_port()}")  # nothing listens
    with pytest.raises(Exception, match=r"Connection refused|Failed to establish"):
        Client(nobody).query_conference_info_with_options(
            "x" * 24, models.QueryConferenceInfoHeaders(x_acs_dingtalk_access_token="t"), RUNTIME
        )


def test_errors_reach_the_sdk_as_dingtalk_sends_them():
    with dingconf.mock():
        token = token_of()
        assert_sdk_error(lambda: query(token, "6560" + "0" * 20), 404, "roomNotFound")
        assert_sdk_error(lambda: token_of(app_secret="wrong"), 400, "invalidClientIdOrSecret")
        assert_sdk_error(lambda: query("not-a-token", create(token)), 400, "InvalidAuthentication")


def test_a_seed_mapping_and_a_seed_file_load_as_serve_seed_loads_them(tmp_path: Path):
    seed = {
        "orgs": [
            {
                "corpId": "dingseeded",
                "users": [{"unionId": "u-sam", "nick": "Sam"}],
                "apps": [{"appKey": "seeded-app", "appSecret": "seeded-secret"}],
            }
        ]
    }
    (tmp_path / "seed.json").write_text(json.dumps(seed))
    (tmp_path / "seed.yaml").write_text(
        "orgs:\n  - corpId: dingyaml\n    users: [{unionId: u-yan}]\n"
        "    apps: [{appKey: yaml-app, appSecret: yaml-secret}]\n"
    )
    for given, app, user in (
        (seed, "seeded-app", "u-sam"),
        (tmp_path / "seed.json", "seeded-app", "u-sam"),
        (str(tmp_path / "seed.yaml"), "yaml-app", "u-yan"),
    ):
        with dingconf.mock(seed=given) as mock:
            token = token_of(app, app.replace("app", "secret"))
            assert query(token, create(token, host=user)).body.conf_info.title == "Stand-up"
            assert_sdk_error(lambda: token_of(), 400, "invalidClientIdOrSecret")
            mock.state.reset()  # back to the seed, as after serve --seed
            assert mock.token(app, app.replace("app", "secret"))


def test_two_mocks_in_one_process_share_nothing():
    first, second = dingconf.mock(), dingconf.mock()
    with first, second:
        one = first.create_org("dingone")
        with pytest.raises(AssertionError, match="invalidClientIdOrSecret"):
            second.token(one.app_key, one.app_secret)
        assert [org["corpId"] for org in second.state.export()["orgs"]] == ["dingdemo"]
        conference_id = create(token_of())  # the innermost mock answers the SDK
        assert second.journal.count("CreateVideoConference") == 1
        assert first.journal.count("CreateVideoConference") == 0
        status, _, _ = first.request(
            "GET", f"/v1.0/conference/videoConferences/{conference_id}", headers=one.headers
        )
        assert status == 404  # roomNotFound: that meeting is the second's alone


def test_the_seam_the_mock_patches_is_where_the_pinned_sdk_sends_its_calls():
    import inspect

    import alibabacloud_tea_openapi.client
    import Tea.core

    source = inspect.getsource(alibabacloud_tea_openapi.client)
    assert "DaraCore.do_action(" in source and "DaraCore.async_do_action(" in source
    originals = {
        core: {a: vars(core)[a] for a in ("do_action", "async_do_action")}
        for core in (darabonba.core.DaraCore, Tea.core.TeaCore)
    }
    with dingconf.mock():
        for core, actions in originals.items():
            for action, original in actions.items():
                assert vars(core)[action] is not original, (core, action)
    for core, actions in originals.items():
        for action, original in actions.items():
            assert vars(core)[action] is original, (core, action)


def test_an_older_sdk_going_through_tea_core_reaches_the_mock_too():
    from Tea.core import TeaCore
    from Tea.request import TeaRequest

    def request(path: str, body: dict[str, str]) -> TeaRequest:
        sent = TeaRequest()
        sent.method, sent.pathname = "POST", path
        sent.headers = {"host": "api.dingtalk.com", "content-type": "application/json"}
        sent.body = json.dumps(body)
        return sent

    body = {"appKey": "demo-app", "appSecret": "demo-secret"}
    with dingconf.mock():
        answer = TeaCore.do_action(request("/v1.0/oauth2/accessToken", body))
        assert answer.status_code == 200 and json.loads(answer.body)["accessToken"]
        answer = asyncio.run(TeaCore.async_do_action(request("/v1.0/oauth2/accessToken", {})))
        assert answer.status_code == 400 and answer.headers["content-type"].startswith(
            "application/json"
        )


def test_no_process_is_started(monkeypatch: pytest.MonkeyPatch):
    def refused(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("a process was started under the mock")

    monkeypatch.setattr(subprocess.Popen, "__init__", refused)
    monkeypatch.setattr(os, "fork", refused)
    with dingconf.mock():
        assert query(token_of(), create(token_of())).body.conf_info.title == "Stand-up"


def test_importing_dingconf_does_not_load_the_app():
    program = (
        "import sys, dingconf; assert 'dingconf.app' not in sys.modules; "
        "assert callable(dingconf.mock); assert 'dingconf.app' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", program], check=True, timeout=60)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        dingconf.nothing  # noqa: B018


def test_two_mocks_drawing_the_same_ids_still_keep_their_meetings_apart():
    made = {}
    with dingconf.mock(random_seed=1) as first, dingconf.mock(random_seed=1) as second:
        for mock in (first, second):
            headers = {"x-acs-dingtalk-access-token": mock.token()}
            body = {"userId": "demo-alice", "confTitle": f"in mock {len(made)}"}
            status, _, answer = mock.request(
                "POST", "/v1.0/conference/videoConferences", body, headers
            )
            assert status == 200, answer
            made[mock] = (answer["conferenceId"], headers)
        assert made[first][0] == made[second][0]  # the same seed, the same conferenceId
        for mock, title in ((first, "in mock 0"), (second, "in mock 1")):
            conference_id, headers = made[mock]
            path = f"/v1.0/conference/videoConferences/{conference_id}"
            assert mock.request("GET", path, headers=headers)[2]["confInfo"]["title"] == title


def test_an_sdk_whose_core_lost_the_seam_fails_loudly(monkeypatch: pytest.MonkeyPatch):
    import Tea.core

    tea_original = vars(Tea.core.TeaCore)["do_action"]
    monkeypatch.delattr(darabonba.core.DaraCore, "async_do_action")
    with pytest.raises(RuntimeError, match="DaraCore has no async_do_action"), dingconf.mock():
        pass
    # Nothing stays patched: the other core's seam is its own again.
    assert vars(Tea.core.TeaCore)["do_action"] is tea_original


def test_an_installed_sdk_sending_through_no_known_core_fails_the_mock(
    monkeypatch: pytest.MonkeyPatch,
):
    # A future SDK generation whose requests go through neither core known here:
    # the mock refuses to start rather than let its calls reach DingTalk.
    gone = ("no_such_sdk.core", "Core", "no_such_sdk.response", "Response", "no_such_sdk.errors")
    monkeypatch.setattr(sdk_seam, "SEAMS", (gone,))
    with (
        pytest.raises(RuntimeError, match=r"neither darabonba\.core nor Tea\.core"),
        dingconf.mock(),
    ):
        pass


def test_a_bad_seed_fails_the_with_with_its_own_error_and_leaves_the_sdk_alone():
    original = vars(darabonba.core.DaraCore)["do_action"]
    bad = dingconf.mock(seed={"orgs": [{"corpId": "dingx", "nope": 1}]})
    with pytest.raises(InvalidRequest, match=r"invalidSeed: orgs\[0\]: unknown key 'nope'"), bad:
        pass
    assert vars(darabonba.core.DaraCore)["do_action"] is original
