"""Meeting analytics through the official SDK: details, metrics, conference data.

Each success body is checked field by field against the SDK's model; the
exact JSON types are checked over plain HTTP.
"""

from typing import Any

import httpx
import pytest
from alibabacloud_dingtalk.conference_1_0 import models as m
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient

from dingconf.testing.plugin import DingconfServer
from lifecycle import sdk, token_of

from conftest import auth, sdk_config
from sdk_errors import assert_sdk_error

VIDEO = "/v1.0/conference/videoConferences"
MINUTE = 60_000
SLACK = 20_000  # real time a test may take between two clock reads
DETAIL_FIELDS = {
    "belongOrg": str,
    "conferenceId": str,
    "deviceType": str,
    "duration": int,
    "joinTime": int,
    "networkQuality": str,
    "nick": str,
    "role": str,
    "sessionId": str,
    "status": str,
    "unionId": str,
    "version": str,
}
METRIC_FIELDS = {
    "timestamp": int,
    "roundTripTime": str,
    "lostRate": str,
    "sendBitRate": str,
    "recvBitRate": str,
}
CONF_DATA_FIELDS = {
    "conferenceId": str,
    "title": str,
    "creatorId": str,
    "creatorNick": str,
    "deptName": str,
    "startTime": int,
    "timeLength": int,
    "userCount": int,
    "freeType": str,
    "scene": str,
}


def types(obj: dict[str, Any]) -> dict[str, type]:
    return {k: type(v) for k, v in obj.items()}


def body_of(resp: httpx.Response) -> Any:
    """The JSON body of a 200 reply; no ``null`` anywhere in it."""
    assert resp.status_code == 200, resp.text
    text = resp.text
    assert "null" not in text, text
    return resp.json()


def now_of(server: DingconfServer) -> int:
    status, _, body = server.request("GET", "/_dingconf/clock")
    assert status == 200
    return int(body["now"])


def create(conf: ConferenceClient, token: str, title: str = "Analytics") -> str:
    request = m.CreateVideoConferenceRequest(user_id="u-host", conf_title=title)
    return str(sdk(conf, token, "CreateVideoConference", request).conference_id)


@pytest.fixture
def own(fresh_server: DingconfServer) -> tuple[DingconfServer, ConferenceClient, str]:
    """A private server (its clock may move), an SDK client of it and Acme's token."""
    return (
        fresh_server,
        ConferenceClient(sdk_config(fresh_server)),
        fresh_server.token("acme-app", "acme-secret"),
    )


def near(value: int, expected: int) -> bool:
    """The server clock also runs in real time: a span is its clock moves plus a little."""
    return expected <= value < expected + SLACK


