"""Plain-HTTP success bodies of the lifecycle operations: exact keys, JSON types, no nulls.

The key sets follow the official SDK models (``conference_1_0/models.py``) and
spec §4.4/§4.5; fields dingconf does not model (``deptName``,
``rejectDescription``, ``jobNumber``...) are absent rather than ``null``.
"""

from typing import Any

import httpx
import pytest

from dingconf.testing.plugin import DingconfServer

from conftest import auth

VIDEO = "/v1.0/conference/videoConferences"
BOOKINGS = "/v1.0/conference/scheduleConferences"
START = 1_900_000_000_000
HOUR = 3_600_000

MEMBER = {
    "unionId": str,
    "conferenceId": str,
    "userNick": str,
    "attendStatus": int,
    "duration": int,
    "host": bool,
    "coHost": bool,
    "pstnJoin": bool,
}
INSIDE = MEMBER | {"joinTime": int}
LEFT = INSIDE | {"leaveTime": int}
LISTED_CONFERENCE = {
    "conferenceId": str,
    "title": str,
    "roomCode": str,
    "status": int,
    "startTime": int,
    "creatorId": str,
    "creatorNick": str,
    "bizType": str,
}
# QueryOrgConferenceList sends endTime even for a meeting in progress (its doc example).
ORG_LISTED = LISTED_CONFERENCE | {"endTime": int}
ROOM_CODE_ITEM = LISTED_CONFERENCE | {"externalLinkUrl": str}
ROOM_CODE_ENDED = ROOM_CODE_ITEM | {"endTime": int, "confDuration": int}
PAGE = {"nextToken": str, "hasMore": bool, "totalCount": int}
BOOKING_REPLY = {
    "requestId": str,
    "scheduleConferenceId": str,
    "roomCode": str,
    "url": str,
    "phones": list,
}


def types(obj: dict[str, Any]) -> dict[str, type]:
    return {k: type(v) for k, v in obj.items()}


def no_nulls(value: Any) -> None:
    """No ``null`` anywhere in a decoded body."""
    assert value is not None
    if isinstance(value, dict):
        for item in value.values():
            no_nulls(item)
    elif isinstance(value, list):
        for item in value:
            no_nulls(item)


def ok(resp: httpx.Response) -> Any:
    """The JSON body of a 200 reply, checked for nulls."""
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "application/json;charset=utf-8"
    body = resp.json()
    no_nulls(body)
    return body


def create(http: httpx.Client, token: str, title: str = "Wire", **extra: Any) -> str:
    body = ok(
        http.post(
            VIDEO, headers=auth(token), json={"userId": "u-host", "confTitle": title, **extra}
        )
    )
    return str(body["conferenceId"])


def close(http: httpx.Client, token: str, cid: str) -> None:
    resp = http.delete(f"{VIDEO}/{cid}", params={"unionId": "u-host"}, headers=auth(token))
    # CloseVideoConference keeps its own shape: code is a number here.
    assert ok(resp) == {"code": 200, "cause": "success"}


def room_code(http: httpx.Client, token: str, cid: str) -> str:
    return str(ok(http.get(f"{VIDEO}/{cid}", headers=auth(token)))["confInfo"]["roomCode"])


def guest(cid: str) -> str:
    """The outsider of one meeting (the server is shared: ids must not collide)."""
    return f"guest-{cid}"


@pytest.fixture
def meeting(server: DingconfServer, http: httpx.Client, token: str) -> str:
    """A running meeting: the host and an outsider inside, Alice left, Bob being rung."""
    cid = create(http, token, inviteUserIds=["u-bob"])
    server.participants.join(cid, "u-host")
    server.participants.join(cid, "u-alice")
    server.participants.leave(cid, "u-alice")
    server.participants.join(cid, guest(cid), nick="Visitor")
    return cid


def test_members_body(http, token, meeting):
    body = ok(http.get(f"{VIDEO}/{meeting}/members", headers=auth(token)))
    assert types(body) == {"memberModels": list, "nextToken": str, "totalCount": int}
    assert (body["nextToken"], body["totalCount"]) == ("", 4)
    by_id = {m["unionId"]: m for m in body["memberModels"]}
    assert types(by_id["u-bob"]) == MEMBER  # rung, never inside: no joinTime
    assert types(by_id["u-host"]) == INSIDE  # inside: no leaveTime, no outerOrgMember
    assert types(by_id["u-alice"]) == LEFT
    assert types(by_id[guest(meeting)]) == INSIDE | {"outerOrgMember": bool}
    assert by_id[guest(meeting)]["outerOrgMember"] is True
    assert [by_id[u]["attendStatus"] for u in ("u-bob", "u-host", "u-alice")] == [2, 3, 6]
    assert (by_id["u-host"]["host"], by_id["u-alice"]["host"]) == (True, False)
    assert all(m["conferenceId"] == meeting and m["pstnJoin"] is False for m in by_id.values())


