"""Property: no generated request to any operation gets a 5xx, on either backend.

Every operation of the route table is called with bodies built from its own
msgspec Struct (well-formed, so they reach the service), the same with NULs
in their strings, arbitrary JSON, raw bytes and hostile documents (nested
100,000 deep, not UTF-8, escaped NULs) — operations without a declared body
get all but the Struct's and the largest, as some read a body of their own. Path parameters are
real ids or junk; the query carries the parameters the operation's module
reads (found in its source), filled with numbers, text, other scripts' digits,
bytes that are not UTF-8 and hostile JSON. Whatever comes back must be
2xx/3xx, or a 4xx with DingTalk's error body.
Bounded for CI: thirty examples per operation, the same ones every run.
"""

import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dingconf.app import api_operations, build_services, open_store
from dingconf.core.config import Settings
from dingconf.http.operations import Operation
from in_process_server import InProcessServer
from over_http import TOKEN_HEADER, new_meeting

from conftest import SEED

# AddFault is left out: making later calls answer 5xx is what a fault rule is for.
# Operations that unseat the server's state for the ones after them (the token,
# the clock, the QPS limit, the organisations) run last.
_LAST = ("Reset", "ImportState", "RevokeTokens", "SetQpsLimit", "MoveClock")
OPERATIONS = sorted(
    (
        o
        for o in api_operations(build_services(Settings(), open_store("sqlite:///:memory:")))
        if o.action != "AddFault"
    ),
    key=lambda o: o.action in _LAST,
)
_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
# How the wire layer reads a query parameter: c.query("x"), c.optional("x"),
# c.int_query("x"), c.json_query("x", …), query_param(request, "x"), …
_QUERY_READ = re.compile(
    r"\b(?:query|optional|int_query|json_query|bool_query|required_int_query|query_param|"
    r"optional_query)\(\s*(?:(?:c\.)?request,\s*)?\"(\w+)\""
)


def query_names(operation: Operation) -> list[str]:
    """The query parameters the module declaring ``operation`` reads."""
    source = inspect.getsource(sys.modules[operation.call.__module__])
    names = set(_QUERY_READ.findall(source))
    if "paging(" in source:
        names |= {"nextToken", "maxResults"}
    return sorted(names)


DEEP = 100_000
# Small enough to send anywhere: a server may answer an operation that reads
# no body before the client finished sending a large one, and close.
HOSTILE_JSON = [
    b"[" * 2000 + b"]" * 2000,  # past the decoder's nesting bound
    b'{"a":' + b"[" * 990 + b"]" * 990 + b"}",  # within it, past the checks' bound
    b'{"a":"\xff\xfe"}',
    b'{"a":"\\ud800"}',
    b'{"a":"x\\u0000y","b\\u0000":1}',
    b'{"a":' + b"9" * 5000 + b"}",
]
# For operations that read a body: the same nesting 100,000 deep.
HOSTILE_BODIES = [
    *HOSTILE_JSON,
    b"[" * DEEP + b"]" * DEEP,
    b'{"a":' * DEEP + b"1" + b"}" * DEEP,
]
texts = st.text(max_size=40)
numbers = st.integers(min_value=-(2**70), max_value=2**70).map(str)
junk = st.sampled_from(
    ["", " ", "²", "١٢", "1²", "9" * 5000, "\x00", "%00", "null", "true", "-1", "1e20"]
)
# Digits Python's isdigit() or int() take and DingTalk's numbers never hold.
other_digits = st.sampled_from(["²", "١٢", "1²", "¹²³", "٣", "１２"])
# Real values, so a call gets past "no such user" to what reads the rest.
known = st.sampled_from(["u-host", "u-alice", "0", "1", "10"])
# Query values: text, or bytes sent percent-encoded as they are (not UTF-8, JSON).
values: st.SearchStrategy[str | bytes] = st.one_of(
    texts,
    numbers,
    junk,
    other_digits,
    known,
    st.sampled_from([b"\xff\xfe", b"x\xc0", *HOSTILE_JSON]),
)
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
    srv = InProcessServer(
        workdir, seed=SEED, database=new_database_url(backend, workdir, request)
    ).start()
    try:
        token = srv.token("acme-app", "acme-secret")
        cid = new_meeting(srv, token)
        srv.participants.join(cid, "u-host")
        # Minutes running, with speech: their reads get as far as their paging.
        minutes = srv.request(
            "POST",
            f"/v1.0/conference/videoConferences/{cid}/minutes/start",
            {"unionId": "u-host"},
            {TOKEN_HEADER: token},
        )
        assert minutes[0] == 200, minutes
        srv.participants.say(cid, "u-host", "hello")
        with httpx.Client(base_url=srv.url, timeout=30) as client:
            yield client, token, cid
    finally:
        srv.stop()
    # Nothing failed out of sight either (a background task, a cut connection).
    assert "Traceback" not in srv.log_path.read_text()