def test_details_metrics_and_conference_data(own):
    server, conf, token = own
    cid = create(conf, token, "Board")
    server.participants.join(
        cid,
        "u-host",
        device_type="Mac",
        version="7.1.0",
        camera_on=True,
        samples=[{"rtt": 30, "lossRate": 1, "jitter": 8}],
    )
    server.participants.join(cid, "ext-guest", "Guest")  # defaults: Win, 6.1.1, one default sample
    server.clock.advance(MINUTE)
    server.participants.report_network(
        cid, "u-host", [{"rtt": 500, "lossRate": 20, "jitter": 40, "sendBitRate": 1000}]
    )
    server.clock.advance(30_000)
    server.participants.leave(cid, "u-host")
    server.clock.advance(10_000)
    server.participants.join(cid, "u-host", device_type="Android")

    details = sdk(conf, token, "GetConfDetailData", cid, m.GetConfDetailDataRequest())
    assert details.next_token == ""
    first, guest, second = details.list
    t0, t1 = first.join_time, second.join_time
    assert near(guest.join_time, t0) and near(t1, t0 + 100_000)
    # The host's first stay: Mac, left after 90 s; mean loss 10.5 % is poor.
    assert near(first.duration, 90_000)
    assert first.to_map() == {
        "belongOrg": "true",
        "conferenceId": cid,
        "deviceType": "Mac",
        "duration": first.duration,
        "joinTime": t0,
        "leaveTime": t0 + first.duration,
        "networkQuality": "3",
        "nick": "Hana Host",
        "role": "主持人",
        "sessionId": first.session_id,
        "status": "已离开",
        "unionId": "u-host",
        "version": "7.1.0",
    }
    # The outsider is still inside: no leaveTime, the stay lasts until now.
    assert near(guest.duration, 100_000)
    assert guest.to_map() == {
        "belongOrg": "false",
        "conferenceId": cid,
        "deviceType": "Win",
        "duration": guest.duration,
        "joinTime": guest.join_time,
        "networkQuality": "1",
        "nick": "Guest",
        "role": "参会人",
        "sessionId": guest.session_id,
        "status": "在会中",
        "unionId": "ext-guest",
        "version": "6.1.1",
    }
    assert (second.union_id, second.device_type, second.status, second.role) == (
        "u-host",
        "Android",
        "在会中",
        "主持人",
    )
    assert second.leave_time is None and second.network_quality == "1"
    assert near(second.duration, 0)
    assert len({first.session_id, guest.session_id, second.session_id}) == 3

    by_nick = sdk(conf, token, "GetConfDetailData", cid, m.GetConfDetailDataRequest(nick="Hana"))
    assert [d.session_id for d in by_nick.list] == [first.session_id, second.session_id]
    page = sdk(conf, token, "GetConfDetailData", cid, m.GetConfDetailDataRequest(max_results=2))
    assert [d.session_id for d in page.list] == [first.session_id, guest.session_id]
    rest = sdk(
        conf,
        token,
        "GetConfDetailData",
        cid,
        m.GetConfDetailDataRequest(max_results=2, next_token=page.next_token),
    )
    assert [d.session_id for d in rest.list] == [second.session_id] and rest.next_token == ""

    metrics = sdk(
        conf,
        token,
        "GetUserMetricData",
        cid,
        m.GetUserMetricDataRequest(union_id="u-host", begin_time=t0, end_time=t1),
    ).metric_data_list
    reported = metrics[1].timestamp
    assert near(reported, t0 + MINUTE)
    # The join's samples are timed from the join; defaults fill what is left out.
    assert [x.to_map() for x in metrics] == [
        {
            "timestamp": t0,
            "roundTripTime": "30",
            "lostRate": "1",
            "sendBitRate": "1200000",
            "recvBitRate": "800000",
        },
        {
            "timestamp": reported,
            "roundTripTime": "500",
            "lostRate": "20",
            "sendBitRate": "1000",
            "recvBitRate": "800000",
        },
        {
            "timestamp": t1,
            "roundTripTime": "20",
            "lostRate": "0",
            "sendBitRate": "1200000",
            "recvBitRate": "800000",
        },
    ]
    window = sdk(
        conf,
        token,
        "GetUserMetricData",
        cid,
        m.GetUserMetricDataRequest(union_id="u-host", begin_time=t0 + 1, end_time=t1 - 1),
    ).metric_data_list
    assert [x.timestamp for x in window] == [reported]

    last = sdk(
        conf,
        token,
        "GetUserLastMetric",
        cid,
        m.GetUserLastMetricRequest(union_id_list=["u-host", "ext-guest", "u-never"]),
    ).metric_map
    assert set(last) == {"u-host", "ext-guest"}
    assert last["u-host"].to_map() == {
        "timestamp": t1,
        "roundTripTime": "20",
        "lostRate": "0",
        "sendBitRate": "1200000",
        "recvBitRate": "800000",
        "audioJitterAvg": "19",  # (8 + 40 + 10) / 3
        "audioJitterMax": "40",
    }
    assert last["ext-guest"].timestamp == guest.join_time

    running = sdk(
        conf,
        token,
        "GetConfDataByConferenceId",
        cid,
        m.GetConfDataByConferenceIdRequest(real_data=True),
    )
    assert near(running.time_length, 100_000)
    assert running.to_map() == {
        "conferenceId": cid,
        "creatorId": "u-host",
        "creatorNick": "Hana Host",
        "deptName": "Engineering",
        "freeType": "0",
        "scene": "ding_talk",
        "startTime": running.start_time,
        "timeLength": running.time_length,
        "title": "Board",
        "userCount": 2,
    }
    assert running.start_time <= t0
    server.clock.advance(5_000)
    sdk(conf, token, "CloseVideoConference", cid, m.CloseVideoConferenceRequest(union_id="u-host"))
    ended = sdk(
        conf,
        token,
        "GetConfDataByConferenceId",
        cid,
        m.GetConfDataByConferenceIdRequest(real_data=True),
    )
    assert ended.time_length == ended.end_time - ended.start_time
    assert near(ended.end_time, t1 + 5_000)
    after = sdk(conf, token, "GetConfDetailData", cid, m.GetConfDetailDataRequest()).list
    assert [(d.status, d.leave_time) for d in after[1:]] == [("已离开", ended.end_time)] * 2
    assert [d.duration for d in after] == [d.leave_time - d.join_time for d in after]


