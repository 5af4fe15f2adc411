"""Streams out, focus, MCU devices, ext info and subtitle events through the official SDK."""

from urllib.parse import quote

import pytest
from alibabacloud_dingtalk.conference_1_0 import models as m

from lifecycle import info, member_map, sdk, token_of

from conftest import auth
from sdk_errors import assert_sdk_error

URL = "rtmp://live.example.com/app/stream"
ONE = "/v1.0/conference/videoConferences/{}"


def start_request(urls, union_id="u-host", need_host_join=False, mode="grid"):
    return m.StartStreamOutRequest(
        union_id=union_id,
        need_host_join=need_host_join,
        stream_url_list=urls,
        stream_name="Town hall",
        mode=mode,
        small_window_position="float_right",
    )


def extras(server, cid):
    status, _, body = server.request("GET", f"/_dingconf/conferences/{cid}/extras")
    assert status == 200, body
    return body


def statuses(server, cid):
    return {s["url"]: s["status"] for s in extras(server, cid)["streams"]}


@pytest.fixture
def meeting(server, create_meeting):
    cid = create_meeting().conference_id
    server.participants.join(cid, "u-host")
    server.participants.join(cid, "u-bob")
    return cid


def test_start_stream_out_maps_each_address(server, conf, acme_token, meeting):
    rtmps = "rtmps://live.example.com/app/other"
    body = sdk(
        conf,
        acme_token,
        "StartStreamOut",
        meeting,
        start_request([URL, rtmps, "http://live.example.com/x", "rtmp:///nohost"]),
    )
    assert set(body.to_map()) == {"successStreamMap", "failStreamMap"}
    assert set(body.success_stream_map) == {URL, rtmps}
    assert all(isinstance(v, str) and len(v) == 32 for v in body.success_stream_map.values())
    assert set(body.fail_stream_map) == {"http://live.example.com/x", "rtmp:///nohost"}
    assert all("invalid stream url" in r for r in body.fail_stream_map.values())
    view = extras(server, meeting)["streams"]
    assert [(s["url"], s["status"], s["streamName"], s["mode"]) for s in view] == [
        (URL, "pushing", "Town hall", "grid"),
        (rtmps, "pushing", "Town hall", "grid"),
    ]
    assert {s["streamId"] for s in view} == set(body.success_stream_map.values())
    # The same address again is refused while it pushes.
    again = sdk(conf, acme_token, "StartStreamOut", meeting, start_request([URL]))
    assert (again.success_stream_map, again.fail_stream_map) == (
        {},
        {URL: "stream url is already pushing"},
    )


def test_stop_stream_out_one_then_all(server, conf, acme_token, meeting):
    urls = [f"{URL}{i}" for i in range(3)]
    started = sdk(conf, acme_token, "StartStreamOut", meeting, start_request(urls))
    first = started.success_stream_map[urls[0]]
    stop = m.StopStreamOutRequest(union_id="u-host", stream_id=first, stop_all_stream=False)
    assert sdk(conf, acme_token, "StopStreamOut", meeting, stop).to_map() == {"code": "200"}
    assert statuses(server, meeting) == {
        urls[0]: "stopped",
        urls[1]: "pushing",
        urls[2]: "pushing",
    }
    # A stopped stream cannot be stopped again; the address can push again.
    assert_sdk_error(
        lambda: sdk(conf, acme_token, "StopStreamOut", meeting, stop), 400, "paramsError"
    )
    everything = m.StopStreamOutRequest(
        union_id="u-host", stream_id="ignored", stop_all_stream=True
    )
    sdk(conf, acme_token, "StopStreamOut", meeting, everything)
    assert set(statuses(server, meeting).values()) == {"stopped"}
    restarted = sdk(conf, acme_token, "StartStreamOut", meeting, start_request([urls[0]]))
    assert list(restarted.success_stream_map) == [urls[0]]


def test_at_most_ten_streams_run_at_once(conf, acme_token, meeting):
    eleven = [f"{URL}/{i}" for i in range(11)]
    assert_sdk_error(
        lambda: sdk(conf, acme_token, "StartStreamOut", meeting, start_request(eleven)),
        400,
        "paramsError",
    )
    first = sdk(conf, acme_token, "StartStreamOut", meeting, start_request(eleven[:8]))
    assert len(first.success_stream_map) == 8
    more = sdk(conf, acme_token, "StartStreamOut", meeting, start_request(eleven[8:]))
    assert list(more.success_stream_map) == eleven[8:10]
    assert more.fail_stream_map == {eleven[10]: "at most 10 streams may run at once"}


