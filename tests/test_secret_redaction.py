"""No secret, token or credential-bearing link reaches the request journal (as the
control API and the console read it) or the access log (text and JSON), on both
backends.

The calls below carry every secret-bearing body field, reply field, query
parameter and path segment of the surface; ``SECRET_FIELDS`` lists them, and
the test proves each listed field was really exercised (its redacted value is
in the journal) and that none of the values seen on the wire is in any view.
"""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from dingconf.recording.files import READY_AFTER_MS
from dingconf.testing.plugin import DingconfServer
from in_process_server import InProcessServer
from over_http import TOKEN_HEADER

from conftest import SEED, new_database_url

VIDEO = "/v1.0/conference/videoConferences"

#: Every secret-bearing field of a journaled body (request or reply) or query string.
SECRET_FIELDS = {
    # Request bodies.
    "appSecret": "GetAccessToken",
    "suiteSecret": "GetCorpAccessToken",
    "suiteTicket": "GetCorpAccessToken",
    "clientSecret": "OpenConnection",
    "meetingUrl": "CreateAutoLoginUrl",  # a join link: its token admits anyone
    # Replies.
    "accessToken": "GetAccessToken",
    "ticket": "OpenConnection",
    "conferencePassword": "CreateVideoConference",
    "hostPassword": "CreateVideoConference",
    "externalLinkUrl": "QueryConferenceInfo",
    "loginUrl": "CreateAutoLoginUrl",
    "customShortLink": "CreateCustomShortLink",
    "playUrl": "QueryMinutesAudio",
    "mp4FileUrl": "QueryCloudRecordVideoPlayInfo",
    "recordMinutesUrl": "QueryRecordMinutesUrl",
    "minutesDocUrl": "GenerateFlashMinutesDocumentUrl",
}
#: Query parameters that carry a token where a client wrongly puts one.
SECRET_QUERY = ("access_token", "accessToken", "token")
#: Served paths whose last segment is a credential (never journaled, always logged).
SECRET_PATHS = ("/autoLogin/", "/s/")


