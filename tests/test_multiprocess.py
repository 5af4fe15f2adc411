"""Several dingconf processes share one database: no lost or double-counted updates."""

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dingconf.testing.plugin import DingconfServer
from over_http import TOKEN_HEADER, conf_info, new_meeting

from conftest import SEED, processes_on


def test_three_processes_racing_on_one_meeting_keep_exact_counts(database_url: str, tmp_path: Path):
    with processes_on(database_url, tmp_path, 3) as servers:
        token = servers[0].token("acme-app", "acme-secret")
        cid = new_meeting(servers[1], token, "race")
        barrier = threading.Barrier(12)

        def person(i: int) -> None:
            # Each person's steps are ordered, but go through different processes,
            # and everyone runs at once.
            who = f"racer-{i}"
            barrier.wait() if i < 12 else None
            servers[i % 3].participants.join(cid, who)
            servers[(i + 1) % 3].participants.leave(cid, who)
            if i % 2 == 0:
                servers[(i + 2) % 3].participants.join(cid, who)

        def same_person_everywhere(i: int) -> None:
            # One person's client joins through all three processes at the same moment.
            start = threading.Barrier(3)

            def one(server: DingconfServer) -> None:
                start.wait()
                server.participants.join(cid, f"twin-{i}")

            with ThreadPoolExecutor(3) as pool:
                list(pool.map(one, servers))

        with ThreadPoolExecutor(12) as pool:
            list(pool.map(person, range(60)))
            list(pool.map(same_person_everywhere, range(10)))

        for server in servers:
            info = conf_info(server, token, cid)
            # 30 racers ended inside, 30 outside; 10 twins inside, each counted once.
            assert (info["activeNum"], info["attendNum"]) == (40, 70)
        _, _, body = servers[2].request("GET", f"/_dingconf/conferences/{cid}/participants")
        # The 70 who joined; the host, rung at creation, never joined.
        members = body["participants"]
        assert len(members) == 70
        assert sum(1 for m in members if m["attendStatus"] == 3) == 40


def test_a_polling_process_sees_every_change_another_process_makes(
    database_url: str, tmp_path: Path
):
    # Each process keeps the meetings it has read until the database changes;
    # a poller on one process must still see every change made on another.
    poller, writer = (
        DingconfServer(tmp_path / name, seed=SEED if name == "a" else None, database=database_url)
        for name in ("a", "b")
    )
    for server in (poller, writer):
        server.workdir.mkdir()
        server.start()
    try:
        token = poller.token("acme-app", "acme-secret")
        cid = new_meeting(writer, token, "polled")

        def info() -> dict[str, object]:
            return conf_info(poller, token, cid)

        assert (info()["activeNum"], info()["status"]) == (0, 2)
        for n in range(1, 11):
            writer.participants.join(cid, f"polled-{n}")
            assert [info()["activeNum"] for _ in range(3)] == [n] * 3
        writer.participants.leave(cid, "polled-1")
        assert (info()["activeNum"], info()["attendNum"]) == (9, 10)
        status, _, _ = writer.request(
            "DELETE",
            f"/v1.0/conference/videoConferences/{cid}?unionId=u-host",
            headers={TOKEN_HEADER: token},
        )
        assert status == 200
        ended = info()
        assert (ended["status"], ended["activeNum"]) == (1, 0) and "endTime" in ended
    finally:
        for server in (poller, writer):
            server.stop()


def test_servers_starting_together_apply_migrations_once(database_url: str, tmp_path: Path):
    servers = [DingconfServer(tmp_path / f"s{i}", database=database_url) for i in range(3)]
    threads = []
    for i, server in enumerate(servers):
        (tmp_path / f"s{i}").mkdir()
        threads.append(threading.Thread(target=server.start))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        for server in servers:
            status, _, _ = server.request("GET", "/_dingconf/health")
            assert status == 200
        # Exactly one of them created the demo organisation.
        assert sum(server.log().count("created demo organisation") for server in servers) == 1
    finally:
        for server in servers:
            server.stop()
