"""The request journal: what it keeps of calls made through the official SDK, its
filters, count and clear, its bound, and that no secret or token ever enters it."""

import asyncio
import json
import tracemalloc
from pathlib import Path

import httpx
import pytest
from alibabacloud_dingtalk.conference_1_0 import models as m
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient
from alibabacloud_dingtalk.oauth2_1_0 import models as om
from alibabacloud_dingtalk.oauth2_1_0.client import Client as OAuthClient

from dingconf.http.asgi import RECEIVED, recording
from dingconf.http.journal import MAX_BODY_BYTES, Journal
from dingconf.http.metrics import Metrics
from dingconf.http.observe import observe
from dingconf.http.redaction import redact_body
from dingconf.testing.plugin import DingconfServer
from in_process_server import InProcessServer

from conftest import RUNTIME, sdk_config
from sdk_errors import assert_sdk_error, sdk_error

SECRETS = ("acme-secret", "reader-secret", "suite-secret", "globex-secret")


@pytest.fixture(scope="module")
def clients(module_server: DingconfServer) -> tuple[OAuthClient, ConferenceClient]:
    return OAuthClient(sdk_config(module_server)), ConferenceClient(sdk_config(module_server))


def _token(oauth: OAuthClient, key: str = "acme-app", secret: str = "acme-secret") -> str:
    request = om.GetAccessTokenRequest(app_key=key, app_secret=secret)
    return oauth.get_access_token(request).body.access_token


def _create(conf: ConferenceClient, token: str, title: str) -> str:
    resp = conf.create_video_conference_with_options(
        m.CreateVideoConferenceRequest(user_id="u-host", conf_title=title),
        m.CreateVideoConferenceHeaders(x_acs_dingtalk_access_token=token),
        RUNTIME,
    )
    return resp.body.conference_id


def _query(conf: ConferenceClient, token: str, cid: str) -> m.QueryConferenceInfoResponse:
    headers = m.QueryConferenceInfoHeaders(x_acs_dingtalk_access_token=token)
    return conf.query_conference_info_with_options(cid, headers, RUNTIME)


def test_a_call_is_kept_with_action_caller_bodies_status_and_request_id(module_server, clients):
    oauth, conf = clients
    module_server.journal.clear()
    token = _token(oauth)
    before = module_server.clock.advance(0)
    resp = conf.create_video_conference_with_options(
        m.CreateVideoConferenceRequest(user_id="u-host", conf_title="Journaled"),
        m.CreateVideoConferenceHeaders(x_acs_dingtalk_access_token=token),
        RUNTIME,
    )
    (entry,) = module_server.journal("CreateVideoConference")
    assert entry["action"] == "CreateVideoConference"
    assert (entry["corpId"], entry["appKey"]) == ("dingacme", "acme-app")
    assert (entry["method"], entry["path"], entry["status"]) == (
        "POST",
        "/v1.0/conference/videoConferences",
        200,
    )
    assert entry["request"] == {"userId": "u-host", "confTitle": "Journaled"}
    assert entry["response"]["conferenceId"] == resp.body.conference_id
    assert entry["requestId"] == resp.headers["x-acs-request-id"]
    assert before <= entry["time"] <= module_server.clock.advance(0)
    assert isinstance(entry["latencyMs"], float) and entry["latencyMs"] >= 0
    assert "dropped" not in entry and "query" not in entry


def test_errors_are_kept_as_the_client_saw_them(module_server, clients):
    oauth, conf = clients
    module_server.journal.clear()
    token = _token(oauth)
    error = assert_sdk_error(lambda: _query(conf, token, "f" * 24), 404, "roomNotFound")
    (entry,) = module_server.journal("QueryConferenceInfo")
    assert entry["status"] == 404
    assert entry["response"] == {k: v for k, v in error.data.items() if k != "statusCode"}
    assert entry["response"]["code"] == "roomNotFound"
    assert entry["response"]["requestid"] == entry["requestId"] == error.data["requestid"]


def test_filters_by_action_org_app_and_time_newest_first(module_server, clients):
    oauth, conf = clients
    module_server.journal.clear()
    acme, globex = _token(oauth), _token(oauth, "globex-app", "globex-secret")
    reader = _token(oauth, "acme-reader", "reader-secret")
    first = _create(conf, acme, "one")
    module_server.clock.advance(10_000)
    middle = module_server.clock.advance(0)
    second = _create(conf, acme, "two")
    _query(conf, reader, first)
    sdk_error(lambda: _query(conf, globex, first))  # another org's meeting: refused

    creates = module_server.journal("CreateVideoConference")
    assert [e["response"]["conferenceId"] for e in creates] == [second, first]  # newest first
    assert [e["action"] for e in module_server.journal(app_key="acme-reader")] == [
        "QueryConferenceInfo",
        "GetAccessToken",
    ]
    # A token request names its app, not its organisation: only the query is Globex's.
    (globex_call,) = module_server.journal(corp_id="dingglobex")
    assert (globex_call["action"], globex_call["appKey"]) == ("QueryConferenceInfo", "globex-app")
    assert module_server.journal("GetAccessToken", app_key="globex-app")[0]["status"] == 200
    recent = module_server.journal("CreateVideoConference", since=middle)
    assert [e["response"]["conferenceId"] for e in recent] == [second]
    early = module_server.journal("CreateVideoConference", until=middle - 1)
    assert [e["response"]["conferenceId"] for e in early] == [first]
    assert len(module_server.journal(limit=2)) == 2
    assert module_server.journal.count("CreateVideoConference") == 2
    assert module_server.journal.count("CreateVideoConference", since=middle) == 1
    assert module_server.journal.count(app_key="acme-app") == 3  # one token, two creates
    assert module_server.journal.count(action="NoSuchAction") == 0