@pytest.fixture(params=["text", "json"])
def logged(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> Iterator[DingconfServer]:
    """A server of its own logging in each access-log format."""
    tmp = tmp_path
    srv = InProcessServer(
        tmp,
        seed=SEED,
        database=new_database_url(backend, tmp, request),
        access_log=request.param,
    ).start()
    try:
        yield srv
    finally:
        srv.stop()


def _credentials_in(url: str) -> set[str]:
    """What in a link admits its holder: its token, signature or path credential."""
    parts = urlsplit(url)
    found = {v for k, v in parse_qsl(parts.query) if k in ("token", "sig", "Signature")}
    for prefix in SECRET_PATHS:
        if parts.path.startswith(prefix):
            found.add(parts.path[len(prefix) :])
    return found


def _exercise(srv: DingconfServer, http: httpx.Client) -> set[str]:
    """Make every call that carries a secret; the secret values seen on the wire."""
    seen = {"acme-secret", "suite-secret", "ticket-of-the-suite"}
    granted = http.post(
        "/v1.0/oauth2/accessToken", json={"appKey": "acme-app", "appSecret": "acme-secret"}
    ).json()
    token = granted["accessToken"]
    seen.add(token)
    corp = http.post(
        "/v1.0/oauth2/corpAccessToken",
        json={
            "suiteKey": "suite-x",
            "suiteSecret": "suite-secret",
            "authCorpId": "dingacme",
            "suiteTicket": "ticket-of-the-suite",
        },
    ).json()
    seen.add(corp["accessToken"])
    opened = http.post(
        "/v1.0/gateway/connections/open",
        json={"clientId": "acme-app", "clientSecret": "acme-secret", "subscriptions": []},
    ).json()
    seen.add(opened["ticket"])
    headers = {TOKEN_HEADER: token}

    created = http.post(VIDEO, json={"userId": "u-host", "confTitle": "Secrets"}, headers=headers)
    assert created.status_code == 200, created.text
    cid = created.json()["conferenceId"]
    seen |= {created.json()["conferencePassword"], created.json()["hostPassword"]}
    info = http.get(f"{VIDEO}/{cid}", headers=headers).json()["confInfo"]
    link = info["externalLinkUrl"]
    seen |= _credentials_in(link)
    login = http.post(
        f"{VIDEO}/createAutoLoginUrl",
        json={"meetingUrl": link, "unionId": "u-host"},
        headers=headers,
    )
    assert login.status_code == 200, login.text
    login_url = login.json()["loginInfo"]["loginUrl"]
    seen |= _credentials_in(login_url)
    short = http.post(
        "/v1.0/conference/customShortLinks",
        json={
            "creatorUnionId": "u-host",
            "scheduleConferenceId": _booking(http, headers),
            "coolAppCode": "COOLAPP-1",
        },
        headers=headers,
    )
    assert short.status_code == 200, short.text
    short_url = short.json()["result"]["customShortLink"]
    seen |= _credentials_in(short_url)
    # The served links themselves, and the join page behind the meeting's link.
    for url in (login_url, short_url, link):
        assert http.get(urlsplit(url).path + "?" + urlsplit(url).query).status_code < 400
    # A token where a client wrongly puts it.
    for name in SECRET_QUERY:
        http.get(f"{VIDEO}/{cid}", params={name: token}, headers=headers)

    # Minutes: their audio, record and document links are signed.
    for who in ("u-host", "u-alice"):
        srv.participants.join(cid, who)
    srv.clock.advance(1000)
    started = http.post(f"{VIDEO}/{cid}/minutes/start", json={"unionId": "u-host"}, headers=headers)
    assert started.status_code == 200, started.text
    srv.clock.advance(1000)
    srv.participants.say(cid, "u-alice", "the budget is fine")
    srv.clock.advance(1000)
    http.post(f"{VIDEO}/{cid}/minutes/pause", json={"unionId": "u-host"}, headers=headers)
    minutes = f"{VIDEO}/{cid}/flashMinutes"
    audio = http.get(
        f"{VIDEO}/{cid}/minutes/audioInfos", params={"unionId": "u-host"}, headers=headers
    )
    records = http.get(
        f"{minutes}/recordUrls", params={"recorderUnionId": "u-host"}, headers=headers
    )
    document = http.get(
        f"{minutes}/document/generate", params={"unionId": "u-host"}, headers=headers
    )
    # A cloud recording: its play and MP4 links are signed.
    http.post(f"{VIDEO}/{cid}/cloudRecords/start", json={"unionId": "u-host"}, headers=headers)
    srv.clock.advance(5000)
    http.post(f"{VIDEO}/{cid}/cloudRecords/stop", json={"unionId": "u-host"}, headers=headers)
    srv.clock.advance(READY_AFTER_MS)
    (video,) = http.get(
        f"{VIDEO}/{cid}/cloudRecords/getVideos", params={"unionId": "u-host"}, headers=headers
    ).json()["videoList"]
    play = http.get(
        f"{VIDEO}/{cid}/cloudRecords/videos/getPlayInfos",
        params={"unionId": "u-host", "mediaId": video["mediaId"], "regionId": video["regionId"]},
        headers=headers,
    )
    for reply in (audio, records, document, play):
        assert reply.status_code == 200, reply.text
    for url in re.findall(r'"(http[^"]+)"', audio.text + records.text + document.text + play.text):
        seen |= _credentials_in(url)
    return {s for s in seen if s}


def _booking(http: httpx.Client, headers: dict[str, str]) -> str:
    reply = http.post(
        "/v1.0/conference/scheduleConferences",
        json={
            "creatorUnionId": "u-host",
            "title": "Booked",
            "startTime": 4_102_444_800_000,
            "endTime": 4_102_448_400_000,
        },
        headers=headers,
    )
    assert reply.status_code == 200, reply.text
    return str(reply.json()["scheduleConferenceId"])


def _fields(document: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(document, dict):
        for key, value in document.items():
            yield key, value
            yield from _fields(value)
    elif isinstance(document, list):
        for item in document:
            yield from _fields(item)


def test_no_secret_reaches_the_journal_the_console_or_the_log(logged: DingconfServer):
    with httpx.Client(base_url=logged.url, timeout=30) as http:
        seen = _exercise(logged, http)
        # The journal as the control API and the console (which polls this very
        # query) read it.
        views = [http.get("/_dingconf/journal").text, http.get("/_dingconf/journal?limit=100").text]
    logged.stop()  # the access log is written out whole at shutdown
    log = logged.log_path.read_text()

    journal = json.loads(views[0])["requests"]
    redacted = {
        key
        for entry in journal
        for part in (entry.get("request"), entry.get("response"))
        for key, value in _fields(part)
        if value == "***"
    }
    missing = set(SECRET_FIELDS) - redacted
    assert not missing, f"never exercised or left in the clear: {missing}"
    for name in SECRET_QUERY:
        assert any(f"{name}=%2A%2A%2A" in e.get("query", "") for e in journal), name
    # The log really holds the calls (the format asked for), link paths hidden.
    assert "CreateAutoLoginUrl" in log and "OpenAutoLoginUrl" in log and "OpenShortLink" in log
    assert "/autoLogin/***" in log and "/s/***" in log
    # Two keys, three tokens, a ticket, two passwords, three link credentials and
    # five signatures.
    assert len(seen) == 16
    for secret in seen:
        for where, text in (("journal", views[0]), ("console", views[1]), ("log", log)):
            assert secret not in text, f"{secret!r} in the {where}"


def test_a_failed_request_logs_its_path_without_the_credential(caplog):
    """The error log names a failed request by the same loggable path (in process:
    no served link fails on purpose)."""
    import asyncio
    import logging

    from dingconf.core.rng import IdSource
    from dingconf.http.asgi import wire_errors
    from dingconf.http.errors import RequestIds

    async def failing(scope, receive, send):
        raise RuntimeError("boom")

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message):
        return None

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/autoLogin/1e31dc3cf898",
        "path_params": {"token": "1e31dc3cf898"},
        "query_string": b"",
        "headers": [],
    }
    with caplog.at_level(logging.ERROR, logger="dingconf.http"):
        asyncio.run(wire_errors(failing, RequestIds(IdSource()))(scope, receive, send))
    assert "GET /autoLogin/*** failed" in caplog.text
    assert "1e31dc3cf898" not in caplog.text


@pytest.mark.parametrize(
    ("content", "query"),
    [
        # A form post: DingTalk's gateway refuses it, yet the journal keeps the body.
        (b"appKey=acme-app&appSecret=form-posted-secret", ""),
        # A query parameter's name spelled with an escape is still that parameter.
        (b"", "%74oken=escaped-query-credential"),
        # A join page's member pass (a person's credential) sent where it is not read.
        (b'{"appKey": "acme-app", "memberPass": "4102444800000.form-posted-secret"}', ""),
    ],
    ids=["form-body", "escaped-query-name", "member-pass"],
)
def test_a_secret_spelled_otherwise_than_json_is_not_kept(
    server: DingconfServer, http: httpx.Client, content: bytes, query: str
):
    """The journal hides a secret however the client wrote it, not only as a JSON key."""
    reply = http.post(
        f"/v1.0/oauth2/accessToken?{query}",
        content=content,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert reply.status_code == 400, reply.text
    status, _, document = server.request("GET", "/_dingconf/journal?action=GetAccessToken")
    assert status == 200
    (entry,) = [e for e in document["requests"] if e["requestId"] == reply.json()["requestid"]]
    kept = json.dumps(entry)
    assert "form-posted-secret" not in kept and "escaped-query-credential" not in kept
