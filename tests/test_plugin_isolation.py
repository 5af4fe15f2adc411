"""The plugin's fixtures used the way a user would: a test file of their own, run by pytest."""

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

USER_TESTS = """
import json
import os
import time

from alibabacloud_dingtalk.conference_1_0 import models
from alibabacloud_tea_util.models import RuntimeOptions

REPORT = {report!r}


def create(org, title):
    return org.client.create_video_conference_with_options(
        models.CreateVideoConferenceRequest(user_id="u-host", conf_title=title),
        models.CreateVideoConferenceHeaders(x_acs_dingtalk_access_token=org.token),
        RuntimeOptions(),
    ).body.conference_id


def listed(org):
    body = org.client.query_org_conference_list_with_options(
        models.QueryOrgConferenceListRequest(max_results=50),
        models.QueryOrgConferenceListHeaders(x_acs_dingtalk_access_token=org.token),
        RuntimeOptions(),
    ).body
    return [c.conference_id for c in body.on_going_conf_list or []]


def meet(name):
    # Under xdist: wait until the other test has made its meetings too.
    with open(REPORT + "." + name, "w"):
        pass
    other = REPORT + "." + ("second" if name == "first" else "first")
    deadline = time.monotonic() + 60
    while not os.path.exists(other):
        assert time.monotonic() < deadline, "the other test never made its meetings"
        time.sleep(0.05)


def check(org, name):
    start = time.monotonic()
    mine = [create(org, name), create(org, name + " again")]
    if os.environ.get("PYTEST_XDIST_WORKER"):
        meet(name)  # each lists once the other's meetings exist
    assert sorted(listed(org)) == sorted(mine)
    line = {{
        "test": name,
        "worker": os.environ.get("PYTEST_XDIST_WORKER", "main"),
        "server": org.server.url,
        "corp": org.corp_id,
        "start": start,
        "end": time.monotonic(),
    }}
    with open(REPORT, "a") as f:
        f.write(json.dumps(line) + "\\n")


def test_first(dingconf_org):
    check(dingconf_org, "first")


def test_second(dingconf_org):
    check(dingconf_org, "second")
"""


def _run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *args: str
) -> list[dict[str, object]]:
    # The user's run starts clean, as theirs would: not as a worker of this
    # suite's own xdist run (its variables would make it look like one).
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID"):
        monkeypatch.delenv(name, raising=False)
    report = pytester.path / "report.jsonl"
    pytester.makepyfile(test_user=USER_TESTS.format(report=str(report)))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=120)
    result.assert_outcomes(passed=2)
    return [json.loads(line) for line in report.read_text().splitlines()]


def test_two_tests_in_parallel_share_one_server_in_separate_orgs(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
):
    first, second = sorted(_run(pytester, monkeypatch, "-n", "2"), key=lambda r: str(r["test"]))
    assert first["worker"] != second["worker"]
    assert first["server"] == second["server"]
    assert first["corp"] != second["corp"]
    # They overlapped in time: each one listed after the other had created.
    assert float(first["start"]) < float(second["end"])  # type: ignore[arg-type]
    assert float(second["start"]) < float(first["end"])  # type: ignore[arg-type]
    # The last worker stopped the shared server and cleared its record.
    assert not list(Path(pytester.path).glob("**/dingconf-shared.json"))
    assert list(Path(pytester.path).glob("**/dingconf-shared.lock"))
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{first['server']}/_dingconf/health", timeout=2)


def test_without_xdist_each_test_still_has_its_own_org(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
):
    first, second = _run(pytester, monkeypatch)
    assert first["server"] == second["server"] and first["corp"] != second["corp"]
