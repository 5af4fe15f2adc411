"""Behaviour corrected against DingTalk's pages and the official SDK (issue 23, items 2, 6-8, 10).

Pages: ``fuxun2008/dingtalk-docs`` (``zh/open/development/<slug>.mdx``); the two
stream-out pages are in ``apolloyyu/kb-dingtalk-open-platform`` (see
docs/fidelity.md, "Sources"). Operations
with no page follow the SDK's "This parameter is required." marks.
"""

import re
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from alibabacloud_dingtalk.conference_1_0 import models as m

from lifecycle import book, sdk
from minutes_helpers import Minutes, minutes_server, minutes_state  # noqa: F401  (``mins``)

from conftest import auth
from sdk_errors import assert_sdk_error

ONE = "/v1.0/conference/videoConferences/{}"
DAY = 24 * 3_600_000


# --- Item 2: querying-video-conference-information ------------------------------------


def test_query_conference_info_never_returns_the_minutes_fields(
    server, http, token, conf, create_meeting
):
    # The page: minutesStatus / minutesOwnerUnionId "会中闪记能力迁移，该字段不再返回".
    cid = create_meeting("No minutes fields").conference_id
    server.participants.join(cid, "u-host")
    request = m.StartMinutesRequest(union_id="u-host", owner_union_id="u-alice")
    assert sdk(conf, token, "StartMinutes", cid, request).code == "200"

    raw = http.get(ONE.format(cid), headers=auth(token)).json()["confInfo"]
    assert not {"minutesStatus", "minutesOwnerUnionId"} & set(raw)
    info = sdk(conf, token, "QueryConferenceInfo", cid).conf_info
    assert (info.minutes_status, info.minutes_owner_union_id) == (None, None)
    # The minutes did start: the console still shows their state.
    assert minutes_state(server, cid) == (1, "u-alice")


# --- Item 6: StartStreamOut / StopStreamOut on an ended meeting -----------------------


def test_stream_out_on_an_ended_meeting_answers_its_pages_parameter_error(
    conf, acme_token, create_meeting
):
    # video-conference-enables-live-stream-ingest and videoconferencing-stops-live-stream-ingest
    # list orgAccessForbidden, unknownUserError, paramsError ("error:%s"), systemError.
    cid = create_meeting().conference_id
    close = m.CloseVideoConferenceRequest(union_id="u-host")
    sdk(conf, acme_token, "CloseVideoConference", cid, close)
    start = m.StartStreamOutRequest(
        union_id="u-host",
        need_host_join=False,
        stream_url_list=["rtmp://live.example.com/app/s"],
        stream_name="Town hall",
        mode="grid",
        small_window_position="float_right",
    )
    error = assert_sdk_error(
        lambda: sdk(conf, acme_token, "StartStreamOut", cid, start), 400, "paramsError"
    )
    assert "error:the meeting has ended" in error.message
    stop = m.StopStreamOutRequest(union_id="u-host", stop_all_stream=True)
    error = assert_sdk_error(
        lambda: sdk(conf, acme_token, "StopStreamOut", cid, stop), 400, "paramsError"
    )
    assert "error:the meeting has ended" in error.message


# --- Item 7: no page, so the SDK's required marks decide ------------------------------


def test_start_minutes_needs_no_field(mins: Minutes):
    # SDK StartMinutesRequest marks no field required.
    cid = mins.meeting()
    assert mins.call("StartMinutes", cid, m.StartMinutesRequest()).code == "200"
    assert mins.status(cid) == (1, "u-host")  # no owner named: the host's
    mins.stop(cid)
    owned = m.StartMinutesRequest(owner_union_id="u-alice")
    assert mins.call("StartMinutes", cid, owned).code == "200"
    assert mins.status(cid) == (1, "u-alice")
    # A named starter is still checked: only the host or a co-host.
    mins.stop(cid)
    assert_sdk_error(
        lambda: mins.call("StartMinutes", cid, m.StartMinutesRequest(union_id="u-bob")),
        404,
        "minutesStartPermissionError",
    )


def test_query_minutes_text_needs_only_direction(mins: Minutes):
    # SDK QueryMinutesTextRequest marks only ``direction`` required, not ``unionId``.
    cid = mins.meeting()
    mins.start(cid, owner="u-alice")
    mins.say(cid, "u-bob", "Spoken while the minutes run.")
    body = mins.call("QueryMinutesText", cid, m.QueryMinutesTextRequest(direction="0"))
    assert [p.paragraph for p in body.paragraph_list] == ["Spoken while the minutes run."]
    # Naming a reader still checks that reader.
    bob = m.QueryMinutesTextRequest(direction="0", union_id="u-bob")
    assert_sdk_error(lambda: mins.call("QueryMinutesText", cid, bob), 403, "noPermission")