def test_samples_and_network_quality_levels(own):
    server, conf, token = own
    cid = create(conf, token)
    server.participants.join(cid, "u-alice", samples=[])  # a client that reported nothing
    server.participants.join(cid, "u-bob", samples=[{"rtt": 300, "lossRate": 5}])
    server.participants.join(cid, "u-carol", samples=[{"offsetMs": -1000, "rtt": 10}])
    server.participants.report_network(cid, "u-carol", [{"atMs": 1, "rtt": 10}])
    details = sdk(conf, token, "GetConfDetailData", cid, m.GetConfDetailDataRequest()).list
    quality = {d.union_id: d.network_quality for d in details}
    # Samples outside a stay do not count toward it.
    assert quality == {"u-alice": "-1", "u-bob": "2", "u-carol": "-1"}
    carol_joined = next(d.join_time for d in details if d.union_id == "u-carol")
    carol = sdk(
        conf,
        token,
        "GetUserMetricData",
        cid,
        m.GetUserMetricDataRequest(union_id="u-carol", begin_time=0, end_time=carol_joined),
    ).metric_data_list
    assert [x.timestamp for x in carol] == [1, carol_joined - 1000]
    empty = sdk(
        conf, token, "GetUserLastMetric", cid, m.GetUserLastMetricRequest(union_id_list=["u-alice"])
    )
    assert empty.metric_map == {}


def test_plain_http_json_types(server, http, token):
    cid = body_of(
        http.post(VIDEO, headers=auth(token), json={"userId": "u-host", "confTitle": "Types"})
    )["conferenceId"]
    server.participants.join(cid, "u-host", device_type="iOS", camera_on=True)
    server.participants.join(cid, "u-alice")
    server.participants.leave(cid, "u-alice")

    data = body_of(
        http.get(f"{VIDEO}/{cid}/infos", params={"realData": "true"}, headers=auth(token))
    )
    assert types(data) == CONF_DATA_FIELDS

    details = body_of(http.get(f"{VIDEO}/{cid}/details", headers=auth(token)))
    assert types(details) == {"list": list, "nextToken": str}
    host, alice = details["list"]
    assert types(host) == DETAIL_FIELDS
    assert types(alice) == DETAIL_FIELDS | {"leaveTime": int}
    assert (host["deviceType"], alice["deviceType"]) == ("iOS", "Win")

    metrics = body_of(
        http.get(
            f"{VIDEO}/{cid}/metricDatas",
            params={"unionId": "u-host", "beginTime": 0, "endTime": 4_000_000_000_000},
            headers=auth(token),
        )
    )
    assert types(metrics) == {"metricDataList": list}
    (sample,) = metrics["metricDataList"]
    assert types(sample) == METRIC_FIELDS

    last = body_of(
        http.post(
            f"{VIDEO}/{cid}/lastMetricDatas/query",
            json={"unionIdList": ["u-host", "u-alice"]},
            headers=auth(token),
        )
    )
    assert types(last) == {"metricMap": dict}
    assert set(last["metricMap"]) == {"u-host", "u-alice"}
    assert types(last["metricMap"]["u-host"]) == METRIC_FIELDS | {
        "audioJitterAvg": str,
        "audioJitterMax": str,
    }


