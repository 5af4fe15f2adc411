"""Hostile input to the operations that read their own input (a free-form body,
JSON in a query parameter, signed links' numbers), on both backends.

Each case is answered with DingTalk's 4xx error body, never a 500, and what was
stored stays as it was.
"""

import json
from urllib.parse import quote

import httpx
import pytest

from dingconf.testing.plugin import DingconfServer
from over_http import TOKEN_HEADER, new_meeting

VIDEO = "/v1.0/conference/videoConferences"
WHITELIST = f"{VIDEO}/enterpriseSetting/record/whiteAccount"
DEEP = 100_000


def assert_ding_4xx(resp: httpx.Response, code: str | None = None) -> None:
    assert 400 <= resp.status_code < 500, resp.text[:300]
    body = resp.json()
    assert {"code", "message", "requestid"} <= set(body), body
    if code is not None:
        assert body["code"] == code, body


HOSTILE_DOCUMENTS = {
    "arrays nested 100,000 deep": b'{"a":' + b"[" * DEEP + b"]" * DEEP + b"}",
    "objects nested 100,000 deep": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    # Deep enough for the decoder, too deep for a recursive walk of it.
    "arrays nested 990 deep": b'{"a":' + b"[" * 990 + b"]" * 990 + b"}",
    "not UTF-8": b'{"a":"\xff\xfe"}',
    "a surrogate half": b'{"a":"\\ud800"}',
    "an escaped NUL": b'{"a":"x\\u0000y"}',
    "an escaped NUL in a key": b'{"a\\u0000":1}',
}


def _ext_info(server: DingconfServer, cid: str) -> object:
    status, _, view = server.request("GET", f"/_dingconf/conferences/{cid}/extras")
    assert status == 200, view
    return view.get("extInfo")


@pytest.mark.parametrize("case", list(HOSTILE_DOCUMENTS))
def test_ext_info_refuses_hostile_bodies(server, http, token, case):
    cid = new_meeting(server, token)
    path = f"{VIDEO}/{cid}/extInfo"
    headers = {TOKEN_HEADER: token, "content-type": "application/json"}
    assert http.put(path, content=b'{"kept":true}', headers=headers).status_code == 200
    resp = http.put(path, content=HOSTILE_DOCUMENTS[case], headers=headers)
    assert_ding_4xx(resp, "paramsError")
    assert _ext_info(server, cid) == {"kept": True}


def test_ext_info_is_bounded_like_every_body(server, http, token):
    cid = new_meeting(server, token)
    huge = b'{"a":"' + b"x" * (2 << 20) + b'"}'
    resp = http.put(
        f"{VIDEO}/{cid}/extInfo",
        content=huge,
        headers={TOKEN_HEADER: token, "content-type": "application/json"},
    )
    assert resp.status_code == 413, resp.text[:300]
    assert _ext_info(server, cid) is None


# A URL carries less than a body: nesting past the decoder's bound, not 100,000 deep;
# and a query's bytes that are not UTF-8 are read as U+FFFD, as everywhere.
IN_A_QUERY = {
    **{
        k: v
        for k, v in HOSTILE_DOCUMENTS.items()
        if not k.endswith("100,000 deep") and k != "not UTF-8"
    },
    "arrays nested 2,000 deep": b'{"a":' + b"[" * 2000 + b"]" * 2000 + b"}",
}


@pytest.mark.parametrize("case", list(IN_A_QUERY))
def test_whitelist_request_body_refuses_hostile_json(server, http, token, case):
    document = IN_A_QUERY[case].replace(
        b'{"a', b'{"bizType":"cloud_record","operation":1,"unionId":"u-host","a', 1
    )
    # The SDK sends the JSON percent-encoded in the query string.
    resp = http.post(f"{WHITELIST}?requestBody={quote(document)}", headers={TOKEN_HEADER: token})
    assert_ding_4xx(resp)
    status, _, listed = server.request("GET", "/_dingconf/orgs/dingacme/recordWhitelist")
    assert status == 200 and "u-host" not in listed["unionIds"]


def test_a_nul_in_a_whitelist_field_is_a_param_error(server, http, token):
    document = {"bizType": "cloud_record", "operation": 1, "unionId": "u-h\x00ost"}
    resp = http.post(
        WHITELIST, params={"requestBody": json.dumps(document)}, headers={TOKEN_HEADER: token}
    )
    assert_ding_4xx(resp, "paramError")


@pytest.mark.parametrize("value", ["²", "١٢", "1²", "9" * 5000])
def test_tokens_in_any_script_but_ascii_are_a_param_error(server, http, token, value):
    cid = new_meeting(server, token)
    server.participants.join(cid, "u-host")
    started = http.post(
        f"{VIDEO}/{cid}/minutes/start", json={"unionId": "u-host"}, headers={TOKEN_HEADER: token}
    )
    assert started.status_code == 200, started.text
    for path in (f"{VIDEO}/{cid}/minutes/textInfos", f"{VIDEO}/{cid}/cloudRecords/getTexts"):
        resp = http.get(
            path, params={"unionId": "u-host", "nextToken": value}, headers={TOKEN_HEADER: token}
        )
        assert_ding_4xx(resp)


@pytest.mark.parametrize(
    "link",
    [
        "/media/minutes/{cid}/audio/0?expires=²&sig=x",
        "/media/minutes/{cid}/audio/²?expires=1&sig=x",
        "/media/minutes/{cid}/document?unionId=u-host&expires=²&sig=x",
        "/media/records/{media}.mp4?size=²&duration=1&Expires=1&Signature=x",
        "/media/records/{media}.mp4?size=1&duration=1&Expires=" + "9" * 5000 + "&Signature=x",
    ],
)
def test_signed_links_with_non_ascii_numbers_are_refused(server, http, token, link):
    cid = new_meeting(server, token)
    resp = http.get(link.format(cid=cid, media="0" * 32))
    assert resp.status_code == 403, resp.text[:300]


def test_the_journal_stays_readable_after_a_hostile_body(server, http, token):
    deep = b"[" * 20_000 + b"]" * 20_000  # kept whole (under 64 KiB), too deep to decode
    http.post(f"{VIDEO}/{'0' * 24}/members/kick", content=deep, headers={TOKEN_HEADER: token})
    status, _, document = server.request("GET", "/_dingconf/journal?limit=5")
    assert status == 200
    assert any(e["action"] == "KickMembers" for e in document["requests"])


@pytest.mark.parametrize(
    "query",
    [
        "roomCode=%00&token=x",
        "roomCode=1%00&token=x",
        "roomCode=%C2%B2&token=x",
        "roomCode=1&token=%00",
    ],
)
def test_a_join_link_with_a_nul_or_no_room_code_is_the_invalid_link_page(http, query):
    resp = http.get(f"/app?{query}")
    assert resp.status_code == 404, resp.text[:300]
    assert resp.headers["content-type"].startswith("text/html")