# --- Item 8: GenerateFlashMinutesDocumentUrl ``expireTime`` ---------------------------


def _expires(mins: Minutes, cid: str, expire_time: int) -> tuple[str, int]:
    request = m.GenerateFlashMinutesDocumentUrlRequest(union_id="u-host", expire_time=expire_time)
    url = mins.call("GenerateFlashMinutesDocumentUrl", cid, request).minutes_doc_url
    return url, int(parse_qs(urlsplit(url).query)["expires"][0])


def test_document_url_expire_time_is_an_instant(mins: Minutes):
    # The SDK's example expireTime is an epoch-ms instant (1727185971000).
    cid = mins.meeting()
    mins.start(cid)
    mins.say(cid, "u-host", "Minutes worth a link.")
    now = mins.server.clock.move(freeze=True)
    try:
        url, expires = _expires(mins, cid, now + 7 * DAY)
        assert expires == now + 7 * DAY
        _, capped = _expires(mins, cid, now + 365 * DAY)
        assert capped == now + 30 * DAY  # the lifetime is bounded
        _, seconds = _expires(mins, cid, 60)  # too small for an instant: seconds
        assert seconds == now + 60_000
        for past in (now, now - DAY):
            request = m.GenerateFlashMinutesDocumentUrlRequest(union_id="u-host", expire_time=past)
            assert_sdk_error(
                lambda r=request: mins.call("GenerateFlashMinutesDocumentUrl", cid, r),
                400,
                "paramError",
            )
        assert mins.http.get(url).status_code == 200
        mins.server.clock.advance(7 * DAY)
        assert mins.http.get(url).json()["code"] == "urlExpired"
    finally:
        mins.server.clock.move(freeze=False)


# --- Item 10: the fidelity doc's claims, checked against the server --------------------


def _listings(server, http, token, conf, create_meeting) -> dict[str, tuple[str, dict]]:
    """Every listing that takes ``maxResults``: its path and the parameters it needs."""
    cid = create_meeting("Listings").conference_id
    server.participants.join(cid, "u-host")
    sdk(conf, token, "StartCloudRecord", cid, m.StartCloudRecordRequest(union_id="u-host"))
    sdk(conf, token, "StartMinutes", cid, m.StartMinutesRequest(union_id="u-host"))
    room_code = sdk(conf, token, "QueryConferenceInfo", cid).conf_info.room_code
    sid = book(conf, token).schedule_conference_id
    return {
        "QueryConferenceMembers": (f"{ONE.format(cid)}/members", {}),
        "QueryConferenceInfoByRoomCode": (f"/v1.0/conference/roomCodes/{room_code}/infos", {}),
        "QueryOrgConferenceList": ("/v1.0/conference/orgConferences", {}),
        "GetHistoryConfDataList": (
            ONE.format("histories/dataLists"),
            {"startTime": 0, "endTime": 4_000_000_000_000, "realData": "true"},
        ),
        "QueryScheduleConferenceInfo": (ONE.format(f"scheduleConferences/{sid}"), {}),
        "GetConfDetailData": (f"{ONE.format(cid)}/details", {}),
        "QueryCloudRecordText": (f"{ONE.format(cid)}/cloudRecords/getTexts", {}),
        "QueryMinutesText": (f"{ONE.format(cid)}/minutes/textInfos", {"unionId": "u-host"}),
    }


def _max_results_rule() -> str:
    """docs/fidelity.md's rule on ``maxResults`` above 2000 (Input limits)."""
    doc = Path(__file__).parent.parent / "docs" / "fidelity.md"
    (row,) = [r for r in doc.read_text().splitlines() if r.startswith("| `maxResults` above 2000")]
    return row


def test_max_results_3000_answers_as_the_fidelity_doc_says(
    server, http, token, conf, create_meeting
):
    rule = _max_results_rule()
    refused = dict(re.findall(r"`(\w+)` → 400 `(\w+)`", rule))
    listings = _listings(server, http, token, conf, create_meeting)
    assert set(refused) <= set(listings)
    for action, (path, params) in listings.items():
        resp = http.get(path, params={**params, "maxResults": 3000}, headers=auth(token))
        if action in refused:
            assert resp.status_code == 400, (action, resp.text)
            assert resp.json()["code"] == refused[action], action
        else:
            assert resp.status_code == 200, (action, resp.text)
    assert not [a for a in listings if a not in rule], "the rule names every listing"


