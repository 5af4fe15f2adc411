"""The demo app's local credentials: ``demo-app`` / ``demo-secret`` on a server bound
to loopback, with nothing copied; refused on one reachable from elsewhere unless set."""

import re
import time
import urllib.request
from pathlib import Path

from alibabacloud_dingtalk.conference_1_0 import models as conf_models
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient
from alibabacloud_dingtalk.oauth2_1_0 import models as oauth_models
from alibabacloud_dingtalk.oauth2_1_0.client import Client as OAuthClient
from alibabacloud_tea_util import models as util_models

from dingconf.cli.jobs import run
from dingconf.cli.serve import _start_state
from dingconf.core.config import Secret, Settings
from dingconf.testing.plugin import DingconfServer
from in_process_server import InProcessServer

from conftest import sdk_config
from sdk_errors import assert_sdk_error

_TOKEN = "/v1.0/oauth2/accessToken"
_OPEN = "/v1.0/gateway/connections/open"
_DEMO = {"appKey": "demo-app", "appSecret": "demo-secret"}


def test_a_fresh_loopback_server_takes_the_documented_credentials_through_the_sdk(
    database_url: str, tmp_path: Path
):
    with InProcessServer(tmp_path, database=database_url) as server:
        token = (
            OAuthClient(sdk_config(server))
            .get_access_token(
                oauth_models.GetAccessTokenRequest(app_key="demo-app", app_secret="demo-secret")
            )
            .body.access_token
        )
        headers = conf_models.CreateVideoConferenceHeaders(x_acs_dingtalk_access_token=token)
        created = ConferenceClient(sdk_config(server)).create_video_conference_with_options(
            conf_models.CreateVideoConferenceRequest(user_id="demo-alice", conf_title="Hello"),
            headers,
            util_models.RuntimeOptions(),
        )
        assert created.body.conference_id


def test_a_fresh_loopback_server_takes_them_over_plain_http(tmp_path: Path):
    with InProcessServer(tmp_path) as server:
        status, _, body = server.request("POST", _TOKEN, _DEMO)
    assert status == 200, body
    assert len(body["accessToken"]) == 32


def test_a_server_bound_beyond_loopback_refuses_the_well_known_secret_a_database_holds(
    tmp_path: Path,
):
    database = f"sqlite:///{tmp_path / 'db'}"
    # A loopback run stored the well-known secret; the next run listens on every address.
    with InProcessServer(tmp_path, database=database) as local:
        assert local.request("POST", _TOKEN, _DEMO)[0] == 200
    with InProcessServer(tmp_path, database=database, host="0.0.0.0") as exposed:
        status, _, body = exposed.request("POST", _TOKEN, _DEMO)
        assert (status, body["code"]) == (400, "invalidClientIdOrSecret")
        assert_sdk_error(
            lambda: OAuthClient(sdk_config(exposed)).get_access_token(
                oauth_models.GetAccessTokenRequest(app_key="demo-app", app_secret="demo-secret")
            ),
            400,
            "invalidClientIdOrSecret",
        )


def test_beyond_loopback_a_stream_connection_with_it_is_refused_too(tmp_path: Path):
    database = f"sqlite:///{tmp_path / 'db'}"
    opening = {"clientId": "demo-app", "clientSecret": "demo-secret", "subscriptions": []}
    with InProcessServer(tmp_path, database=database) as local:
        assert local.request("POST", _OPEN, opening)[0] == 200
    with InProcessServer(tmp_path, database=database, host="0.0.0.0") as exposed:
        status, _, body = exposed.request("POST", _OPEN, opening)
    assert (status, body["code"]) == (400, "invalidClientIdOrSecret")