def test_count_clear_and_the_control_api_is_not_kept(module_server, clients):
    oauth, _ = clients
    module_server.journal.clear()
    _token(oauth)
    module_server.clock.advance(0)
    module_server.faults()
    assert module_server.journal.count() == 1
    assert module_server.journal.clear() == 1
    assert module_server.journal.count() == 0 and module_server.journal() == []


def test_assert_called_counts_and_matches(module_server, clients):
    oauth, conf = clients
    module_server.journal.clear()
    token = _token(oauth)
    _create(conf, token, "Standup")
    _create(conf, token, "Retro")
    module_server.journal.assert_called(
        "CreateVideoConference", times=2, corp_id="dingacme", status=200
    )
    (hit,) = module_server.journal.assert_called(
        "CreateVideoConference", request={"confTitle": "Retro"}
    )
    assert hit["request"]["confTitle"] == "Retro"
    module_server.journal.assert_called(
        "CreateVideoConference", times=0, request={"confTitle": "Planning"}
    )
    with pytest.raises(AssertionError, match="called 2 times, expected 3 times"):
        module_server.journal.assert_called("CreateVideoConference", times=3)
    with pytest.raises(AssertionError, match="expected at least once"):
        module_server.journal.assert_called("CloseVideoConference")


def test_no_secret_or_token_is_kept(module_server, clients):
    oauth, conf = clients
    module_server.journal.clear()
    tokens = [
        _token(oauth),
        _token(oauth, "acme-reader", "reader-secret"),
        _token(oauth, "globex-app", "globex-secret"),
    ]
    corp = oauth.get_corp_access_token(
        om.GetCorpAccessTokenRequest(
            suite_key="suite-x",
            suite_secret="suite-secret",
            auth_corp_id="dingacme",
            suite_ticket="ticket-42",
        )
    ).body.access_token
    tokens.append(corp)
    _create(conf, tokens[0], "Secretive")
    with httpx.Client(base_url=module_server.url) as client:
        # Tokens where clients wrongly put them, and a secret in a malformed body.
        client.get(f"/v1.0/conference/videoConferences/{'a' * 24}?access_token={tokens[0]}")
        client.post(
            "/v1.0/oauth2/accessToken",
            content=b'{"appKey": "acme-app", "appSecret": "acme-secret"',
            headers={"content-type": "application/json"},
        )
        client.post(
            "/v1.0/oauth2/accessToken",
            content=b'{"appKey": "acme-app", "app\\u0053ecret": "acme-secret"}',
            headers={"content-type": "application/json"},
        )
        opened = client.post(
            "/v1.0/gateway/connections/open",
            json={"clientId": "acme-app", "clientSecret": "acme-secret", "subscriptions": []},
        )
    assert opened.status_code == 200
    tokens.append(opened.json()["ticket"])
    status, _, document = module_server.request("GET", "/_dingconf/journal")
    assert status == 200 and len(document["requests"]) == 9
    dumped = json.dumps(document, ensure_ascii=False)
    for secret in (*SECRETS, "ticket-42", *tokens):
        assert secret not in dumped
    grants = module_server.journal("GetAccessToken")
    assert {e["request"].get("appSecret") for e in grants if isinstance(e["request"], dict)} == {
        "***"
    }
    assert all(e["response"]["accessToken"] == "***" for e in grants if e["status"] == 200)
    (suite,) = module_server.journal("GetCorpAccessToken")
    assert suite["request"]["suiteSecret"] == suite["request"]["suiteTicket"] == "***"
    assert (suite["appKey"], suite["corpId"]) == ("suite-x", "dingacme")
    assert "access_token=%2A%2A%2A" in module_server.journal("QueryConferenceInfo")[0]["query"]
    (stream,) = module_server.journal("OpenConnection")
    assert stream["appKey"] == "acme-app"
    assert stream["request"]["clientSecret"] == stream["response"]["ticket"] == "***"


def test_bad_filters_are_refused(module_server):
    for query in ("since=soon", "until=x", "limit=0", "limit=many"):
        status, _, body = module_server.request("GET", f"/_dingconf/journal?{query}")
        assert (status, body["code"]) == (400, "paramError"), query
    status, _, body = module_server.request("GET", "/_dingconf/journal/count?since=1.5")
    assert (status, body["code"]) == (400, "paramError")


