"""Running dingconf: a used port, the access log, metrics, the demo secret, start-up errors."""

import json
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from dingconf.runtime import describe_failure
from dingconf.testing.plugin import DingconfServer, free_port

from backends import drop_meeting_tables
from conftest import SEED, auth

ADMIN = "x-dingconf-admin-token"


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dingconf", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=90,
        env={**os.environ, **(env or {})},
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The command failed with exactly one ``Error:`` line on stderr and no traceback."""
    assert result.returncode != 0, result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


def wait_for(predicate, timeout_s: float = 15) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def access_lines(server: DingconfServer) -> list[str]:
    return [line for line in server.log().splitlines() if line.startswith("time=")]


def metric(text: str, name: str, **labels: str) -> float:
    """One sample of the exposition, parsed with the Prometheus client's own parser."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


# --- A port in use -------------------------------------------------------------------


def test_a_second_server_on_a_used_port_exits_with_one_line(tmp_path: Path):
    first = DingconfServer(tmp_path, seed=SEED).start()
    try:
        other = tmp_path / "other"
        other.mkdir()
        result = run_cli(
            "serve",
            "--port",
            str(first.port),
            "--database",
            f"sqlite:///{other / 'db.sqlite3'}",
            cwd=other,
        )
        line = one_error_line(result)
        assert f"port {first.port} on 127.0.0.1 is already in use" in line
        # Refused before touching its database, and the first server answers alone.
        assert not (other / "db.sqlite3").exists()
        assert first.token("acme-app", "acme-secret")
    finally:
        first.stop()


def test_workers_still_share_one_port(tmp_path: Path):
    server = DingconfServer(tmp_path, seed=SEED, extra_args=("--workers", "2")).start()
    try:
        wait_for(lambda: server.log().count("Started worker-") == 2)
        prefixes = set()
        with httpx.Client(base_url=server.url) as http:
            deadline = time.monotonic() + 20
            while len(prefixes) < 2 and time.monotonic() < deadline:
                resp = http.get("/_dingconf/health", headers={"connection": "close"})
                assert resp.status_code == 200
                prefixes.add(resp.headers["x-acs-request-id"][:23])
        # Each worker process has its own request-id prefix: both answer on the one port.
        assert len(prefixes) == 2
    finally:
        server.stop()


# --- The access log ------------------------------------------------------------------


def test_access_log_has_one_line_per_request_and_no_secret(tmp_path: Path):
    server = DingconfServer(tmp_path, seed=SEED).start()
    try:
        with httpx.Client(base_url=server.url) as http:
            got = http.post(
                "/v1.0/oauth2/accessToken", json={"appKey": "acme-app", "appSecret": "acme-secret"}
            )
            token = got.json()["accessToken"]
            created = http.post(
                "/v1.0/conference/videoConferences?secret=do-not-log",
                json={"userId": "u-host", "confTitle": "logged"},
                headers=auth(token),
            )
            bad = http.get("/v1.0/conference/videoConferences/nope!", headers=auth(token))
            unknown = http.get("/v1.0/nowhere")
        ids = [r.headers["x-acs-request-id"] for r in (got, created, bad, unknown)]
        wait_for(lambda: all(any(i in line for line in access_lines(server)) for i in ids))
    finally:
        server.stop()
    lines = {i: [line for line in access_lines(server) if f"requestId={i} " in line] for i in ids}
    assert all(len(found) == 1 for found in lines.values()), lines
    fields = {i: dict(re.findall(r"(\w+)=(\S+)", found[0])) for i, found in lines.items()}
    token_line = fields[ids[0]]
    assert token_line["action"] == "GetAccessToken"
    assert token_line["status"] == "200"
    assert "app" not in token_line  # no caller is authenticated yet
    create = fields[ids[1]]
    assert create["method"] == "POST"
    assert create["path"] == "/v1.0/conference/videoConferences"
    assert (create["action"], create["app"], create["org"]) == (
        "CreateVideoConference",
        "acme-app",
        "dingacme",
    )
    assert create["status"] == "200"
    assert "code" not in create
    assert float(create["latencyMs"]) > 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", create["time"])
    error = fields[ids[2]]
    assert (error["action"], error["status"]) == ("QueryConferenceInfo", "400")
    assert error["code"] == bad.json()["code"]
    assert (fields[ids[3]]["action"], fields[ids[3]]["code"]) == (
        "unknown",
        "InvalidAction.NotFound",
    )
    log = server.log()
    for secret in (token, "acme-secret", "do-not-log"):
        assert secret not in log


