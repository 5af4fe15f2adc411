"""Property: no generated request to any route gets a 5xx, on either backend.

Every operation in the route table is called with bodies built from its own
msgspec Struct (well-formed, so they reach the service) and with
arbitrary JSON, with path parameters that are real ids or junk, and with the
query parameters the APIs read, filled with numbers, text and junk. Whatever
comes back must be 2xx/3xx, or a 4xx with DingTalk's error body.
Bounded for CI: forty examples per route, the same ones every run.
"""

import json
import re
from pathlib import Path
from urllib.parse import quote

import httpx
import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dingconf.app import api_operations, build_services, open_store
from dingconf.config import Settings
from dingconf.pytest_plugin import DingconfServer
from over_http import TOKEN_HEADER, new_meeting

from conftest import SEED

OPERATIONS = api_operations(build_services(Settings(), open_store("sqlite:///:memory:")))
_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
QUERY_NAMES = [
    "unionId",
    "nextToken",
    "maxResults",
    "startTime",
    "endTime",
    "realData",
    "title",
    "creatorNike",
    "scheduleConferenceId",
    "requestUnionId",
    "mediaId",
    "regionId",
    "recordId",
    "direction",
    "bizType",
    "requestBody",
    "nick",
]

texts = st.text(max_size=40)
numbers = st.integers(min_value=-(2**70), max_value=2**70).map(str)
junk = st.sampled_from(["", " ", "²", "9" * 5000, "\x00", "%00", "null", "true", "-1", "1e20"])
values = st.one_of(texts, numbers, junk)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def target(backend, request, tmp_path_factory):
    """A server of this module's own (the calls change its state), a token and real ids."""
    from conftest import new_database_url

    workdir: Path = tmp_path_factory.mktemp("no5xx")
    srv = DingconfServer(
        workdir, seed=SEED, database=new_database_url(backend, workdir, request)
    ).start()
    try:
        token = srv.token("acme-app", "acme-secret")
        cid = new_meeting(srv, token)
        srv.join(cid, "u-host")
        with httpx.Client(base_url=srv.url, timeout=30) as client:
            yield client, token, cid
    finally:
        srv.stop()


def _body_strategy(schema_type: type | None) -> st.SearchStrategy[bytes | None]:
    if schema_type is None:
        return st.none()
    # Instances of the body's own Struct, encoded as the wire expects them.
    shaped = st.builds(schema_type).map(msgspec.json.encode)
    anything = json_values.map(lambda doc: json.dumps(doc).encode())
    raw = st.binary(max_size=64)
    return st.one_of(shaped, shaped, anything, raw)


def _path_strategy(path: str, cid: str) -> st.SearchStrategy[str]:
    names = _PARAM.findall(path)
    if not names:
        return st.just(path)
    parts = {name: st.one_of(st.just(cid), values) for name in names}

    def fill(chosen: dict[str, str]) -> str:
        return _PARAM.sub(lambda m: quote(chosen[m.group(1)], safe="") or "x", path)

    return st.fixed_dictionaries(parts).map(fill)


@pytest.mark.parametrize(
    "operation", OPERATIONS, ids=[f"{o.action}-{o.method}" for o in OPERATIONS]
)
def test_no_generated_request_gets_a_5xx(target, operation):
    client, token, cid = target

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        path=_path_strategy(operation.path, cid),
        query=st.dictionaries(st.sampled_from(QUERY_NAMES), values, max_size=4),
        body=_body_strategy(operation.body),
    )
    def check(path, query, body):
        headers = {TOKEN_HEADER: token, "content-type": "application/json"}
        resp = client.request(operation.method, path, params=query, content=body, headers=headers)
        assert resp.status_code < 500, (operation.action, path, query, body, resp.text[:300])
        if resp.status_code >= 400:
            error = resp.json()
            assert {"code", "message", "requestid"} <= set(error), resp.text[:300]

    check()
