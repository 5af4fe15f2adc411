"""The mock's control plane as Python, plain HTTP clients opting in, and the plugin's
``dingconf_mock`` fixture."""

import asyncio

import httpx
import pytest
import requests
from alibabacloud_dingtalk.conference_1_0 import models
from Tea.exceptions import TeaException

import dingconf
from dingconf.testing.mock import DingconfMock
from dingconf.testing.toolkit import ControlHelper

from mock_sdk import CLIENT, RUNTIME, create, query
from sdk_errors import assert_sdk_error

MEETINGS = "/v1.0/conference/videoConferences"


def test_the_fixture_is_an_active_mock_of_the_demo_organisation(dingconf_mock: DingconfMock):
    token = dingconf_mock.token()  # demo-app / demo-secret
    assert query(token, create(token, "Sync")).body.conf_info.title == "Sync"
    users = dingconf_mock.state.export("dingdemo")["orgs"][0]["users"]
    assert [u["union_id"] for u in users] == ["demo-alice", "demo-bob", "demo-carol"]
    org = dingconf_mock.create_org()  # and its official-SDK client, as on a server
    made = org.client.create_video_conference_with_options(
        models.CreateVideoConferenceRequest(user_id=org.users[0], conf_title="Own org"),
        models.CreateVideoConferenceHeaders(x_acs_dingtalk_access_token=org.token),
        RUNTIME,
    )
    assert query(org.token, made.body.conference_id).body.conf_info.title == "Own org"


def test_participants_and_the_clock_drive_the_meeting(dingconf_mock: DingconfMock):
    token = dingconf_mock.token()
    conference_id = create(token, "Sync")
    dingconf_mock.participants.join(conference_id, "demo-bob")
    said = dingconf_mock.participants.say(conference_id, "demo-bob", "hello")
    assert said["text"] == "hello"
    started = query(token, conference_id).body.conf_info.start_time
    now = dingconf_mock.clock.advance(3_600_000)
    assert now >= started + 3_600_000
    assert query(token, conference_id).body.conf_info.active_num == 1
    dingconf_mock.participants.leave(conference_id, "demo-bob")
    assert query(token, conference_id).body.conf_info.active_num == 0


def test_events_an_app_received_and_the_journal(dingconf_mock: DingconfMock):
    token = dingconf_mock.token()
    conference_id = create(token, "Sync")
    dingconf_mock.participants.join(conference_id, "demo-carol")
    event = dingconf_mock.events.wait_for(
        "demo-app", "meeting_member_status_change", change_scene="user_join"
    )
    assert event["conferenceId"] == conference_id
    dingconf_mock.journal.assert_called("CreateVideoConference", times=1, status=200)
    assert dingconf_mock.journal.clear() >= 2
    assert dingconf_mock.journal.count() == 0


def test_faults_reach_the_sdk_as_errors_and_dropped_connections(dingconf_mock: DingconfMock):
    token = dingconf_mock.token()
    conference_id = create(token, "Sync")
    with dingconf_mock.faults.injected("QueryConferenceInfo", code="systemError", times=1):
        assert_sdk_error(lambda: query(token, conference_id), 500, "systemError")
    dropped = dingconf_mock.faults.injected("QueryConferenceInfo", drop=True, times=1)
    with dropped, pytest.raises(TeaException, match="cut the connection"):
        query(token, conference_id)
    assert query(token, conference_id).body.conf_info.title == "Sync"


def test_state_reset_export_and_load(dingconf_mock: DingconfMock):
    token = dingconf_mock.token()
    conference_id = create(token, "Sync")
    saved = dingconf_mock.state.export("dingdemo")
    dingconf_mock.state.reset()
    assert_sdk_error(lambda: query(dingconf_mock.token(), conference_id), 404, "roomNotFound")
    dingconf_mock.state.load(saved)
    assert query(dingconf_mock.token(), conference_id).body.conf_info.title == "Sync"