def test_access_log_as_json_and_off(tmp_path: Path):
    (tmp_path / "j").mkdir()
    (tmp_path / "o").mkdir()
    as_json = DingconfServer(tmp_path / "j", seed=SEED, extra_args=("--access-log", "json"))
    off = DingconfServer(tmp_path / "o", seed=SEED, extra_args=("--access-log", "off"))
    for server in (as_json, off):
        server.start()
        try:
            token = server.token("acme-app", "acme-secret")
            status, headers, _ = server.request(
                "POST",
                "/v1.0/conference/videoConferences",
                {"userId": "u-host", "confTitle": "json"},
                auth(token),
            )
            assert status == 200
            time.sleep(0.3)
        finally:
            server.stop()
        request_id = headers["x-acs-request-id"]
        if server is off:
            assert request_id not in off.log()
            assert "requestId" not in off.log()
            continue
        found = [
            json.loads(line) for line in as_json.log().splitlines() if f'"{request_id}"' in line
        ]
        assert found == [
            {
                "time": found[0]["time"],
                "requestId": request_id,
                "method": "POST",
                "path": "/v1.0/conference/videoConferences",
                "action": "CreateVideoConference",
                "app": "acme-app",
                "org": "dingacme",
                "status": 200,
                "latencyMs": found[0]["latencyMs"],
            }
        ]
        assert isinstance(found[0]["latencyMs"], float)
        assert token not in as_json.log()


def test_a_500_is_logged_with_its_request_id_and_traceback_and_counted(
    database_url: str, tmp_path: Path
):
    server = DingconfServer(tmp_path, seed=SEED, database=database_url).start()
    try:
        token = server.token("acme-app", "acme-secret")
        drop_meeting_tables(database_url)
        with httpx.Client(base_url=server.url) as http:
            resp = http.post(
                "/v1.0/conference/videoConferences",
                json={"userId": "u-host", "confTitle": "x"},
                headers=auth(token),
            )
            assert (resp.status_code, resp.json()["code"]) == (500, "systemError")
            assert "Traceback" not in resp.text
            scrape = http.get("/_dingconf/metrics").text
        request_id = resp.headers["x-acs-request-id"]
        wait_for(lambda: f"requestId={request_id} " in server.log())
    finally:
        server.stop()
    log = server.log()
    failure = log[log.index(f"failed (requestid {request_id})") :]
    assert "Traceback (most recent call last)" in failure
    assert "StorageUnavailable" in failure
    line = next(line for line in access_lines(server) if request_id in line)
    assert "status=500 code=systemError" in line
    assert metric(scrape, "dingconf_store_errors_total") == 1
    assert math.isnan(metric(scrape, "dingconf_meetings_live"))  # unknown, not a stale 0
    assert (
        metric(scrape, "dingconf_requests_total", action="CreateVideoConference", status="500") == 1
    )


# --- Metrics -------------------------------------------------------------------------