def test_stream_waits_for_the_host_and_stops_with_the_meeting(
    server, conf, acme_token, create_meeting
):
    cid = create_meeting().conference_id
    sdk(conf, acme_token, "StartStreamOut", cid, start_request([URL], need_host_join=True))
    assert statuses(server, cid) == {URL: "waiting"}
    server.participants.join(cid, "u-host")
    assert statuses(server, cid) == {URL: "pushing"}
    close = m.CloseVideoConferenceRequest(union_id="u-host")
    sdk(conf, acme_token, "CloseVideoConference", cid, close)
    assert statuses(server, cid) == {URL: "stopped"}


def test_stream_out_errors(conf, oauth, acme_token, meeting, create_meeting):
    globex = token_of(oauth, "globex-app", "globex-secret")
    reader = token_of(oauth, "acme-reader", "reader-secret")
    ok = start_request([URL])
    cases = [
        (globex, meeting, ok, 400, "orgAccessForbidden"),
        (acme_token, "0" * 24, ok, 400, "paramsError"),
        (acme_token, meeting, start_request([URL], union_id="nobody"), 400, "unknownUserError"),
        (acme_token, meeting, start_request([URL], mode="mosaic"), 400, "paramsError"),
        (acme_token, meeting, start_request([]), 400, "paramsError"),
        (reader, meeting, ok, 403, "Forbidden.AccessDenied.AccessTokenPermissionDenied"),
        # The scope is checked before the parameters.
        (
            reader,
            meeting,
            start_request([], mode="x"),
            403,
            "Forbidden.AccessDenied.AccessTokenPermissionDenied",
        ),
    ]
    for token, cid, request, status, code in cases:
        assert_sdk_error(
            lambda t=token, c=cid, r=request: sdk(conf, t, "StartStreamOut", c, r), status, code
        )
    stop = m.StopStreamOutRequest(union_id="u-host", stream_id="nope", stop_all_stream=False)
    assert_sdk_error(
        lambda: sdk(conf, globex, "StopStreamOut", meeting, stop), 400, "orgAccessForbidden"
    )
    assert_sdk_error(
        lambda: sdk(conf, acme_token, "StopStreamOut", meeting, stop), 400, "paramsError"
    )
    ended = create_meeting().conference_id
    sdk(
        conf,
        acme_token,
        "CloseVideoConference",
        ended,
        m.CloseVideoConferenceRequest(union_id="u-host"),
    )
    assert_sdk_error(lambda: sdk(conf, acme_token, "StartStreamOut", ended, ok), 400, "paramsError")


def test_stream_out_json_types(http, token, meeting):
    resp = http.post(
        ONE.format(meeting) + "/streamOuts/start",
        headers=auth(token),
        json={
            "unionId": "u-host",
            "needHostJoin": False,
            "streamUrlList": [URL, "srt://x"],
            "streamName": "n",
            "mode": "speech",
            "smallWindowPosition": "relative_right",
        },
    )
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"successStreamMap", "failStreamMap"}
    assert isinstance(body["successStreamMap"][URL], str)
    assert isinstance(body["failStreamMap"]["srt://x"], str)
    no_id = http.post(
        ONE.format(meeting) + "/streamOuts/stop", headers=auth(token), json={"unionId": "u-host"}
    )
    assert (no_id.status_code, no_id.json()["code"]) == (400, "paramsError")
    stop = http.post(
        ONE.format(meeting) + "/streamOuts/stop",
        headers=auth(token),
        json={"unionId": "u-host", "stopAllStream": True},
    )
    assert (stop.status_code, stop.json()) == (200, {"code": "200"})


def test_focus_on_someone_inside_then_off(server, conf, acme_token, meeting):
    body = sdk(conf, acme_token, "Focus", meeting, m.FocusRequest(action="focus", union_id="u-bob"))
    assert body.to_map() == {"success": True}
    assert extras(server, meeting)["focusUnionId"] == "u-bob"
    sdk(conf, acme_token, "Focus", meeting, m.FocusRequest(action="un_focus"))
    assert "focusUnionId" not in extras(server, meeting)


def test_focus_errors(server, conf, oauth, acme_token, meeting):
    globex = token_of(oauth, "globex-app", "globex-secret")
    server.participants.leave(meeting, "u-bob")
    cases = [
        (acme_token, m.FocusRequest(action="focus", union_id="u-bob"), 400, "unknownUserError"),
        (acme_token, m.FocusRequest(action="focus", union_id="u-carol"), 400, "unknownUserError"),
        (acme_token, m.FocusRequest(action="zoom", union_id="u-host"), 400, "paramsError"),
        (acme_token, m.FocusRequest(action="focus"), 400, "paramsError"),
        (globex, m.FocusRequest(action="focus", union_id="u-host"), 400, "orgAccessForbidden"),
    ]
    for token, request, status, code in cases:
        assert_sdk_error(lambda t=token, r=request: sdk(conf, t, "Focus", meeting, r), status, code)
    assert "focusUnionId" not in extras(server, meeting)


