"""The test toolkit's state: reset, fresh organisations, export/import, seeded ids, one clock."""

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from alibabacloud_dingtalk.conference_1_0 import models as conf_models
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient
from alibabacloud_tea_util.models import RuntimeOptions

from dingconf.auth.tables import APPS, USERS
from dingconf.bookings.tables import BOOKINGS
from dingconf.control.state_tables import EXCLUDED_TABLES, ORG_TABLES
from dingconf.meetings.tables import CONFERENCE_COLUMNS, CONFERENCES
from dingconf.members.tables import MEMBER_COLUMNS, PARTICIPANTS
from dingconf.testing.plugin import DingconfServer
from in_process_server import InProcessServer
from over_http import TOKEN_HEADER, conf_info, new_meeting

from backends import PostgresCluster
from conftest import SEED, processes_on

DAY = 24 * 3600 * 1000


def _listing(server: DingconfServer, token: str) -> list[str]:
    status, _, body = server.request(
        "GET", "/v1.0/conference/orgConferences?maxResults=100", headers={TOKEN_HEADER: token}
    )
    assert status == 200, body
    return [c["conferenceId"] for c in body.get("onGoingConfList", [])]


def _busy_meeting(server: DingconfServer, token: str) -> str:
    """A meeting with invitees, joins (sessions, samples), words and a recording."""
    status, _, body = server.request(
        "POST",
        "/v1.0/conference/videoConferences",
        {"userId": "u-host", "confTitle": "full", "inviteUserIds": ["u-bob"]},
        {TOKEN_HEADER: token},
    )
    assert status == 200, body
    cid = str(body["conferenceId"])
    server.participants.join(cid, "u-host")
    server.participants.join(cid, "u-alice", device_type="Mac", camera_on=True)
    server.participants.say(cid, "u-alice", "hello")
    status, _, body = server.request(
        "POST",
        f"/v1.0/conference/videoConferences/{cid}/cloudRecords/start",
        {"unionId": "u-host"},
        {TOKEN_HEADER: token},
    )
    assert status == 200, body
    server.participants.leave(cid, "u-alice")
    status, _, body = server.request(
        "POST",
        "/v1.0/conference/scheduleConferences",
        {"creatorUnionId": "u-host", "title": "later", "startTime": 1, "endTime": 2},
        {TOKEN_HEADER: token},
    )
    return cid


def test_reset_goes_back_to_the_seed_and_revokes_tokens(fresh_server: DingconfServer):
    token = fresh_server.token("acme-app", "acme-secret")
    cid = _busy_meeting(fresh_server, token)
    extra = fresh_server.create_org()
    new_meeting(extra.server, extra.token)
    fresh_server.request("POST", "/_dingconf/orgs", {"corpId": "dingother"})
    assert _listing(fresh_server, token) == [cid]

    fresh_server.state.reset()

    # The token went with everything else; the seed's apps and users are back.
    status, _, body = fresh_server.request(
        "GET", f"/v1.0/conference/videoConferences/{cid}", headers={TOKEN_HEADER: token}
    )
    assert (status, body["code"]) == (400, "InvalidAuthentication")
    token = fresh_server.token("acme-app", "acme-secret")
    assert _listing(fresh_server, token) == []
    doc = fresh_server.state.export()
    assert [o["corpId"] for o in doc["orgs"]] == ["dingacme", "dingglobex"]
    acme = doc["orgs"][0]
    assert [u["union_id"] for u in acme["users"]] == sorted(
        u["unionId"] for u in SEED["orgs"][0]["users"]
    )
    assert all(acme[t.key] == [] for t in ORG_TABLES if t.key not in ("users", "apps"))
    assert [s["suite_key"] for s in doc["suites"]] == [s["suiteKey"] for s in SEED["suites"]]
    # The meeting is gone: its roomCode and id answer as unknown.
    status, _, body = fresh_server.request(
        "GET", f"/v1.0/conference/videoConferences/{cid}", headers={TOKEN_HEADER: token}
    )
    assert status == 404


def test_reset_of_one_org_leaves_the_others(fresh_server: DingconfServer):
    acme = fresh_server.token("acme-app", "acme-secret")
    globex = fresh_server.token("globex-app", "globex-secret")
    acme_cid = new_meeting(fresh_server, acme)
    status, _, body = fresh_server.request(
        "POST",
        "/v1.0/conference/videoConferences",
        {"userId": "g-host", "confTitle": "g"},
        {TOKEN_HEADER: globex},
    )
    assert status == 200, body
    globex_cid = body["conferenceId"]
    fresh_server.state.reset("dingglobex")
    assert _listing(fresh_server, acme) == [acme_cid]
    assert conf_info(fresh_server, acme, acme_cid)["title"] == "test"
    globex = fresh_server.token("globex-app", "globex-secret")
    assert globex_cid not in _listing(fresh_server, globex)
    # The suite authorised by both keeps both authorisations.
    suites = fresh_server.state.export()["suites"]
    assert suites[0]["corps"] == sorted(SEED["suites"][0]["authorizedCorps"])
    status, _, body = fresh_server.request("POST", "/_dingconf/reset", {"corpId": "nope"})
    assert (status, body["code"]) == (400, "unknownOrg")


