"""The dingconf command: provisioning sub-commands, seeds, and the demo on first start."""

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import yaml
from click.testing import CliRunner

from dingconf.cli import main
from dingconf.testing.plugin import DingconfServer

from backends import table_rows
from conftest import SEED


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dingconf", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def dingconf(*args: str, cwd: Path) -> str:
    """Run a command that must succeed; return what it printed."""
    result = run_cli(*args, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return result.stdout


def dingconf_fails(*args: str) -> str:
    """Run a command that must fail with a usage error; return its error output."""
    result = run_cli(*args)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    return result.stderr


def cli(*args: str, code: int = 0) -> str:
    """Run a command in this process; return what it printed (stdout, or stderr on failure)."""
    result = CliRunner().invoke(main, args)
    assert result.exit_code == code, (result.output, result.exception)
    return result.stdout if code == 0 else result.stderr


def table(printed: str) -> list[list[str]]:
    """A printed table's rows, header first, each cell where its header's column starts."""
    header, *rows = printed.splitlines()
    starts = [m.start() for m in re.finditer(r"\S+", header)]
    ends = [*starts[1:], None]
    cells = [[line[a:b].strip() for a, b in zip(starts, ends, strict=True)] for line in rows]
    for line in rows:  # every cell starts at its header's column, after a blank
        assert all(line[a - 1 : a] in ("", " ") and line[a : a + 1] != " " for a in starts[1:])
    return [header.split(), *cells]


def test_every_listing_has_a_header_row(fresh_server: DingconfServer):
    url = ("--database", fresh_server.database)
    assert table(cli("orgs", "list", *url)) == [
        ["corpId", "name"],
        ["dingacme", "Acme"],
        ["dingglobex", "Globex"],
    ]
    users = table(cli("users", "list", "dingacme", *url))
    assert users[0] == ["unionId", "nick"]
    assert ["u-host", "Hana Host"] in users[1:] and len(users) == 6
    read, write = "VideoConference.Conference.Read", "VideoConference.Conference.Write"
    assert table(cli("apps", "list", "dingacme", *url)) == [
        ["appKey", "scopes"],
        ["acme-app", f"{read} {write}"],
        ["acme-reader", read],
        ["acme-writer", write],
    ]
    token = fresh_server.token("acme-app", "acme-secret")
    status, _, made = fresh_server.request(
        "POST",
        "/v1.0/conference/videoConferences",
        {"userId": "u-host", "confTitle": "Listed"},
        {"x-acs-dingtalk-access-token": token},
    )
    assert status == 200, made
    header, *events = table(cli("events", "acme-app", *url))
    assert header == [
        *("eventId", "eventType", "conferenceId", "statusSeqNum"),
        *("state", "attempts", "lastError"),
    ]
    assert events and {row[2] for row in events} == {made["conferenceId"]}
    # An empty listing is its header alone.
    assert table(cli("events", "globex-app", *url)) == [header]


def test_users_and_apps_list_take_the_only_organisation(database_url: str):
    url = ("--database", database_url)
    for listing in (("users", "list"), ("apps", "list")):
        assert cli(*listing, *url, code=1) == (
            "Error: no organisation yet: add one with `dingconf orgs add CORP_ID`\n"
        )
    cli("orgs", "add", "dingone", *url)
    cli("users", "add", "dingone", "u-1", "--nick", "One", *url)
    cli("apps", "add", "dingone", "one-app", "--secret", "s", *url)
    for listing in (("users", "list"), ("apps", "list")):
        assert cli(*listing, *url) == cli(*listing, "dingone", *url)
    assert table(cli("users", "list", *url)) == [["unionId", "nick"], ["u-1", "One"]]
    assert table(cli("apps", "list", *url))[1][0] == "one-app"
    # With several, the CORP_ID is needed, and the error names them.
    cli("orgs", "add", "dingtwo", *url)
    for listing in (("users", "list"), ("apps", "list")):
        assert cli(*listing, *url, code=1) == (
            "Error: 2 organisations (dingone, dingtwo): give one as CORP_ID\n"
        )
    assert table(cli("users", "list", "dingtwo", *url)) == [["unionId", "nick"]]


def test_seed_twice_changes_nothing(database_url: str, tmp_path: Path):
    seed = tmp_path / "seed.yaml"
    seed.write_text(yaml.safe_dump(SEED))
    out = dingconf("seed", str(seed), "--database", database_url, cwd=tmp_path)
    assert "2 orgs, 6 users, 4 apps, 1 suites" in out
    first = table_rows(database_url)
    assert any(table == "apps" and "acme-app" in row for table, row in first)
    dingconf("seed", str(seed), "--database", database_url, cwd=tmp_path)
    assert table_rows(database_url) == first


def test_provisioning_commands(database_url: str, tmp_path: Path):
    url = ("--database", database_url)
    dingconf("orgs", "add", "dingnew", "--name", "New Co", *url, cwd=tmp_path)
    dingconf("users", "add", "dingnew", "u-1", "--nick", "One", *url, cwd=tmp_path)
    out = dingconf(
        "apps",
        "add",
        "dingnew",
        "new-app",
        "--scope",
        "VideoConference.Conference.Read",
        *url,
        cwd=tmp_path,
    )
    secret = re.search(r"appSecret=(\S+)", out).group(1)
    assert table(dingconf("orgs", "list", *url, cwd=tmp_path))[1:] == [["dingnew", "New Co"]]
    assert table(dingconf("users", "list", "dingnew", *url, cwd=tmp_path))[1:] == [["u-1", "One"]]
    assert table(dingconf("apps", "list", "dingnew", *url, cwd=tmp_path))[1:] == [
        ["new-app", "VideoConference.Conference.Read"]
    ]

    server = DingconfServer(tmp_path, database=url[1]).start()
    try:
        token = server.token("new-app", secret)
        status, _, body = server.request(
            "POST",
            "/v1.0/conference/videoConferences",
            {"userId": "u-1", "confTitle": "t"},
            {"x-acs-dingtalk-access-token": token},
        )
        assert (status, body["code"]) == (403, "Forbidden.AccessDenied.AccessTokenPermissionDenied")
        # Granting Write takes effect on the live token at once.
        grant = ("--scope", "VideoConference.Conference.Read")
        grant += ("--scope", "VideoConference.Conference.Write")
        dingconf("apps", "add", "dingnew", "new-app", *grant, *url, cwd=tmp_path)
        status, _, body = server.request(
            "POST",
            "/v1.0/conference/videoConferences",
            {"userId": "u-1", "confTitle": "t"},
            {"x-acs-dingtalk-access-token": token},
        )
        assert status == 200, body
        assert "revoked 1 tokens" in dingconf(
            "apps", "revoke-tokens", "new-app", *url, cwd=tmp_path
        )
        status, _, body = server.request(
            "GET",
            f"/v1.0/conference/videoConferences/{body['conferenceId']}",
            headers={"x-acs-dingtalk-access-token": token},
        )
        assert (status, body["code"]) == (400, "InvalidAuthentication")
    finally:
        server.stop()


def test_users_need_an_existing_org(tmp_path: Path):
    database = f"sqlite:///{tmp_path / 'db'}"
    error = dingconf_fails("users", "add", "dingnone", "u", "--database", database)
    assert "no organisation 'dingnone'" in error


def test_bad_seed_is_reported_clearly(tmp_path: Path):
    seed = tmp_path / "seed.json"
    seed.write_text('{"orgs": [{"corpId": "dingx", "apps": [{"appKey": "k"}]}]}')
    error = dingconf_fails("seed", str(seed), "--database", f"sqlite:///{tmp_path / 'db'}")
    assert "orgs[0].apps[0]: 'appSecret' must be a non-empty string" in error


def test_first_start_creates_a_demo_org_with_the_documented_credentials(
    database_url: str, tmp_path: Path
):
    server = DingconfServer(tmp_path, database=database_url).start()
    try:
        # The credentials are printed once the server answers, a moment after start().
        deadline = time.monotonic() + 15
        while "appSecret=" not in server.log() and time.monotonic() < deadline:
            time.sleep(0.05)
        match = re.search(r"appKey=(\S+) appSecret=(\S+)", server.log())
        assert match, server.log()
        assert match.groups() == ("demo-app", "demo-secret")  # loopback: the documented ones
        token = server.token(match.group(1), match.group(2))
        status, _, _ = server.request(
            "POST",
            "/v1.0/conference/videoConferences",
            {"userId": "demo-alice", "confTitle": "Demo"},
            {"x-acs-dingtalk-access-token": token},
        )
        assert status == 200
    finally:
        server.stop()
    # A second start finds the org, and the demo app still answers to the same secret.
    again = DingconfServer(tmp_path, database=server.database).start()
    try:
        assert again.token("demo-app", "demo-secret")
    finally:
        again.stop()


def test_apps_add_on_an_existing_app_keeps_its_secret_and_says_what_changed(tmp_path: Path):
    url = ("--database", f"sqlite:///{tmp_path / 'db'}")
    dingconf("orgs", "add", "dingnew", *url, cwd=tmp_path)
    created = dingconf("apps", "add", "dingnew", "new-app", *url, cwd=tmp_path)
    secret = re.search(r"appSecret=(\S+)", created).group(1)
    server = DingconfServer(tmp_path, database=url[1]).start()
    try:
        token = server.token("new-app", secret)
        read = "VideoConference.Conference.Read"
        out = dingconf("apps", "add", "dingnew", "new-app", "--scope", read, *url, cwd=tmp_path)
        assert out.splitlines() == [
            f"app new-app in dingnew updated, scopes {read}",
            "secret kept; its tokens stay valid",
        ]
        assert server.token("new-app", secret)  # the secret still works
        status, _, body = server.request(
            "GET",
            "/v1.0/conference/videoConferences/" + "0" * 24,
            headers={"x-acs-dingtalk-access-token": token},
        )
        assert (status, body["code"]) != (400, "InvalidAuthentication")  # the token still works
        # Another secret, said out loud: the app's tokens are revoked.
        out = dingconf("apps", "add", "dingnew", "new-app", "--secret", "s2", *url, cwd=tmp_path)
        assert out.splitlines()[1] == "secret replaced; its 1 tokens revoked"
    finally:
        server.stop()


def test_serve_import_on_a_fresh_database_makes_no_demo(tmp_path: Path):
    document = tmp_path / "state.json"
    document.write_text(
        json.dumps({"format": "dingconf-state", "version": 1, "orgs": [], "suites": []})
    )
    database = f"sqlite:///{tmp_path / 'db'}"
    server = DingconfServer(tmp_path, database=database, extra_args=("--import", str(document)))
    server.start()
    deadline = time.monotonic() + 15
    while "is ready at" not in server.log() and time.monotonic() < deadline:
        time.sleep(0.05)  # the notice, which would carry a demo secret, comes last
    server.stop()
    assert "is ready at" in server.log()
    assert "appSecret=" not in server.log()
    assert table(dingconf("orgs", "list", "--database", database, cwd=tmp_path)) == [
        ["corpId", "name"]
    ]


def test_an_admin_token_file_that_is_not_text_is_one_line(tmp_path: Path):
    token_file = tmp_path / "admin-token"
    token_file.write_bytes(b"\xff\xfe-not-utf-8\n")
    result = run_cli(
        "serve",
        "--admin-token-file",
        str(token_file),
        "--database",
        f"sqlite:///{tmp_path / 'db'}",
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: {token_file} holds no UTF-8 text (see ")