ONE_APP = {
    "orgs": [{"corpId": "dingacme", "apps": [{"appKey": "acme-app", "appSecret": "acme-secret"}]}]
}


def test_the_journal_keeps_its_bound_and_can_be_off(tmp_path: Path):
    """The journal does not touch the database: one backend is enough."""
    small = InProcessServer(tmp_path / "small", seed=ONE_APP, journal_size=3)
    off = InProcessServer(tmp_path / "off", seed=ONE_APP, journal_size=0)
    for srv in (small, off):
        srv.workdir.mkdir()
        srv.start()
    try:
        for _ in range(5):
            small.token("acme-app", "acme-secret")
            off.token("acme-app", "acme-secret")
        assert small.journal.count() == 3
        _, _, document = small.request("GET", "/_dingconf/journal")
        assert document["capacity"] == 3
        ids = [e["requestId"] for e in document["requests"]]
        assert ids == sorted(ids, reverse=True)  # the newest three; older ones dropped
        _, _, nothing = off.request("GET", "/_dingconf/journal")
        assert nothing == {"requests": [], "capacity": 0}
        assert off.journal.count() == 0
    finally:
        small.stop()
        off.stop()


def test_the_journal_stays_within_its_bound_under_100k_calls():
    """Driven in-process through the layer that keeps calls (no server, no sockets)."""
    journal = Journal(1000, lambda: 0)
    reply = b'{"accessToken":"tok-%d","expireIn":7200}'

    async def app(scope, receive, send):
        message = await receive()
        assert b"appSecret" in message["body"]
        # What the app read and sent, noted as dingconf's body reader and replies do.
        scope[RECEIVED] = [message["body"]]
        send = recording(scope, send)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": reply})

    wrapped = observe(app, Metrics(), "off", journal)
    body = b'{"appKey":"acme-app","appSecret":"acme-secret"}'

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(_message):
        return None

    async def drive(first: int, calls: int) -> None:
        for i in range(first, first + calls):
            scope = {
                "type": "http",
                "method": "POST",
                "path": "/v1.0/oauth2/accessToken",
                "query_string": b"",
                "dingconf.request_id": str(i),
            }
            await wrapped(scope, receive, send)

    asyncio.run(drive(0, 100_000))
    assert len(journal) == 1000
    assert next(iter(journal)).request_id == str(99_000)  # the oldest kept
    # Once full, more calls replace entries instead of adding memory.
    tracemalloc.start()
    asyncio.run(drive(100_000, 1000))
    settled, _ = tracemalloc.get_traced_memory()
    asyncio.run(drive(101_000, 5000))
    grown, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(journal) == 1000
    assert grown - settled < 1_000_000  # no growth beyond noise once full
    # Each body is kept, its secret hidden.
    assert all(b"acme-app" in e.request and b"acme-secret" not in e.request for e in journal)
    assert all(b"tok-" not in e.response and e.status == 200 for e in journal)


def test_redaction_and_long_bodies():
    plain = b'{"conferenceId":"abc"}'
    assert redact_body(plain) == (plain, None)
    kept, document = redact_body(b'{"list":[{"accessToken":"t","x":1}],"token":"u"}')
    assert json.loads(kept) == {"list": [{"accessToken": "***", "x": 1}], "token": "***"}
    assert document == {"list": [{"accessToken": "t", "x": 1}], "token": "u"}
    assert b"s3cret" not in redact_body(b'{"appSecret":"s3cret"')[0]


def test_a_long_body_is_kept_cut():
    journal = Journal(1, lambda: 0)
    body = b'{"confTitle":"' + b"x" * (2 * MAX_BODY_BYTES) + b'"}'

    async def app(scope, receive, send):
        # What the app read and sent, noted as dingconf's body reader and replies do.
        scope[RECEIVED] = [(await receive())["body"]]
        send = recording(scope, send)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(_message):
        return None

    scope = {"type": "http", "method": "POST", "path": "/v1.0/x", "query_string": b""}
    asyncio.run(observe(app, Metrics(), "off", journal)(scope, receive, send))
    (entry,) = journal
    kept = json.loads(entry.request)
    assert isinstance(kept, str) and kept.endswith("…(cut)")
    assert len(entry.request) < MAX_BODY_BYTES + 100


def test_a_full_reset_forgets_calls_and_faults_an_org_reset_keeps_them(fresh_server):
    oauth = OAuthClient(sdk_config(fresh_server))
    conf = ConferenceClient(sdk_config(fresh_server))
    token = _token(oauth)
    _create(conf, token, "Before reset")
    fresh_server.faults.add("QueryConferenceInfo", status=500, code="systemError")
    fresh_server.state.reset("dingacme")
    assert fresh_server.journal.count("CreateVideoConference") == 1
    assert len(fresh_server.faults()) == 1

    fresh_server.state.reset()
    assert fresh_server.journal.count() == 0
    assert fresh_server.faults() == []
    cid = _create(conf, _token(oauth), "After reset")
    assert _query(conf, _token(oauth), cid).body.conf_info.title == "After reset"