def test_fresh_orgs_see_only_their_own_meetings_through_the_sdk(server: DingconfServer):
    one, two = server.create_org(), server.create_org()
    assert one.corp_id != two.corp_id and one.app_key != two.app_key
    assert one.users == ["u-host", "u-alice", "u-bob", "u-carol"]
    client = one.client
    assert isinstance(client, ConferenceClient)
    made = client.create_video_conference_with_options(
        conf_models.CreateVideoConferenceRequest(user_id="u-host", conf_title="mine"),
        conf_models.CreateVideoConferenceHeaders(x_acs_dingtalk_access_token=one.token),
        RuntimeOptions(),
    ).body.conference_id
    new_meeting(server, two.token, "theirs")
    listed = client.query_org_conference_list_with_options(
        conf_models.QueryOrgConferenceListRequest(max_results=20),
        conf_models.QueryOrgConferenceListHeaders(x_acs_dingtalk_access_token=one.token),
        RuntimeOptions(),
    ).body
    assert [c.conference_id for c in listed.on_going_conf_list] == [made]


def test_create_org_refuses_a_taken_corp_id(server: DingconfServer):
    status, _, body = server.request("POST", "/_dingconf/orgs", {"corpId": "dingacme"})
    assert (status, body["code"]) == (400, "paramError")
    status, _, body = server.request("POST", "/_dingconf/orgs", {"users": "nobody"})
    assert (status, body["code"]) == (400, "paramError")
    status, _, made = server.request(
        "POST",
        "/_dingconf/orgs",
        {"users": [{"unionId": "x1", "nick": "X"}], "scopes": ["VideoConference.Conference.Read"]},
    )
    assert status == 200
    assert made["users"] == [{"unionId": "x1", "nick": "X"}]
    assert made["scopes"] == ["VideoConference.Conference.Read"]
    assert isinstance(made["appSecret"], str) and len(made["appSecret"]) >= 20
    token = server.token(made["appKey"], made["appSecret"])
    status, _, body = server.request(
        "POST",
        "/v1.0/conference/videoConferences",
        {"userId": "x1", "confTitle": "t"},
        {TOKEN_HEADER: token},
    )
    assert (status, body["code"]) == (403, "Forbidden.AccessDenied.AccessTokenPermissionDenied")


def _other_backend_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "postgres":
        return f"sqlite:///{tmp_path / 'other.sqlite3'}"
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    return cluster.new_database()


# Each backend's document goes into the other: PostgreSQL either way.
@pytest.mark.postgres
def test_export_import_into_the_other_backend_exports_the_same_document(
    fresh_server: DingconfServer, backend: str, tmp_path: Path, request: pytest.FixtureRequest
):
    token = fresh_server.token("acme-app", "acme-secret")
    _busy_meeting(fresh_server, token)
    fresh_server.create_org()
    first = fresh_server.state.export()
    acme = next(o for o in first["orgs"] if o["corpId"] == "dingacme")
    assert first["format"] == "dingconf-state" and first["version"] == 1
    assert all(acme[k] for k in ("conferences", "participants", "participantSessions"))
    assert all(acme[k] for k in ("invitations", "utterances", "spans", "networkSamples"))
    assert acme["bookings"] and acme["apps"][0]["secret_hash"].startswith("scrypt$")
    assert "tokens" not in json.dumps(first)

    path = tmp_path / "state.json"
    path.write_text(json.dumps(first))
    other = _other_backend_url(backend, tmp_path, request)
    cli = [sys.executable, "-m", "dingconf"]
    subprocess.run([*cli, "import", str(path), "--database", other], check=True)
    out = subprocess.run(
        [*cli, "export", "--database", other], check=True, capture_output=True, text=True
    )
    assert json.loads(out.stdout) == first
    # One organisation alone, over the control API, is the same slice.
    assert fresh_server.state.export("dingacme")["orgs"] == [acme]

    # The imported meetings answer on the other backend with the same secrets.
    (tmp_path / "o").mkdir()
    served = InProcessServer(tmp_path / "o", database=other).start()
    try:
        cid = next(c["conference_id"] for c in acme["conferences"] if c["title"] == "full")
        info = conf_info(served, served.token("acme-app", "acme-secret"), cid)
        assert (info["title"], info["attendNum"]) == ("full", 2)
        assert served.state.export() == first
    finally:
        served.stop()