def test_batch_body(http, token, meeting):
    ended = create(http, token)
    close(http, token, ended)
    body = ok(
        http.post(
            f"{VIDEO}/query", headers=auth(token), json={"conferenceIdList": [meeting, ended]}
        )
    )
    assert list(body) == ["infos"]
    (info,) = body["infos"]
    assert types(info) == {
        "conferenceId": str,
        "title": str,
        "startTime": int,
        "status": int,
        "mediaStatus": int,
        "userList": list,
    }
    assert (info["conferenceId"], info["status"], info["mediaStatus"]) == (meeting, 2, 0)
    user_keys = {"userId": str, "nick": str, "attendStatus": int, "cameraStatus": int}
    assert all(types(u) == user_keys | {"micStatus": int} for u in info["userList"])
    assert {u["userId"]: u["nick"] for u in info["userList"]} == {
        "u-bob": "Bob",
        "u-host": "Hana Host",
        "u-alice": "Alice",
        guest(meeting): "Visitor",
    }


def test_room_code_body_while_running_and_after_close(http, token, meeting):
    code = room_code(http, token, meeting)
    body = ok(http.get(f"/v1.0/conference/roomCodes/{code}/infos", headers=auth(token)))
    assert types(body) == PAGE | {"conferenceList": list}
    (item,) = body["conferenceList"]
    assert types(item) == ROOM_CODE_ITEM  # endTime and confDuration only once ended
    assert (item["conferenceId"], item["bizType"], item["status"]) == (meeting, "0", 2)
    close(http, token, meeting)
    body = ok(http.get(f"/v1.0/conference/roomCodes/{code}/infos", headers=auth(token)))
    (item,) = body["conferenceList"]
    assert types(item) == ROOM_CODE_ENDED
    assert item["confDuration"] == item["endTime"] - item["startTime"]


def test_booked_room_code_item_names_its_booking(http, token):
    booked = book(http, token)
    code = booked["roomCode"].replace(" ", "")
    body = ok(http.get(f"/v1.0/conference/roomCodes/{code}/infos", headers=auth(token)))
    (item,) = body["conferenceList"]
    assert types(item) == ROOM_CODE_ITEM | {"scheduleConferenceId": str}
    assert (item["scheduleConferenceId"], item["bizType"], item["status"]) == (
        booked["scheduleConferenceId"],
        "3",
        0,
    )


def test_org_list_body(http, token, meeting):
    # Other tests leave meetings running on the shared server: read them all.
    body = ok(
        http.get(
            "/v1.0/conference/orgConferences", params={"maxResults": 1000}, headers=auth(token)
        )
    )
    assert types(body) == PAGE | {"onGoingConfList": list}
    assert all(types(c) == ORG_LISTED for c in body["onGoingConfList"])
    assert meeting in {c["conferenceId"] for c in body["onGoingConfList"]}
    assert {c["status"] for c in body["onGoingConfList"]} == {2}


def test_user_ongoing_body(http, token, meeting):
    resp = http.get(
        "/v1.0/conference/users/lists", params={"unionId": guest(meeting)}, headers=auth(token)
    )
    body = ok(resp)
    assert types(body) == {"onGoingConfIdList": list, "memberModelMap": dict}
    assert body["onGoingConfIdList"] == [meeting]
    assert list(body["memberModelMap"]) == [meeting]
    assert types(body["memberModelMap"][meeting]) == INSIDE | {
        "outerOrgMember": bool,
        "deviceType": str,
    }
    nobody = ok(
        http.get(
            "/v1.0/conference/users/lists", params={"unionId": "never-joined"}, headers=auth(token)
        )
    )
    assert nobody == {"onGoingConfIdList": [], "memberModelMap": {}}


def test_history_body(http, token, meeting):
    close(http, token, meeting)
    body = ok(
        http.get(
            f"{VIDEO}/histories/dataLists",
            params={"startTime": 0, "endTime": 4_000_000_000_000, "realData": "true"},
            headers=auth(token),
        )
    )
    assert types(body) == {"nextToken": str, "list": list}
    (item,) = [x for x in body["list"] if x["conferenceId"] == meeting]
    assert item["deptName"] == "Engineering"  # the creator u-host's department in the seed
    assert types(item) == {
        "conferenceId": str,
        "title": str,
        "creatorId": str,
        "creatorNick": str,
        "deptName": str,
        "startTime": int,
        "endTime": int,
        "timeLength": int,
        "userCount": int,
        "freeType": str,
        "scene": str,
    }
    assert item["timeLength"] == item["endTime"] - item["startTime"]
    assert (item["userCount"], item["freeType"], item["scene"]) == (3, "0", "ding_talk")