def mcu(room_code, mcu_code="880001", union_id="u-host"):
    return m.InviteMcuRequest(mcu_room_code=mcu_code, room_code=room_code, union_id=union_id)


def test_invite_mcu_joins_a_device_that_counts(server, conf, acme_token, create_meeting):
    created = create_meeting()
    cid = created.conference_id
    server.participants.join(cid, "u-host")
    body = sdk(conf, acme_token, "InviteMcu", mcu(created.room_code))
    assert body.to_map() == {"success": True}
    confinfo = info(conf, acme_token, cid)
    assert (confinfo.active_num, confinfo.attend_num) == (2, 2)
    device = member_map(conf, acme_token, cid)["mcu-880001"]
    assert (device.user_nick, device.attend_status, device.host) == ("MCU 880001", 3, False)
    # Inviting a device that is inside changes nothing; after it left, it rejoins.
    sdk(conf, acme_token, "InviteMcu", mcu(created.room_code))
    assert info(conf, acme_token, cid).active_num == 2
    server.participants.leave(cid, "mcu-880001")
    sdk(conf, acme_token, "InviteMcu", mcu(created.room_code))
    confinfo = info(conf, acme_token, cid)
    assert (confinfo.active_num, confinfo.attend_num) == (2, 2)


def test_invite_mcu_errors(conf, oauth, acme_token, create_meeting):
    globex = token_of(oauth, "globex-app", "globex-secret")
    created = create_meeting()
    cases = [
        (acme_token, mcu("99999999999"), "paramsError"),
        (acme_token, mcu(created.room_code, mcu_code="abc"), "paramsError"),
        (acme_token, mcu(created.room_code, union_id="nobody"), "unknownUserError"),
        (globex, mcu(created.room_code, union_id="g-host"), "orgAccessForbidden"),
    ]
    for token, request, code in cases:
        assert_sdk_error(lambda t=token, r=request: sdk(conf, t, "InviteMcu", r), 400, code)
    assert info(conf, acme_token, created.conference_id).attend_num == 0


def test_ext_info_and_subtitle_events_are_kept(server, conf, http, token, acme_token, meeting):
    body = sdk(conf, acme_token, "UpdateVideoConferenceExtInfo", meeting)
    assert body.to_map() == {"code": "200", "case": "success"}
    assert "extInfo" not in extras(server, meeting)
    resp = http.put(
        ONE.format(meeting) + "/extInfo", headers=auth(token), json={"crm": {"deal": 42}}
    )
    assert (resp.status_code, resp.json()) == (200, {"code": "200", "case": "success"})
    assert extras(server, meeting)["extInfo"] == {"crm": {"deal": 42}}
    # The SDK's empty call keeps what was stored.
    sdk(conf, acme_token, "UpdateVideoConferenceExtInfo", meeting)
    assert extras(server, meeting)["extInfo"] == {"crm": {"deal": 42}}
    bad = http.put(ONE.format(meeting) + "/extInfo", headers=auth(token), json=[1, 2])
    assert (bad.status_code, bad.json()["code"]) == (400, "paramsError")

    on = sdk(conf, acme_token, "SetSubtitleEvent", meeting, m.SetSubtitleEventRequest(enable=True))
    assert on.to_map() == {"success": True}
    assert extras(server, meeting)["subtitleEvents"] is True
    sdk(conf, acme_token, "SetSubtitleEvent", meeting, m.SetSubtitleEventRequest(enable=False))
    assert extras(server, meeting)["subtitleEvents"] is False
    resp = http.post(ONE.format(meeting) + "/subtitleEvents", headers=auth(token), json={})
    assert (resp.status_code, resp.json()["code"]) == (400, "Missingenable")


def test_ext_info_and_subtitle_errors(conf, oauth, acme_token, meeting, create_meeting):
    globex = token_of(oauth, "globex-app", "globex-secret")
    ended = create_meeting().conference_id
    sdk(
        conf,
        acme_token,
        "CloseVideoConference",
        ended,
        m.CloseVideoConferenceRequest(union_id="u-host"),
    )
    subtitle = m.SetSubtitleEventRequest(enable=True)
    for token, cid, code in [
        (globex, meeting, "orgAccessForbidden"),
        (acme_token, "f" * 24, "paramsError"),
        (acme_token, ended, "resourceClose"),
    ]:
        assert_sdk_error(
            lambda t=token, c=cid: sdk(conf, t, "UpdateVideoConferenceExtInfo", c), 400, code
        )
        assert_sdk_error(
            lambda t=token, c=cid: sdk(conf, t, "SetSubtitleEvent", c, subtitle), 400, code
        )


