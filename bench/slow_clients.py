"""Slow clients: does one client's trickle starve everyone else?

    make bench-slow       # or: .venv/bin/python bench/slow_clients.py [--slow 1100] [--seconds 20]

Starts dingconf on 127.0.0.1 with its default limits, then runs a normal
client (sequential QueryConferenceInfo calls, each allowed 2 s, in a process
of its own) twice in the same run: alone (the baseline), and while ``--slow``
attackers hold connections open, shared out by ``--mix``: sending their
headers a byte a second, sending a body a byte a second, or going quiet on a
keep-alive connection after one request; each reopens when cut off. It
prints the normal client's success rate and latency in both phases and
exits non-zero if fewer than 90 % of its requests succeed under attack.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx

from dingconf.testing.plugin import DingconfServer

SEED = {
    "orgs": [
        {
            "corpId": "dingslow",
            "users": [{"unionId": "u-host", "nick": "Host"}],
            "apps": [{"appKey": "slow-app", "appSecret": "slow-secret"}],
        }
    ]
}
TOKEN_HEADER = "x-acs-dingtalk-access-token"
KINDS = ["headers", "body", "idle"]


async def normal_client(url: str, path: str, token: str, seconds: float) -> tuple[int, int, list]:
    """Sequential requests for ``seconds``: (succeeded, sent, latencies in ms)."""
    ok = sent = 0
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            sent += 1
            started = time.monotonic()
            try:
                resp = await client.get(path, headers={TOKEN_HEADER: token})
                if resp.status_code == 200:
                    ok += 1
                    latencies.append((time.monotonic() - started) * 1000)
            except httpx.HTTPError:
                await asyncio.sleep(0.05)
    return ok, sent, latencies


def run_normal_client(url: str, path: str, token: str, seconds: float) -> tuple[int, int, list]:
    """:func:`normal_client` in a process of its own."""
    return asyncio.run(normal_client(url, path, token, seconds))


async def answered_within_a_second(reader: asyncio.StreamReader) -> bool:
    """Wait a second; True if the server answered or closed the connection meanwhile."""
    try:
        await asyncio.wait_for(reader.read(1), timeout=1)
    except TimeoutError:
        return False
    return True


async def attacker(port: int, kind: int, stop: asyncio.Event) -> None:
    """One slow connection, reopened whenever the server answers or closes it."""
    head = f"POST /v1.0/conference/videoConferences HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.5)
            continue
        try:
            if kind == 0:  # headers, a byte a second
                trickle = [bytes([b]) for b in head.encode()]
            elif kind == 1:  # a whole header, then a body a byte a second
                writer.write(f"{head}content-length: 100000\r\n\r\n".encode())
                trickle = [b" "] * 100_000
            else:  # one request, then an idle keep-alive connection
                writer.write(b"GET /_dingconf/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                await writer.drain()
                await reader.read(4096)
                trickle = [b""] * 100_000
            for piece in trickle:
                if stop.is_set():
                    break
                writer.write(piece)
                await writer.drain()
                if await answered_within_a_second(reader):
                    break
        except (OSError, ConnectionError):
            pass
        finally:
            writer.close()


def report(name: str, ok: int, sent: int, latencies: list[float]) -> float:
    rate = ok / sent if sent else 0.0
    p50 = statistics.median(latencies) if latencies else float("nan")
    p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) > 100 else float("nan")
    print(f"{name:<28} {ok:>6}/{sent:<6} ok  {rate:6.1%}   p50 {p50:7.2f} ms   p99 {p99:7.2f} ms")
    return rate


async def run(slow: int, seconds: float, kinds: list[int]) -> float:
    with tempfile.TemporaryDirectory(prefix="dingconf-slow-") as tmp:
        server = DingconfServer(Path(tmp), seed=SEED).start()
        try:
            token = server.token("slow-app", "slow-secret")
            _, _, body = server.request(
                "POST",
                "/v1.0/conference/videoConferences",
                {"userId": "u-host", "confTitle": "slow"},
                {TOKEN_HEADER: token},
            )
            path = f"/v1.0/conference/videoConferences/{body['conferenceId']}"
            with ProcessPoolExecutor(1) as pool:
                alone = await asyncio.get_running_loop().run_in_executor(
                    pool, run_normal_client, server.url, path, token, seconds
                )
            report("alone (baseline)", *alone)
            stop = asyncio.Event()
            attackers = [
                asyncio.create_task(attacker(server.port, kinds[i % len(kinds)], stop))
                for i in range(slow)
            ]
            await asyncio.sleep(3)  # let them connect
            # The normal client runs in its own process, as it would in reality,
            # so the attackers' event loop cannot slow it down.
            with ProcessPoolExecutor(1) as pool:
                under = await asyncio.get_running_loop().run_in_executor(
                    pool, run_normal_client, server.url, path, token, seconds
                )
            stop.set()
            await asyncio.gather(*attackers, return_exceptions=True)
            return report(f"with {slow} slow connections", *under)
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=1100, help="slow connections")
    parser.add_argument("--seconds", type=float, default=20, help="seconds per phase")
    parser.add_argument(
        "--mix",
        default="headers,body,idle",
        help="what the slow connections do, shared out in turn (headers, body, idle)",
    )
    args = parser.parse_args()
    kinds = [KINDS.index(kind) for kind in args.mix.split(",")]
    rate = asyncio.run(run(args.slow, args.seconds, kinds))
    sys.exit(0 if rate >= 0.9 else 1)


if __name__ == "__main__":
    main()