def test_documented_errors(server, conf, acme_token, oauth):
    cid = create(conf, acme_token, "Errors")
    server.participants.join(cid, "u-host")
    unknown = "0123456789abcdef01234567"
    calls = {
        "GetConfDataByConferenceId": m.GetConfDataByConferenceIdRequest(real_data=True),
        "GetConfDetailData": m.GetConfDetailDataRequest(),
        "GetUserMetricData": m.GetUserMetricDataRequest(
            union_id="u-host", begin_time=0, end_time=1
        ),
        "GetUserLastMetric": m.GetUserLastMetricRequest(union_id_list=["u-host"]),
    }
    globex = token_of(oauth, "globex-app", "globex-secret")
    writer = token_of(oauth, "acme-writer", "writer-secret")
    denied = "Forbidden.AccessDenied.AccessTokenPermissionDenied"
    for action, request in calls.items():
        for who, where, status, code in [
            (acme_token, unknown, 404, "roomNotFound"),
            (acme_token, "not-an-id", 400, "paramError"),
            (globex, cid, 403, "noPermission"),
            (writer, cid, 403, denied),
        ]:
            assert_sdk_error(
                lambda a=action, r=request, t=who, w=where: sdk(conf, t, a, w, r), status, code
            )

    assert_sdk_error(
        lambda: sdk(
            conf, acme_token, "GetConfDataByConferenceId", cid, m.GetConfDataByConferenceIdRequest()
        ),
        400,
        "MissingrealData",
    )
    assert_sdk_error(
        lambda: sdk(
            conf,
            acme_token,
            "GetUserMetricData",
            cid,
            m.GetUserMetricDataRequest(begin_time=0, end_time=1),
        ),
        400,
        "MissingunionId",
    )
    assert_sdk_error(
        lambda: sdk(
            conf,
            acme_token,
            "GetUserMetricData",
            cid,
            m.GetUserMetricDataRequest(union_id="u-host", begin_time=2, end_time=1),
        ),
        400,
        "paramError",
    )
    assert_sdk_error(
        lambda: sdk(
            conf, acme_token, "GetUserLastMetric", cid, m.GetUserLastMetricRequest(union_id_list=[])
        ),
        400,
        "paramError",
    )
    assert_sdk_error(
        lambda: sdk(
            conf, acme_token, "GetConfDetailData", cid, m.GetConfDetailDataRequest(max_results=-1)
        ),
        400,
        "paramError",
    )


def test_plain_http_bad_parameters(server, http, token):
    cid = body_of(
        http.post(VIDEO, headers=auth(token), json={"userId": "u-host", "confTitle": "Bad"})
    )["conferenceId"]
    bad = [
        http.get(f"{VIDEO}/{cid}/infos", params={"realData": "maybe"}, headers=auth(token)),
        http.get(
            f"{VIDEO}/{cid}/metricDatas",
            params={"unionId": "u-host", "beginTime": "soon", "endTime": 1},
            headers=auth(token),
        ),
        http.get(f"{VIDEO}/{cid}/details", params={"maxResults": "many"}, headers=auth(token)),
        http.post(
            f"{VIDEO}/{cid}/lastMetricDatas/query",
            json={"unionIdList": "u-host"},
            headers=auth(token),
        ),
    ]
    assert [(r.status_code, r.json()["code"]) for r in bad] == [(400, "paramError")] * 4
    missing = http.post(f"{VIDEO}/{cid}/lastMetricDatas/query", json={}, headers=auth(token))
    assert (missing.status_code, missing.json()["code"]) == (400, "MissingunionIdList")


def test_control_api_devices_and_network(server, http, token):
    cid = body_of(
        http.post(
            VIDEO,
            headers=auth(token),
            json={"userId": "u-host", "confTitle": "Control", "inviteUserIds": ["u-bob"]},
        )
    )["conferenceId"]
    join = f"/_dingconf/conferences/{cid}/join"
    refused = [
        server.request("POST", join, {"unionId": "u-host", "device": {"deviceType": "Fax"}}),
        server.request(
            "POST", join, {"unionId": "u-host", "device": {"samples": [{"lossRate": 101}]}}
        ),
        server.request("POST", join, {"unionId": "u-host", "device": {"samples": [{"rtt": -1}]}}),
        server.request(
            "POST",
            f"/_dingconf/conferences/{cid}/network",
            {"unionId": "u-alice", "samples": [{}]},
        ),
        server.request("POST", f"/_dingconf/conferences/{cid}/decline", {"unionId": "u-alice"}),
    ]
    assert [(status, body["code"]) for status, _, body in refused] == [(400, "paramError")] * 5
    # A refused join lets nobody in.
    details = body_of(http.get(f"{VIDEO}/{cid}/details", headers=auth(token)))
    assert details["list"] == []
    status, _, body = server.request(
        "POST",
        "/_dingconf/conferences/0123456789abcdef01234567/network",
        {"unionId": "u", "samples": []},
    )
    assert (status, body["code"]) == (404, "roomNotFound")
    server.participants.decline(cid, "u-bob")
    # Declining twice: nobody rings Bob any more.
    status, _, body = server.request(
        "POST", f"/_dingconf/conferences/{cid}/decline", {"unionId": "u-bob"}
    )
    assert (status, body["code"]) == (400, "paramError")