READS_LIKE_QUERY_CONFERENCE_INFO = [
    ("GET", "{}", {}),
    ("GET", "{}/minutes/textInfos", {"unionId": "u-host"}),
    ("GET", "{}/minutes/audioInfos", {"unionId": "u-host"}),
    ("POST", "{}/minutes/summaries/query", {"unionId": "u-host"}),
    ("GET", "{}/minutes/meetingResult", {"unionId": "u-host"}),
    ("GET", "{}/flashMinutes/summaries", {"recorderUnionId": "u-host"}),
    ("GET", "{}/flashMinutes/recordUrls", {"recorderUnionId": "u-host"}),
    ("GET", "{}/flashMinutes/document/generate", {"unionId": "u-host"}),
    ("GET", "{}/infos", {"realData": "true"}),
    ("GET", "{}/details", {}),
    ("GET", "{}/metricDatas", {"unionId": "u-host", "beginTime": 0, "endTime": 1}),
]


def test_reads_answer_any_malformed_id_with_their_parameter_error(http, token):
    # querying-video-conference-information: 400 paramError; the fidelity doc gives the
    # minutes' and analytics' reads the same codes, and says the input limits answer
    # with "the API's parameter error".
    for bad in ("nope", "a" * 129, "ab\x00cd"):
        for method, path, params in READS_LIKE_QUERY_CONFERENCE_INFO:
            url = ONE.format(path.format(quote(bad)))
            if method == "GET":
                resp = http.get(url, params=params, headers=auth(token))
            else:
                resp = http.post(url, json=params, headers=auth(token))
            assert resp.status_code == 400, (url, resp.text)
            assert resp.json()["code"] == "paramError", (url, resp.text)


def test_max_results_above_2000_serves_2000(http, token, create_meeting):
    cid = create_meeting("Crowd").conference_id
    for i in range(2001):  # guests: members without being the organisation's users
        joined = http.post(f"/_dingconf/conferences/{cid}/join", json={"unionId": f"guest-{i}"})
        assert joined.status_code == 200, joined.text
    path = f"{ONE.format(cid)}/members"
    page = http.get(path, params={"maxResults": 3000}, headers=auth(token)).json()
    assert len(page["memberModels"]) == 2000 and page["nextToken"]
    rest = http.get(
        path, params={"maxResults": 3000, "nextToken": page["nextToken"]}, headers=auth(token)
    ).json()
    assert len(rest["memberModels"]) == page["totalCount"] - 2000 > 0


def test_claims_the_fidelity_doc_now_makes(server, http, token, conf, create_meeting):
    cid = create_meeting("Claims").conference_id
    for who in ("u-host", "u-alice", "u-bob"):
        server.participants.join(cid, who)
    # MuteMembers mutes every user named, though its page allows one for now.
    two = m.MuteMembersRequest(
        action="mute",
        user_list=[m.MuteMembersRequestUserList(union_id=u) for u in ("u-alice", "u-bob")],
    )
    assert sdk(conf, token, "MuteMembers", cid, two).success is True
    batch = sdk(
        conf,
        token,
        "QueryConferenceInfoBatch",
        m.QueryConferenceInfoBatchRequest(conference_id_list=[cid]),
    )
    mics = {u.user_id: u.mic_status for u in batch.infos[0].user_list}
    assert (mics["u-alice"], mics["u-bob"], mics["u-host"]) == (1, 1, 2)
    # QueryUserOnGoingConference: a blank unionId counts as missing.
    blank = http.get("/v1.0/conference/users/lists", params={"unionId": " "}, headers=auth(token))
    assert (blank.status_code, blank.json()["code"], blank.json()["message"]) == (
        400,
        "param.error",
        "missing.user.info",
    )
    # GetHistoryConfDataList: startTime and endTime are required as realData is.
    history = ONE.format("histories/dataLists")
    for missing, params in (("startTime", {"endTime": 1}), ("endTime", {"startTime": 0})):
        resp = http.get(history, params={**params, "realData": "true"}, headers=auth(token))
        assert (resp.status_code, resp.json()["code"]) == (400, f"Missing{missing}")
    # OptRecordWhiteAccount: settingRangeList is not required (an empty one).
    body = m.OptRecordWhiteAccountRequestRequestBody(
        biz_type="cloud_record", operation=1, union_id="u-host"
    )
    done = sdk(conf, token, "OptRecordWhiteAccount", m.OptRecordWhiteAccountRequest(body))
    assert done.code == "200"