def test_metrics_parse_and_move(database_url: str, tmp_path: Path):
    server = DingconfServer(tmp_path, seed=SEED, database=database_url).start()
    try:
        with httpx.Client(base_url=server.url) as http:
            before = http.get("/_dingconf/metrics")
            assert before.status_code == 200
            assert before.headers["content-type"].startswith("text/plain; version=")
            assert metric(before.text, "dingconf_meetings_live") == 0
            token = server.token("acme-app", "acme-secret")
            ids = []
            for title in ("a", "b"):
                created = http.post(
                    "/v1.0/conference/videoConferences",
                    json={"userId": "u-host", "confTitle": title},
                    headers=auth(token),
                )
                ids.append(created.json()["conferenceId"])
            server.participants.join(ids[0], "u-alice")
            server.participants.join(ids[0], "u-bob")
            server.participants.join(ids[1], "u-carol")
            server.participants.leave(ids[0], "u-bob")
            closed = http.delete(
                f"/v1.0/conference/videoConferences/{ids[1]}?unionId=u-host", headers=auth(token)
            )
            assert closed.status_code == 200, closed.text
            http.get("/v1.0/conference/videoConferences/nope!", headers=auth(token))
            after = http.get("/_dingconf/metrics").text
    finally:
        server.stop()
    families = {f.name: f for f in text_string_to_metric_families(after)}
    assert families["dingconf_requests"].type == "counter"
    assert families["dingconf_request_duration_seconds"].type == "histogram"
    assert families["dingconf_meetings_live"].type == "gauge"
    assert (
        metric(after, "dingconf_requests_total", action="CreateVideoConference", status="200") == 2
    )
    assert metric(after, "dingconf_requests_total", action="Join", status="200") == 3
    assert metric(after, "dingconf_requests_total", action="QueryConferenceInfo", status="400") == 1
    assert metric(after, "dingconf_requests_total", action="Metrics", status="200") == 1
    assert (
        metric(after, "dingconf_request_duration_seconds_count", action="CreateVideoConference")
        == 2
    )
    assert metric(after, "dingconf_request_duration_seconds_sum", action="Join") > 0
    # The closed meeting is over; in the other, u-bob left and u-alice is inside.
    assert metric(after, "dingconf_meetings_live") == 1
    assert metric(after, "dingconf_participants_inside") == 1
    assert metric(after, "dingconf_store_errors_total") == 0


def test_metrics_are_behind_the_control_guard(tmp_path: Path):
    server = DingconfServer(tmp_path, seed=SEED, admin_token="op-admin").start()
    try:
        with httpx.Client(base_url=server.url) as http:
            refused = http.get("/_dingconf/metrics")
            assert (refused.status_code, refused.json()["code"]) == (400, "InvalidAuthentication")
            assert http.get("/_dingconf/metrics", headers={ADMIN: "op-admin"}).status_code == 200
            wrong_method = http.post("/_dingconf/metrics", headers={ADMIN: "op-admin"})
            assert wrong_method.json()["code"] == "InvalidAction.NotFound"
    finally:
        server.stop()
    assert "op-admin" not in server.log()


# --- Start-up errors -----------------------------------------------------------------