def _with_nuls(document: Any) -> Any:
    if isinstance(document, str):
        return document + "\x00"
    if isinstance(document, list):
        return [_with_nuls(v) for v in document]
    if isinstance(document, dict):
        return {k: _with_nuls(v) for k, v in document.items()}
    return document


def _body_strategy(schema_type: type | None) -> st.SearchStrategy[bytes | None]:
    anything = json_values.map(lambda doc: json.dumps(doc).encode())
    raw = st.binary(max_size=64)
    if schema_type is None:
        return st.one_of(st.none(), st.none(), anything, raw, st.sampled_from(HOSTILE_JSON))
    # Instances of the body's own Struct, encoded as the wire expects them.
    shaped = st.builds(schema_type).map(msgspec.to_builtins)
    return st.one_of(
        shaped.map(msgspec.json.encode),
        shaped.map(msgspec.json.encode),
        shaped.map(lambda doc: msgspec.json.encode(_with_nuls(doc))),
        anything,
        raw,
        st.sampled_from(HOSTILE_BODIES),
    )


def _path_strategy(path: str, cid: str) -> st.SearchStrategy[str]:
    names = _PARAM.findall(path)
    if not names:
        return st.just(path)
    parts = {name: st.one_of(st.just(cid), st.just(cid), values) for name in names}

    def fill(chosen: dict[str, str | bytes]) -> str:
        return _PARAM.sub(lambda m: quote(chosen[m.group(1)], safe="") or "x", path)

    return st.fixed_dictionaries(parts).map(fill)


def _query_strategy(operation: Operation) -> st.SearchStrategy[str]:
    names = query_names(operation)
    if not names:
        return st.just("")
    # Each parameter present or not; a user's id mostly a real one.
    chosen = st.fixed_dictionaries(
        {},
        optional={
            name: st.one_of(st.just("u-host"), st.just("u-host"), values)
            if name.endswith(("unionId", "UnionId"))
            else values
            for name in names
        },
    )
    return chosen.map(
        lambda q: "&".join(f"{k}={quote(v, safe='')}" for k, v in q.items() if v != "")
    )


def _send(
    client: httpx.Client, method: str, url: str, body: bytes | None, headers: dict[str, str]
) -> httpx.Response:
    """One request, sent again on a fresh connection if the first was cut: a server
    that answers before reading a body it does not need closes the connection, and
    the client may see the reset before the answer (or reuse the closed connection)."""
    for _ in range(2):
        try:
            return client.request(method, url, content=body, headers=headers)
        except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError):
            continue
    return client.request(method, url, content=body, headers=headers)


def test_query_names_are_found_in_the_operations_modules():
    """The derivation finds what the operations read (it cannot silently find nothing)."""
    by_action = {o.action: query_names(o) for o in OPERATIONS}
    assert {"unionId", "nextToken", "maxResults", "direction"} <= set(by_action["QueryMinutesText"])
    assert "requestBody" in by_action["OptRecordWhiteAccount"]
    assert {"startTime", "endTime", "realData"} <= set(by_action["QueryOrgConferenceList"])


@pytest.mark.parametrize(
    "operation", OPERATIONS, ids=[f"{o.action}-{o.method}" for o in OPERATIONS]
)
def test_no_generated_request_gets_a_5xx(target, operation):
    client, token, cid = target

    @settings(
        max_examples=30,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        path=_path_strategy(operation.path, cid),
        query=_query_strategy(operation),
        body=_body_strategy(operation.body),
    )
    def check(path, query, body):
        headers = {TOKEN_HEADER: token, "content-type": "application/json"}
        url = f"{path}?{query}" if query else path
        resp = _send(client, operation.method, url, body, headers)
        shown = (operation.action, url[:300], (body or b"")[:100])
        assert resp.status_code < 500, (*shown, resp.text[:300])
        if resp.status_code >= 400:
            error = resp.json()
            assert {"code", "message", "requestid"} <= set(error), (*shown, resp.text[:300])

    check()
