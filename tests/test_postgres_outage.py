"""PostgreSQL restarts under load: fast JSON errors meanwhile, then service resumes by itself."""

import threading
import time
from pathlib import Path

import httpx
import pytest

from dingconf.testing.plugin import DingconfServer
from over_http import participants

from backends import PostgresCluster, throwaway_cluster
from conftest import SEED

# A PostgreSQL cluster of its own throughout (make test-sqlite leaves it out).
pytestmark = pytest.mark.postgres

TOKEN_HEADER = "x-acs-dingtalk-access-token"


@pytest.fixture
def private_cluster():
    """A cluster of this test's own: it is stopped and started under the server."""
    with throwaway_cluster() as cluster:
        yield cluster


def test_restart_under_load_loses_no_acknowledged_write(
    private_cluster: PostgresCluster, tmp_path: Path
):
    server = DingconfServer(tmp_path, seed=SEED, database=private_cluster.new_database()).start()
    try:
        token = server.token("acme-app", "acme-secret")
        with httpx.Client(base_url=server.url, timeout=30) as http:
            created = http.post(
                "/v1.0/conference/videoConferences",
                json={"userId": "u-host", "confTitle": "outage"},
                headers={TOKEN_HEADER: token},
            ).json()
        cid = created["conferenceId"]
        acknowledged: set[str] = set()
        failures: list[tuple[float, int, dict]] = []
        successes_at: list[float] = []
        lock = threading.Lock()
        stop = threading.Event()

        def load(worker: int) -> None:
            n = 0
            with httpx.Client(base_url=server.url, timeout=30) as http:
                while not stop.is_set():
                    who = f"w{worker}-{n}"
                    n += 1
                    started = time.monotonic()
                    resp = http.post(f"/_dingconf/conferences/{cid}/join", json={"unionId": who})
                    took = time.monotonic() - started
                    with lock:
                        if resp.status_code == 200:
                            acknowledged.add(who)
                            successes_at.append(time.monotonic())
                        else:
                            failures.append((took, resp.status_code, resp.json()))
                    time.sleep(0.01)

        threads = [threading.Thread(target=load, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        private_cluster.stop("fast")
        time.sleep(3.0)
        private_cluster.start()
        back_at = time.monotonic()
        time.sleep(8.0)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

        # During the outage: DingTalk-style JSON, quickly.
        assert failures, "the outage produced no failed request"
        for took, status, body in failures:
            assert (status, body["code"], body["message"]) == (500, "systemError", "SYSTEM ERROR")
            assert took < 6.0, f"a request hung for {took:.1f}s"
        # Service resumes within seconds of the database returning.
        resumed = [t for t in successes_at if t > back_at]
        assert resumed and resumed[0] - back_at < 5.0
        assert len(resumed) > 50

        # No acknowledged write was lost, and the counters agree with the rows.
        # Those who joined; the host was only rung at creation (inviteCaller).
        stored = {p["unionId"] for p in participants(server, cid) if p["attendStatus"] == 3}
        assert acknowledged <= stored
        _, _, info = server.request(
            "GET", f"/v1.0/conference/videoConferences/{cid}", headers={TOKEN_HEADER: token}
        )
        assert info["confInfo"]["attendNum"] == info["confInfo"]["activeNum"] == len(stored)
        print(
            f"{len(failures)} failed, {len(acknowledged)} acknowledged, "
            f"first success {resumed[0] - back_at:.2f}s after the database returned"
        )
    finally:
        server.stop()
    # Each failure was logged under the request id its client saw.
    assert all(body["requestid"] in server.log() for _, _, body in failures)