def bad_inputs(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("orgs: [unclosed\n")
    port = str(free_port())
    return {
        "unknown flag": (["serve", "--bogus"], "No such option '--bogus'"),
        "port not a number": (["serve", "--port", "http"], "Invalid value for '--port'"),
        "port out of range": (["serve", "--port", "70000"], "Invalid value for '--port'"),
        "unknown command": (["srve"], "No such command 'srve'"),
        "bad database scheme": (
            ["serve", "--port", port, "--database", "mysql://x/y"],
            "unsupported database URL 'mysql://x/y'",
        ),
        "sqlite URL without a path": (
            ["orgs", "list", "--database", "sqlite:///"],
            "not a sqlite:///PATH database URL",
        ),
        "unreachable postgres": (
            ["serve", "--port", port, "--database", "postgresql://me:hunter2@127.0.0.1:1/db"],
            "cannot use the database postgresql://me:***@127.0.0.1:1/db",
        ),
        "unwritable path": (
            ["orgs", "list", "--database", f"sqlite:///{a_file}/db.sqlite3"],
            "cannot use the database",
        ),
        "public url": (["serve", "--port", port, "--public-url", "example.com"], "--public-url"),
        "unknown host": (["serve", "--host", "no-such-host.invalid"], "cannot listen on"),
        "seed not YAML": (
            ["seed", str(bad_yaml), "--database", f"sqlite:///{tmp_path / 'db'}"],
            f"seed {bad_yaml}:",
        ),
        "seed missing": (["seed", str(tmp_path / "none.yaml")], "does not exist"),
        "unknown app": (
            ["apps", "reset-secret", "nope", "--database", f"sqlite:///{tmp_path / 'db'}"],
            "no app 'nope'",
        ),
        "bad env var": (["serve"], "Invalid value for '--workers'"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "unknown flag",
        "port not a number",
        "port out of range",
        "unknown command",
        "bad database scheme",
        "sqlite URL without a path",
        "unreachable postgres",
        "unwritable path",
        "public url",
        "unknown host",
        "seed not YAML",
        "seed missing",
        "unknown app",
        "bad env var",
    ],
)
def test_every_bad_start_up_input_is_one_error_line(case: str, tmp_path: Path):
    args, expected = bad_inputs(tmp_path)[case]
    env = {"DINGCONF_DATA_DIR": str(tmp_path / "data")}
    if case == "bad env var":
        env["DINGCONF_WORKERS"] = "many"
    line = one_error_line(run_cli(*args, cwd=tmp_path, env=env))
    assert expected in line
    assert "hunter2" not in line


# --- The demo secret -----------------------------------------------------------------


def test_demo_secret_is_printed_last_boxed_and_a_reset_one_is_kept(
    database_url: str, tmp_path: Path
):
    server = DingconfServer(tmp_path, database=database_url, extra_args=("--access-log", "off"))
    server.start()
    try:
        wait_for(lambda: server.log().rstrip().endswith("+"))
        log = server.log().rstrip().splitlines()
        top = max(i for i, line in enumerate(log[:-1]) if line.startswith("+--"))
        notice = log[top:]
        assert all(line.startswith(("|", "+")) for line in notice)
        assert len({len(line) for line in notice}) == 1  # a closed box
        text = "\n".join(notice)
        assert f"dingconf is ready at {server.url}" in text
        assert "The demo secret is set at start, not random" in text
        secret = re.search(r"appKey=demo-app appSecret=(\S+)", text).group(1)
        assert secret == "demo-secret"  # on loopback: the documented one
        token = server.token("demo-app", secret)
        assert server.log().count("appSecret=") == 1  # printed once, only in the box

        reset = run_cli("apps", "reset-secret", "demo-app", "--database", database_url)
        assert reset.returncode == 0, reset.stderr
        new_secret = re.search(r"appSecret=(\S+)", reset.stdout).group(1)
        assert new_secret != secret
        status, _, body = server.request(
            "GET", "/v1.0/conference/videoConferences/6323d7568777190142ab9d10", None, auth(token)
        )
        assert (status, body["code"]) == (400, "InvalidAuthentication")  # old token revoked
        status, _, _ = server.request(
            "POST", "/v1.0/oauth2/accessToken", {"appKey": "demo-app", "appSecret": secret}
        )
        assert status == 400
        assert server.token("demo-app", new_secret)
    finally:
        server.stop()

    again = DingconfServer(tmp_path, database=database_url, extra_args=("--access-log", "off"))
    again.log_path = tmp_path / "again.log"
    again.start()
    try:
        wait_for(lambda: again.log().rstrip().endswith("+"))
    finally:
        again.stop()
    # The secret the user chose is kept, and the start says how to go back.
    assert "appSecret" not in again.log()
    assert (
        "demo-app keeps the secret it was given earlier; for the local demo secret run "
        "dingconf apps reset-secret demo-app --secret demo-secret"
    ) in again.log()
    assert "dingconf apps reset-secret APPKEY --database" in again.log()


# --- Where the data lives; flags and their environment variables ---------------------


def test_default_database_is_in_the_user_data_dir_whatever_the_directory(tmp_path: Path):
    env = {"HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DINGCONF_")}
    assert run_cli("orgs", "add", "dingwhere", cwd=one, env={**clean, **env}).returncode == 0
    listed = run_cli("orgs", "list", cwd=two, env={**clean, **env})
    assert listed.stdout.splitlines()[1:] == ["dingwhere  dingwhere"]
    assert (tmp_path / "xdg" / "dingconf" / "dingconf.sqlite3").exists()
    assert not list(one.iterdir()) and not list(two.iterdir())
    # DINGCONF_DATABASE overrides it.
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    listed = run_cli("orgs", "list", cwd=two, env={**clean, **env, "DINGCONF_DATABASE": other})
    assert (listed.returncode, listed.stdout.split()) == (0, ["corpId", "name"])


def test_serve_without_database_uses_the_data_dir_and_says_so(tmp_path: Path):
    data, port = tmp_path / "data", free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DINGCONF_")}
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "dingconf", "serve", "--port", str(port)],
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**clean, "DINGCONF_DATA_DIR": str(data), "DINGCONF_ACCESS_LOG": "off"},
        )
    try:
        wait_for(lambda: log.read_text().rstrip().endswith("+"), 30)
    finally:
        process.terminate()
        process.wait(10)
    assert f"database sqlite:///{data / 'dingconf.sqlite3'}" in log.read_text()
    assert (data / "dingconf.sqlite3").exists()
    assert not (tmp_path / "data" / "x").exists() and not (tmp_path / "dingconf.sqlite3").exists()