def test_plain_http_bodies_have_exact_json_types(server, http, token, create_meeting):
    created = create_meeting()
    cid = created.conference_id
    server.participants.join(cid, "u-host")
    calls = [
        ("POST", ONE.format(cid) + "/focus", {"action": "focus", "unionId": "u-host"}),
        ("POST", ONE.format(cid) + "/subtitleEvents", {"enable": True}),
        (
            "POST",
            ONE.format("mcus/invite"),
            {"mcuRoomCode": "770001", "roomCode": created.room_code, "unionId": "u-host"},
        ),
    ]
    for method, path, body in calls:
        resp = http.request(method, path, headers=auth(token), json=body)
        assert resp.status_code == 200, resp.text
        assert resp.json() == {"success": True}
        assert resp.json()["success"] is True
    login = http.post(
        ONE.format("createAutoLoginUrl"),
        headers=auth(token),
        json={"meetingUrl": created.external_link_url, "unionId": "u-alice"},
    ).json()
    assert set(login) == {"loginInfo", "success"} and login["success"] is True
    assert set(login["loginInfo"]) == {"loginUrl"}
    assert isinstance(login["loginInfo"]["loginUrl"], str)


def test_every_new_write_needs_the_write_scope(server, oauth, create_meeting):
    reader = server.token("acme-reader", "reader-secret")
    cid = create_meeting().conference_id
    writes = [
        (
            "POST",
            ONE.format(cid) + "/streamOuts/stop",
            {"unionId": "u-host", "stopAllStream": True},
        ),
        ("POST", ONE.format(cid) + "/focus", {"action": "un_focus"}),
        ("PUT", ONE.format(cid) + "/extInfo", None),
        ("POST", ONE.format(cid) + "/subtitleEvents", {"enable": True}),
        ("POST", ONE.format("mcus/invite"), {"mcuRoomCode": "1", "roomCode": "1", "unionId": "x"}),
        ("POST", ONE.format("createAutoLoginUrl"), {"meetingUrl": "x", "unionId": "x"}),
        (
            "POST",
            "/v1.0/conference/customShortLinks",
            {"creatorUnionId": "u-host", "scheduleConferenceId": "x", "coolAppCode": "c"},
        ),
        (
            "POST",
            ONE.format("enterpriseSetting/record/whiteAccount")
            + "?requestBody="
            + quote('{"bizType":"cloud_record","operation":1,"unionId":"u-host"}'),
            None,
        ),
    ]
    for method, path, body in writes:
        status, _, payload = server.request(method, path, body, auth(reader))
        assert status == 403, (path, payload)
        assert payload["accessdenieddetail"]["requiredScopes"] == [
            "VideoConference.Conference.Write"
        ]
    status, _, payload = server.request("GET", f"/_dingconf/conferences/{'0' * 24}/extras")
    assert (status, payload["code"]) == (404, "roomNotFound")


def test_a_meeting_named_with_a_space_before_its_id_is_that_meeting(
    server, conf, http, token, acme_token, meeting
):
    # The in-meeting writes find the meeting by its trimmed id (the SDK sends
    # " id" as %20id); what they keep must be that meeting's, never a 500.
    spaced = " " + meeting
    on = sdk(conf, acme_token, "SetSubtitleEvent", spaced, m.SetSubtitleEventRequest(enable=True))
    assert on.to_map() == {"success": True}
    ext = http.put(ONE.format(quote(spaced)) + "/extInfo", headers=auth(token), json={"k": 1})
    assert (ext.status_code, ext.json()) == (200, {"code": "200", "case": "success"})
    focus = m.FocusRequest(action="focus", union_id="u-bob")
    assert sdk(conf, acme_token, "Focus", spaced, focus).to_map() == {"success": True}
    view = extras(server, meeting)
    assert (view["subtitleEvents"], view["extInfo"], view["focusUnionId"]) == (
        True,
        {"k": 1},
        "u-bob",
    )
    first = sdk(conf, acme_token, "StartStreamOut", spaced, start_request([URL]))
    assert set(first.success_stream_map) == {URL}
    again = sdk(conf, acme_token, "StartStreamOut", spaced, start_request([URL]))
    assert again.fail_stream_map == {URL: "stream url is already pushing"}
    stop = m.StopStreamOutRequest(
        union_id="u-host", stream_id=first.success_stream_map[URL], stop_all_stream=False
    )
    assert sdk(conf, acme_token, "StopStreamOut", spaced, stop).to_map() == {"code": "200"}
    assert statuses(server, meeting) == {URL: "stopped"}
