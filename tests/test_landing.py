"""The landing page teaches (state, credentials, snippets that run as shown), and a
browser gets an HTML 404 outside DingTalk's API, which keeps its JSON errors."""

import contextlib
import html
import io
import json
import re
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dingconf.testing.plugin import DingconfServer
from in_process_server import InProcessServer

_BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
_NOT_FOUND = {
    "code": "InvalidAction.NotFound",
    "message": "Specified api is not found, please check your url and method.",
}


def get(
    server: DingconfServer, path: str, accept: str = _BROWSER, host: str | None = None
) -> tuple[int, str, str]:
    """GET ``path``: status, content type and body text."""
    headers = {"accept": accept} | ({"host": host} if host else {})
    request = urllib.request.Request(server.url + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return (
                reply.status,
                reply.headers["content-type"],
                reply.read().decode(errors="replace"),
            )
    except urllib.error.HTTPError as error:
        return error.code, error.headers["content-type"], error.read().decode(errors="replace")


def snippet(page: str, name: str) -> str:
    """The text of a snippet of the landing page, as a reader copies it."""
    found = re.search(rf'<code id="{name}-code">(.*?)</code>', page, re.S)
    assert found, page
    return html.unescape(found.group(1))


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    """A fresh server on loopback: the demo organisation, nothing seeded."""
    with InProcessServer(tmp_path_factory.mktemp("landing")) as server:
        yield server


def test_the_landing_page_tells_this_servers_state_and_credentials(demo_server: InProcessServer):
    status, media_type, page = get(demo_server, "/")
    assert (status, media_type) == (200, "text/html; charset=utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    assert "Version 0.1.0" in " ".join(text.split())
    assert demo_server.database in text
    assert "Demo Org dingdemo demo-app 3" in " ".join(text.split())
    assert "Demo app: appKey demo-app , appSecret demo-secret" in " ".join(text.split())
    for link in ("/_dingconf/console", "/docs", "/_dingconf/metrics", "/_dingconf/health"):
        assert f'href="{link}"' in page


def test_its_curl_snippet_runs_as_shown(demo_server: InProcessServer):
    curl = snippet(get(demo_server, "/")[2], "curl")
    assert demo_server.url in curl
    done = subprocess.run(["sh", "-c", curl], capture_output=True, text=True, timeout=30)
    assert len(json.loads(done.stdout)["accessToken"]) == 32, done


def test_its_sdk_snippet_runs_as_shown(demo_server: InProcessServer):
    program = snippet(get(demo_server, "/")[2], "sdk")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(program, {})  # the page's own snippet, against this server
    conference_id = printed.getvalue().strip()
    assert re.fullmatch(r"[0-9a-f]{24}", conference_id)
    stream = snippet(get(demo_server, "/")[2], "stream")
    assert f'"{demo_server.url}/v1.0/gateway/connections/open"' in stream
    assert 'Credential("demo-app", "demo-secret")' in stream


def test_a_page_of_another_site_sees_no_state_or_credentials(demo_server: InProcessServer):
    # DNS rebinding: a name of the attacker's own resolving to 127.0.0.1.
    status, _, page = get(demo_server, "/", host=f"evil.example:{demo_server.port}")
    assert status == 200
    for private in ("demo-secret", "dingdemo", demo_server.database):
        assert private not in page
    assert "&lt;appSecret&gt;" in page


def test_a_server_bound_beyond_loopback_shows_no_state_or_credentials(tmp_path: Path):
    with InProcessServer(tmp_path, host="0.0.0.0") as server:
        status, _, page = get(server, "/")
    assert status == 200
    for private in ("dingdemo", "demo-alice", server.database):
        assert private not in page
    assert "shown only to local clients of a server bound to loopback" in page


def test_everything_shown_is_escaped(tmp_path: Path):
    name = '<img src=x onerror="alert(1)">'
    seed = {
        "orgs": [{"corpId": "dingx", "name": name, "apps": [{"appKey": "k", "appSecret": "s"}]}]
    }
    with InProcessServer(tmp_path, seed=seed) as server:
        page = get(server, "/")[2]
    assert name not in page
    assert html.escape(name) in page


@pytest.mark.parametrize(
    ("path", "closest"),
    [
        ("/console", '<a href="/_dingconf/console">'),
        ("/_dingconf/", '<a href="/_dingconf/console">'),
        ("/_dingconf/journl", '<a href="/_dingconf/journal">'),
        ("/doc", '<a href="/docs">'),
        ("/s/nosuchcode", None),
        ("/autoLogin/nosuchtoken", None),
    ],
)
def test_a_browser_gets_an_html_404_naming_the_closest_page(
    demo_server: InProcessServer, path: str, closest: str | None
):
    status, media_type, page = get(demo_server, path)
    assert (status, media_type) == (404, "text/html; charset=utf-8")
    assert "<h1>Not found</h1>" in page
    assert '<a href="/">Home</a>' in page and '<a href="/_dingconf/console">' in page
    if closest is not None:
        assert f"The closest page: {closest}" in page
    else:
        assert "invalid" in page  # why the link is not there
        assert "nosuch" not in page  # a link's secret part is never echoed


def test_api_paths_and_api_clients_keep_dingtalks_json(demo_server: InProcessServer):
    # The same path a browser gets a page for (above); an API client gets DingTalk's JSON.
    assert get(demo_server, "/console")[1].startswith("text/html")
    for path, accept in [
        ("/v1.0/conference/videoConference", _BROWSER),  # DingTalk's API, even from a browser
        ("/console", "application/json"),
        ("/console", "*/*"),
    ]:
        status, media_type, body = get(demo_server, path, accept)
        assert (status, media_type) == (404, "application/json;charset=utf-8")
        assert {k: json.loads(body)[k] for k in _NOT_FOUND} == _NOT_FOUND


def test_the_favicon_is_an_icon(demo_server: InProcessServer):
    with urllib.request.urlopen(f"{demo_server.url}/favicon.ico", timeout=30) as reply:
        assert reply.headers["content-type"] == "image/x-icon"
        assert reply.read()[:4] == b"\x00\x00\x01\x00"  # an ICO header