def test_a_malformed_document_is_refused(server: DingconfServer):
    good: dict[str, Any] = {"format": "dingconf-state", "version": 1, "orgs": []}
    cases = [
        {**good, "version": 2},
        {**good, "format": "other"},
        {**good, "orgs": [{"corpId": "dingnew", "name": "n", "tables": []}]},
        {**good, "orgs": [{"corpId": "dingnew", "name": "n", "users": [{"colour": "red"}]}]},
        {**good, "orgs": [{"corpId": "dingnew", "name": "n", "users": [{"union_id": "a"}]}]},
    ]
    for document in cases:
        status, _, body = server.request("PUT", "/_dingconf/state", document)
        assert (status, body["code"]) == (400, "invalidState"), document
    assert server.state.export("dingacme")["orgs"][0]["corpId"] == "dingacme"


def test_the_document_covers_every_table(database_url: str, backend: str, tmp_path: Path):
    """A table a later schema adds must be exported or excluded on purpose."""
    (tmp_path / "s").mkdir()
    srv = InProcessServer(tmp_path / "s", database=database_url).start()
    srv.stop()
    if backend == "sqlite":
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        tables = {
            name: [c[1] for c in conn.execute(f"PRAGMA table_info({name})")]
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    else:
        import psycopg

        with psycopg.connect(database_url) as conn:
            rows = conn.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = 'public' ORDER BY ordinal_position"
            ).fetchall()
        tables = {}
        for name, column in rows:
            tables.setdefault(name, []).append(column)
    exported = {t.name: sorted(t.columns) for t in ORG_TABLES}
    exported |= {"orgs": ["corp_id", "name"], "suites": ["scopes", "secret_hash", "suite_key"]}
    exported |= {"suite_corps": ["corp_id", "suite_key"]}
    for name, columns in tables.items():
        if name not in EXCLUDED_TABLES:
            assert sorted(columns) == exported.get(name), name


def test_each_table_is_declared_once_by_its_feature():
    # The state document carries the very declarations the features' SQL
    # builds its column lists from: no second list to fall behind.
    assert len({t.name for t in ORG_TABLES}) == len(ORG_TABLES)
    for declared in (USERS, APPS, BOOKINGS, CONFERENCES, PARTICIPANTS):
        assert any(t is declared for t in ORG_TABLES), declared.name
    assert CONFERENCE_COLUMNS is CONFERENCES.columns
    assert set(MEMBER_COLUMNS) <= set(PARTICIPANTS.columns)


def _same_calls(server: DingconfServer) -> list[Any]:
    # The server's own start-up probe (which prints the ready notice) draws a
    # request id too: the calls start after it, or their ids would shift.
    deadline = time.monotonic() + 15
    while "is ready at" not in server.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    # The clock runs on: under a seed, ids do not depend on when the calls are made.
    token = server.token("acme-app", "acme-secret")
    status, headers, made = server.request(
        "POST",
        "/v1.0/conference/videoConferences",
        {"userId": "u-host", "confTitle": "seeded"},
        {TOKEN_HEADER: token},
    )
    assert status == 200
    status, _, booked = server.request(
        "POST",
        "/v1.0/conference/scheduleConferences",
        {"creatorUnionId": "u-host", "title": "b", "startTime": 1, "endTime": 2},
        {TOKEN_HEADER: token},
    )
    org = server.create_org()
    ids = [token, made, headers["x-acs-request-id"], booked, org.corp_id, org.app_secret]
    # Join links name the server's own address, which differs between runs.
    return json.loads(json.dumps(ids).replace(server.url, "BASE"))


def test_a_random_seed_repeats_every_id(tmp_path: Path):
    runs = []
    for i in range(2):
        (tmp_path / str(i)).mkdir()
        srv = DingconfServer(tmp_path / str(i), seed=SEED, extra_args=("--random-seed", "42"))
        srv.start()
        try:
            runs.append(_same_calls(srv))
        finally:
            srv.stop()
    assert runs[0] == runs[1]
    (tmp_path / "x").mkdir()
    other = DingconfServer(tmp_path / "x", seed=SEED, extra_args=("--random-seed", "43")).start()
    try:
        assert _same_calls(other)[1]["conferenceId"] != runs[0][1]["conferenceId"]
    finally:
        other.stop()