def test_every_flag_shows_its_environment_variable_and_h_works():
    short = run_cli("serve", "-h")
    assert short.returncode == 0
    assert short.stdout == run_cli("serve", "--help").stdout
    text = " ".join(short.stdout.split())
    flags = re.findall(r"^\s+(--[a-z-]+)", short.stdout, re.M)
    assert len(flags) >= 12
    for flag in flags:
        variable = "DINGCONF_" + flag[2:].upper().replace("-", "_")
        assert f"env var: {variable}" in text, flag
    assert run_cli("-h").returncode == 0
    for command in (("seed",), ("orgs", "list"), ("apps", "reset-secret")):
        help_text = run_cli(*command, "-h")
        assert help_text.returncode == 0
        assert "env var: DINGCONF_DATABASE" in " ".join(help_text.stdout.split())


def test_link_credentials_in_paths_are_hidden_from_the_log():
    from dingconf.http.redaction import loggable_path

    login = {"path": "/autoLogin/1e31dc3cf898", "path_params": {"token": "1e31dc3cf898"}}
    assert loggable_path(login) == "/autoLogin/***"
    conference = "/v1.0/conference/videoConferences/6323d7568777190142ab9d10/members"
    params = {"conferenceId": "6323d7568777190142ab9d10"}
    assert loggable_path({"path": conference, "path_params": params}) == conference
    assert loggable_path({"path": "/v1.0/nowhere"}) == "/v1.0/nowhere"
    # A public parameter beside a credential: only the credential is hidden.
    mixed = {"conferenceId": "6323d7568777190142ab9d10", "token": "1e31dc3cf898"}
    path = "/x/6323d7568777190142ab9d10/1e31dc3cf898"
    assert loggable_path({"path": path, "path_params": mixed}) == "/x/6323d7568777190142ab9d10/***"


@pytest.mark.parametrize(
    ("path", "bare"),
    [
        ("/v1.0/conference/videoConferences/6323d7568777190142ab9d10", True),
        ("/v1.0/caf\u00e9", True),  # printable beyond ASCII: still one field
        ("/a b", False),
        ('/a"b', False),
        ("/a=b", False),
        ("/a\\b", False),
        ("/a\nb", False),
        ("/a\u2028b", False),  # whitespace beyond ASCII
        ("/a\x1cb", False),  # a separator the regex counts as whitespace
        ("", False),
    ],
)
def test_a_path_is_written_bare_only_when_it_cannot_read_as_more_fields(path: str, bare: bool):
    """The fast check for printable ASCII paths agrees with the quoting rule's regex."""
    from dingconf.http.observe import _plain

    assert _plain(path) is bare


def test_log_times_follow_the_clock_to_the_millisecond():
    """Times are formatted once per millisecond; each call still reads its own."""
    from dingconf.http.observe import _utc

    start = 1795817116.9985  # 2026-11-27T22:05:16.998Z
    assert _utc(start) == "2026-11-27T22:05:16.998Z"
    assert _utc(start + 0.0003) == "2026-11-27T22:05:16.998Z"
    assert _utc(start + 0.001) == "2026-11-27T22:05:16.999Z"
    assert _utc(start + 0.002) == "2026-11-27T22:05:17.000Z"
    assert _utc(start + 61.0) == "2026-11-27T22:06:17.998Z"
    assert _utc(start) == "2026-11-27T22:05:16.998Z"  # back again: no stale text


@pytest.mark.parametrize(
    ("password", "said", "shown"),
    [
        # A short password is masked where it stands alone, not inside words.
        ("e", "connection failed for password e", "connection failed for password ***"),
        ("e", "user=me password=e", "user=me password=***"),
        # A long one wherever it is, as in the URL or decoded.
        ("hunter2-long", "bad conninfo xhunter2-longx", "bad conninfo x***x"),
        ("p%40ssw0rd-long", "p@ssw0rd-long refused", "*** refused"),
    ],
)
def test_a_database_password_is_masked_without_garbling_the_message(password, said, shown):
    url = f"postgresql://me:{password}@127.0.0.1:1/db"
    assert describe_failure(OSError(said), url) == (
        f"cannot use the database postgresql://me:***@127.0.0.1:1/db: {shown}"
    )