def book(http: httpx.Client, token: str, **extra: Any) -> dict[str, Any]:
    body = ok(
        http.post(
            BOOKINGS,
            headers=auth(token),
            json={
                "creatorUnionId": "u-host",
                "title": "Booked",
                "startTime": START,
                "endTime": START + HOUR,
                **extra,
            },
        )
    )
    assert types(body) == BOOKING_REPLY
    return dict(body)


def test_booking_bodies(http, token):
    booked = book(http, token)
    sid = booked["scheduleConferenceId"]
    assert booked["phones"] == [] and booked["roomCode"].replace(" ", "").isdigit()

    body = ok(
        http.get(
            f"{BOOKINGS}/{sid}/infos", params={"requestUnionId": "u-host"}, headers=auth(token)
        )
    )
    assert types(body) == BOOKING_REPLY | {"title": str, "startTime": int, "endTime": int}
    assert {k: body[k] for k in ("scheduleConferenceId", "roomCode", "url", "phones")} == {
        k: booked[k] for k in ("scheduleConferenceId", "roomCode", "url", "phones")
    }
    assert (body["title"], body["startTime"], body["endTime"]) == ("Booked", START, START + HOUR)

    body = ok(http.get(f"{VIDEO}/scheduleConferences/{sid}", headers=auth(token)))
    assert types(body) == {"nextToken": str, "totalCount": int, "conferenceList": list}
    (instance,) = body["conferenceList"]
    instance_keys = {"conferenceId": str, "title": str, "roomCode": str, "status": int}
    # endTime always (the doc example); before it ends, the booked end.
    assert types(instance) == instance_keys | {"startTime": int, "endTime": int}
    assert (instance["status"], instance["startTime"], instance["endTime"]) == (
        0,
        START,
        START + HOUR,
    )
    assert body["nextToken"] == ""


def test_booking_settings_body_sparse_and_full(http, token):
    sparse = book(http, token)["scheduleConferenceId"]
    body = ok(
        http.get(
            f"{BOOKINGS}/settings", params={"scheduleConferenceId": sparse}, headers=auth(token)
        )
    )
    assert body == {
        "scheduleConfSettingModel": {
            "hostUnionId": "u-host",
            "cohostUnionIds": [],
            "moziConfVirtualExtraSetting": {"moziConfExtensionAppSettings": []},
        }
    }
    setting = {
        "hostUnionId": "u-alice",
        "cohostUnionIds": ["u-bob"],
        "confAllowedCorpId": "dingacme",
        "lockRoom": 1,
        "screenShareForbidden": 0,
        "muteOnJoin": -1,
        "moziConfVirtualExtraSetting": {
            "waitingRoom": 1,
            "joinBeforeHost": 0,
            "enableChat": 1,
            "lockNick": 0,
            "lockMediaStatusMicMute": 1,
            "enableWebAnonymousJoin": True,
            "moziConfExtensionAppSettings": [
                {"coolAppCode": "COOL", "autoOpenMode": 2, "extensionAppBizData": "{}"}
            ],
        },
    }
    full = book(http, token, scheduleConfSettingModel=setting)["scheduleConferenceId"]
    body = ok(
        http.get(f"{BOOKINGS}/settings", params={"scheduleConferenceId": full}, headers=auth(token))
    )
    extra = setting["moziConfVirtualExtraSetting"]
    # autoOpenMode comes back as a string, with the creating app as clientId (SDK model).
    app = {"coolAppCode": "COOL", "autoOpenMode": "2", "extensionAppBizData": "{}"}
    assert body == {
        "scheduleConfSettingModel": setting
        | {
            "moziConfVirtualExtraSetting": extra
            | {"moziConfExtensionAppSettings": [app | {"clientId": "acme-app"}]}
        }
    }


def test_write_replies(http, token, meeting):
    one = f"{VIDEO}/{meeting}"
    invite = {"inviteeList": [{"unionId": "u-carol", "nick": "Carol"}]}
    success = {"success": True}
    assert ok(http.post(f"{one}/users/invite", headers=auth(token), json=invite)) == success
    kick = {"userList": [{"unionId": "u-carol"}]}
    assert ok(http.post(f"{one}/members/kick", headers=auth(token), json=kick)) == success
    host = {"unionId": "u-host"}
    # The recording replies carry code as a *string* (spec §4.5.4, §4.5.5).
    assert ok(http.post(f"{one}/cloudRecords/start", headers=auth(token), json=host)) == {
        "code": "200"
    }
    assert ok(http.post(f"{one}/cloudRecords/stop", headers=auth(token), json=host)) == {
        "code": "200"
    }
    close(http, token, meeting)