def test_httpx_opts_in_sync_and_async(dingconf_mock: DingconfMock):
    transport = dingconf_mock.httpx_transport()
    assert isinstance(transport, httpx.BaseTransport | httpx.AsyncBaseTransport)
    with httpx.Client(transport=transport, base_url="https://api.dingtalk.com") as client:
        answer = client.post(
            "/v1.0/oauth2/accessToken", json={"appKey": "demo-app", "appSecret": "demo-secret"}
        )
        assert answer.status_code == 200
        token = answer.json()["accessToken"]
        made = client.post(
            MEETINGS,
            json={"userId": "demo-alice", "confTitle": "Over httpx"},
            headers={"x-acs-dingtalk-access-token": token},
        )
        assert made.status_code == 200, made.text
    conference_id = made.json()["conferenceId"]

    async def read() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://anywhere") as client:
            return await client.get(
                f"{MEETINGS}/{conference_id}", headers={"x-acs-dingtalk-access-token": token}
            )

    answer = asyncio.run(read())
    assert answer.json()["confInfo"]["title"] == "Over httpx"
    bad = httpx.Client(transport=transport).get("http://x/v1.0/conference/videoConferences/1")
    assert bad.status_code >= 400 and set(bad.json()) >= {"code", "message", "requestid"}


def test_requests_opts_in_through_a_mounted_adapter(dingconf_mock: DingconfMock):
    session = requests.Session()
    adapter = dingconf_mock.requests_adapter()
    assert isinstance(adapter, requests.adapters.HTTPAdapter)
    session.mount("https://", adapter)
    answer = session.post(
        "https://api.dingtalk.com/v1.0/oauth2/accessToken",
        json={"appKey": "demo-app", "appSecret": "demo-secret"},
    )
    assert answer.status_code == 200 and answer.reason == "OK"
    token = answer.json()["accessToken"]
    found = session.get(
        f"https://api.dingtalk.com{MEETINGS}/{create(token, 'Over requests')}",
        headers={"x-acs-dingtalk-access-token": token},
    )
    assert found.json()["confInfo"]["title"] == "Over requests"
    # Streamed, as a large download would read it.
    streamed = session.get(found.url, headers={"x-acs-dingtalk-access-token": token}, stream=True)
    assert b"".join(streamed.iter_content(64)) == found.content
    dropped = dingconf_mock.faults.injected("QueryConferenceInfo", drop=True, times=1)
    with dropped, pytest.raises(requests.ConnectionError):
        session.get(found.url, headers={"x-acs-dingtalk-access-token": token})


def test_async_with_starts_the_mock_off_the_callers_loop():
    async def scenario() -> str:
        async with dingconf.mock() as mock:
            token = await asyncio.to_thread(mock.token)
            made = await CLIENT.create_video_conference_with_options_async(
                models.CreateVideoConferenceRequest(user_id="demo-bob", conf_title="Awaited"),
                models.CreateVideoConferenceHeaders(x_acs_dingtalk_access_token=token),
                RUNTIME,
            )
            info = await CLIENT.query_conference_info_with_options_async(
                made.body.conference_id,
                models.QueryConferenceInfoHeaders(x_acs_dingtalk_access_token=token),
                RUNTIME,
            )
            title: str = info.body.conf_info.title
            return title

    assert asyncio.run(scenario()) == "Awaited"


def test_the_mock_has_the_servers_helpers():
    mock = dingconf.mock()  # not active: only its shape is looked at
    helpers = {n: type(h).__name__ for n, h in vars(mock).items() if isinstance(h, ControlHelper)}
    assert helpers == {
        "clock": "Clock",
        "participants": "Participants",
        "events": "Events",
        "state": "State",
        "journal": "Journal",
        "faults": "Faults",
    }
    with pytest.raises(TypeError, match="no_such_setting"):
        dingconf.mock(no_such_setting=1)