def test_one_clock_and_one_reset_for_every_process(database_url: str, tmp_path: Path):
    with processes_on(database_url, tmp_path, 2) as servers:
        first, second = servers
        token = first.token("acme-app", "acme-secret")
        cid = new_meeting(first, token)
        assert conf_info(second, token, cid)["title"] == "test"
        # Frozen through one process, it stands still in the other.
        frozen = second.clock.move(freeze=True)
        assert first.request("GET", "/_dingconf/clock")[2]["now"] == frozen
        # Moved past the token's 2 hours through the second process: the first
        # process now answers that the token expired.
        assert second.clock.move(advance_ms=2 * 3600 * 1000 + 1) == frozen + 2 * 3600 * 1000 + 1
        status, _, body = first.request(
            "GET", f"/v1.0/conference/videoConferences/{cid}", headers={TOKEN_HEADER: token}
        )
        assert (status, body["code"]) == (400, "InvalidAuthentication")
        later = first.clock.move(set_ms=frozen + 3 * DAY, freeze=False)
        assert later >= frozen + 3 * DAY
        status, _, body = second.request("POST", "/_dingconf/clock", {"setMs": frozen})
        assert (status, body["code"]) == (400, "paramError")
        assert second.request("GET", "/_dingconf/clock")[2]["now"] >= later

        # A reset through one process: the other serves neither the meeting it
        # had cached nor the token it had cached.
        token = first.token("acme-app", "acme-secret")
        cid = new_meeting(first, token)
        assert conf_info(second, token, cid)["title"] == "test"
        first.state.reset()
        status, _, body = second.request(
            "GET", f"/v1.0/conference/videoConferences/{cid}", headers={TOKEN_HEADER: token}
        )
        assert (status, body["code"]) == (400, "InvalidAuthentication")
        token = second.token("acme-app", "acme-secret")
        status, _, body = second.request(
            "GET", f"/v1.0/conference/videoConferences/{cid}", headers={TOKEN_HEADER: token}
        )
        assert status == 404, body


def test_export_on_exit_and_import_at_start_then_reset_returns_to_the_import(tmp_path: Path):
    (tmp_path / "a").mkdir()
    out = tmp_path / "saved.json"
    first = DingconfServer(tmp_path / "a", seed=SEED, extra_args=("--export-on-exit", str(out)))
    first.start()
    cid = new_meeting(first, first.token("acme-app", "acme-secret"), "kept")
    saved = first.state.export()
    first.stop()
    assert json.loads(out.read_text()) == saved

    (tmp_path / "b").mkdir()
    second = DingconfServer(tmp_path / "b", extra_args=("--import", str(out))).start()
    try:
        token = second.token("acme-app", "acme-secret")
        new_meeting(second, token, "dropped")
        second.state.reset()
        assert _listing(second, second.token("acme-app", "acme-secret")) == [cid]
    finally:
        second.stop()


def test_cli_reset_deletes_meetings_and_keeps_the_seed(tmp_path: Path):
    (tmp_path / "a").mkdir()
    srv = DingconfServer(tmp_path / "a", seed=SEED).start()
    try:
        new_meeting(srv, srv.token("acme-app", "acme-secret"))
    finally:
        srv.stop()
    cli = [sys.executable, "-m", "dingconf"]
    subprocess.run([*cli, "reset", "--corp", "dingacme", "--database", srv.database], check=True)
    out = subprocess.run(
        [*cli, "export", "--corp", "dingacme", "--database", srv.database],
        check=True,
        capture_output=True,
        text=True,
    )
    acme = json.loads(out.stdout)["orgs"][0]
    assert acme["conferences"] == [] and len(acme["apps"]) == 3


def test_an_imported_meeting_of_an_odd_biz_type_still_sends_its_events(server: DingconfServer):
    # bizType is a string in the state document: one that is no ASCII number
    # ("²" passes str.isdigit) must not break the events built from the meeting.
    org = server.create_org()
    host = org.users[0]
    status, _, created = server.request(
        "POST",
        "/v1.0/conference/videoConferences",
        {"userId": host, "confTitle": "odd"},
        {TOKEN_HEADER: org.token},
    )
    assert status == 200, created
    cid = created["conferenceId"]
    document = server.state.export(org.corp_id)
    (meeting,) = document["orgs"][0]["conferences"]
    assert meeting["conference_id"] == cid
    meeting["biz_type"] = "²"
    server.state.load(document)  # an import leaves no token of the org's alive
    token = server.token(org.app_key, org.app_secret)
    # Closing it sends the targeted status event, whose bizType is a number.
    status, _, body = server.request(
        "DELETE",
        f"/v1.0/conference/videoConferences/{cid}?unionId={host}",
        None,
        {TOKEN_HEADER: token},
    )
    assert status == 200, body
    ended = [
        e["data"]
        for e in server.events(org.app_key)
        if e["eventType"] == "meeting_status_change_target_push" and e["conferenceId"] == cid
    ]
    assert ended[-1]["openConfModel"]["bizType"] == 0, ended[-1]
