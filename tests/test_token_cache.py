"""Token lookups are cached in every server process; changes must still apply at once."""

import subprocess
import sys
from pathlib import Path

import yaml

from dingconf.testing.plugin import DingconfServer
from over_http import new_meeting, suite_token

from conftest import SEED

QUERY = "/v1.0/conference/videoConferences/{}"


def cli(server: DingconfServer, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "dingconf", *args, "--database", server.database],
        check=True,
        capture_output=True,
        timeout=60,
    )


def grant_only(server: DingconfServer, scope: str) -> None:
    """Give acme-app just this scope, from another process."""
    cli(server, "apps", "add", "dingacme", "acme-app", "--secret", "acme-secret", "--scope", scope)


def status_of(server: DingconfServer, token: str, cid: str) -> tuple[int, str | None]:
    status, _, body = server.request(
        "GET", QUERY.format(cid), headers={"x-acs-dingtalk-access-token": token}
    )
    return status, body.get("code")


def test_changes_from_another_process_apply_to_every_worker_at_once(
    tmp_path: Path, database_url: str
):
    # Two worker processes, each with its own cache; 20 calls reach both.
    server = DingconfServer(
        tmp_path, seed=SEED, database=database_url, extra_args=("--workers", "2")
    ).start()
    try:
        token = server.token("acme-app", "acme-secret")
        cid = new_meeting(server, token)
        assert {status_of(server, token, cid) for _ in range(20)} == {(200, None)}

        grant_only(server, "VideoConference.Conference.Write")
        assert {status_of(server, token, cid) for _ in range(20)} == {
            (403, "Forbidden.AccessDenied.AccessTokenPermissionDenied")
        }
        grant_only(server, "VideoConference.Conference.Read")
        assert {status_of(server, token, cid) for _ in range(20)} == {(200, None)}

        cli(server, "apps", "revoke-tokens", "acme-app")
        assert {status_of(server, token, cid) for _ in range(20)} == {
            (400, "InvalidAuthentication")
        }
    finally:
        server.stop()


def test_a_changed_secret_revokes_cached_tokens(fresh_server: DingconfServer):
    token = fresh_server.token("acme-app", "acme-secret")
    cid = new_meeting(fresh_server, token)
    assert status_of(fresh_server, token, cid) == (200, None)
    cli(fresh_server, "apps", "add", "dingacme", "acme-app", "--secret", "rotated")
    assert status_of(fresh_server, token, cid) == (400, "InvalidAuthentication")
    assert status_of(fresh_server, fresh_server.token("acme-app", "rotated"), cid) == (200, None)


def test_withdrawn_suite_authorisation_stops_cached_corp_tokens(fresh_server: DingconfServer):
    app_token = fresh_server.token("acme-app", "acme-secret")
    cid = new_meeting(fresh_server, app_token)
    corp_token = suite_token(fresh_server)
    assert status_of(fresh_server, corp_token, cid) == (200, None)
    seed = {**SEED, "suites": [{**SEED["suites"][0], "authorizedCorps": []}]}
    seed_file = fresh_server.workdir / "withdrawn.yaml"
    seed_file.write_text(yaml.safe_dump(seed))
    cli(fresh_server, "seed", str(seed_file))
    assert status_of(fresh_server, corp_token, cid) == (400, "InvalidAuthentication")


def test_cached_token_still_expires_on_time(fresh_server: DingconfServer):
    token = fresh_server.token("acme-app", "acme-secret")
    cid = new_meeting(fresh_server, token)
    for _ in range(5):
        assert status_of(fresh_server, token, cid) == (200, None)
    fresh_server.clock.advance(7200 * 1000)
    assert status_of(fresh_server, token, cid) == (400, "InvalidAuthentication")