def test_beyond_loopback_a_suite_presenting_it_is_refused_too(tmp_path: Path):
    suite = {"suiteKey": "s", "suiteSecret": "demo-secret", "authorizedCorps": ["dingx"]}
    seed = {"orgs": [{"corpId": "dingx"}], "suites": [suite]}
    body = {"suiteKey": "s", "suiteSecret": "demo-secret", "authCorpId": "dingx"}
    body["suiteTicket"] = "any"
    with InProcessServer(tmp_path, seed=seed) as local:
        assert local.request("POST", "/v1.0/oauth2/corpAccessToken", body)[0] == 200
    database = local.database
    with InProcessServer(tmp_path, seed=seed, database=database, host="0.0.0.0") as exposed:
        status, _, reply = exposed.request("POST", "/v1.0/oauth2/corpAccessToken", body)
    assert (status, reply["code"]) == (400, "invalidSuiteKey")


def test_set_explicitly_the_well_known_secret_is_taken_on_any_address(tmp_path: Path):
    explicit = Secret("demo-secret")
    with InProcessServer(tmp_path, host="0.0.0.0", demo_secret=explicit) as server:
        assert server.request("POST", _TOKEN, _DEMO)[0] == 200


def test_a_demo_app_given_another_secret_earlier_keeps_it_until_told(tmp_path: Path):
    database = f"sqlite:///{tmp_path / 'db'}"
    # An earlier start (here: one beyond loopback) gave the demo app a random secret.
    InProcessServer(tmp_path, database=database, host="0.0.0.0").start().stop()
    with InProcessServer(tmp_path, database=database) as kept:
        status, _, body = kept.request("POST", _TOKEN, _DEMO)
        assert (status, body["code"]) == (400, "invalidClientIdOrSecret")
    # Set explicitly, the local secret replaces it.
    told = InProcessServer(tmp_path, database=database, demo_secret=Secret("demo-secret"))
    with told:
        assert told.request("POST", _TOKEN, _DEMO)[0] == 200
    with InProcessServer(tmp_path, database=database) as later:
        assert later.request("POST", _TOKEN, _DEMO)[0] == 200


def _wait_for_notice(server: DingconfServer) -> str:
    deadline = time.monotonic() + 30
    while not server.log().rstrip().endswith("+") and time.monotonic() < deadline:
        time.sleep(0.05)  # the notice comes once the server answers
    return server.log()


def test_serve_on_every_address_says_so_and_refuses_the_well_known_secret(tmp_path: Path):
    server = DingconfServer(tmp_path, extra_args=("--host", "0.0.0.0", "--access-log", "off"))
    server.start()
    try:
        log = _wait_for_notice(server)
        status, _, body = server.request("POST", _TOKEN, _DEMO)
        assert (status, body["code"]) == (400, "invalidClientIdOrSecret")
        # The demo app got a random secret, shown once; it works.
        secret = re.search(r"appKey=demo-app appSecret=(\S+)", log).group(1)
        assert secret != "demo-secret"
        assert server.token("demo-app", secret)
    finally:
        server.stop()
    notes = [line for line in log.splitlines() if "'demo-secret' is refused" in line]
    assert notes == [
        "note: not bound to loopback, so the well-known secret 'demo-secret' is refused "
        "(--demo-secret sets the demo app's own)"
    ]


def test_a_secret_the_user_chose_is_taken_but_never_printed_or_shown(tmp_path: Path):
    database = f"sqlite:///{tmp_path / 'db'}"
    chosen = Settings(database=database, demo_secret=Secret("my-own-secret"))
    for _start in range(2):  # creating the demo, then finding it
        lines = run(chosen, lambda s: _start_state(s, None, None, chosen))
        assert "appKey=demo-app appSecret=(set by --demo-secret)" in lines
        assert not any("my-own-secret" in line for line in lines)
    chosen_secret = Secret("my-own-secret")
    with InProcessServer(tmp_path, database=database, demo_secret=chosen_secret) as server:
        mine = {"appKey": "demo-app", "appSecret": "my-own-secret"}
        assert server.request("POST", _TOKEN, mine)[0] == 200
        with urllib.request.urlopen(f"{server.url}/", timeout=30) as page:
            assert b"my-own-secret" not in page.read()
