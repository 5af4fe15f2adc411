"""Booked meetings and the listings, through the official SDK and plain HTTP."""

import pytest
from alibabacloud_dingtalk.conference_1_0 import models as m

from lifecycle import HOUR, book, info, instances, join_room, read_pages, sdk, token_of

from sdk_errors import assert_sdk_error

SM = m.CreateScheduleConferenceRequestScheduleConfSettingModel
REC = m.CreateScheduleConferenceRequestScheduleConfSettingModelMoziConfOpenRecordSetting


def first_instance(conf, token, sid):
    return instances(conf, token, sid).conference_list[0].conference_id


def booking_with_instances(server, conf, token, n):
    """A booking and the ids of its ``n`` instances, oldest first; all but the last ended."""
    booked = book(conf, token)
    cids = [first_instance(conf, token, booked.schedule_conference_id)]
    while len(cids) < n:
        server.participants.join(cids[-1], "u-host")
        request = m.CloseVideoConferenceRequest(union_id="u-host")
        sdk(conf, token, "CloseVideoConference", cids[-1], request)
        cids.append(join_room(server, booked.room_code.replace(" ", ""), "u-host"))
    return booked, cids


def test_create_reply_and_query(server, conf, acme_token):
    booked = book(conf, acme_token, title="Board")
    assert len(booked.room_code) == 13 and booked.room_code[3] == booked.room_code[7] == " "
    assert booked.url.startswith(f"{server.url}/j/") and booked.phones == []
    q = sdk(
        conf,
        acme_token,
        "QueryScheduleConference",
        booked.schedule_conference_id,
        m.QueryScheduleConferenceRequest(request_union_id="u-bob"),
    )
    assert (q.title, q.room_code, q.url, q.end_time - q.start_time) == (
        "Board",
        booked.room_code,
        booked.url,
        HOUR,
    )
    # Plain HTTP: exact JSON types.
    cid = first_instance(conf, acme_token, booked.schedule_conference_id)
    status, _, body = server.request(
        "GET",
        f"/v1.0/conference/videoConferences/{cid}",
        headers={"x-acs-dingtalk-access-token": acme_token},
    )
    assert status == 200 and body["confInfo"]["bizType"] == "3" and body["confInfo"]["status"] == 0
    assert "endTime" not in body["confInfo"]


def test_update_cancel_and_their_errors(conf, oauth, acme_token):
    sid = book(conf, acme_token).schedule_conference_id
    cid = first_instance(conf, acme_token, sid)
    update = m.UpdateScheduleConferenceRequest(
        creator_union_id="u-host",
        schedule_conference_id=sid,
        title="Moved",
        start_time=1_950_000_000_000,
        end_time=1_950_000_000_000 + HOUR,
    )
    assert sdk(conf, acme_token, "UpdateScheduleConference", update).success is True
    assert (info(conf, acme_token, cid).title, info(conf, acme_token, cid).start_time) == (
        "Moved",
        1_950_000_000_000,
    )

    globex = token_of(oauth, "globex-app", "globex-secret")
    assert_sdk_error(
        lambda: sdk(conf, globex, "UpdateScheduleConference", update), 400, "permissionError"
    )
    wrong = m.UpdateScheduleConferenceRequest(
        creator_union_id="u-bob", schedule_conference_id=sid, title="x", start_time=1, end_time=2
    )
    assert_sdk_error(
        lambda: sdk(conf, acme_token, "UpdateScheduleConference", wrong), 400, "permissionError"
    )
    backwards = m.UpdateScheduleConferenceRequest(
        creator_union_id="u-host", schedule_conference_id=sid, title="x", start_time=5, end_time=2
    )
    assert_sdk_error(
        lambda: sdk(conf, acme_token, "UpdateScheduleConference", backwards), 400, "paramsError"
    )

    cancel = m.CancelScheduleConferenceRequest(
        creator_union_id="u-host", schedule_conference_id=sid
    )
    assert_sdk_error(
        lambda: sdk(conf, globex, "CancelScheduleConference", cancel), 400, "permissionError"
    )
    not_creator = m.CancelScheduleConferenceRequest(
        creator_union_id="u-bob", schedule_conference_id=sid
    )
    assert_sdk_error(
        lambda: sdk(conf, acme_token, "CancelScheduleConference", not_creator),
        400,
        "permissionError",
    )
    assert sdk(conf, acme_token, "CancelScheduleConference", cancel).success is True
    i = info(conf, acme_token, cid)
    assert (i.status, i.conf_duration) == (1, 0)
    assert_sdk_error(
        lambda: sdk(conf, acme_token, "UpdateScheduleConference", update), 400, "resourceCancel"
    )
    assert_sdk_error(
        lambda: sdk(
            conf,
            acme_token,
            "QueryScheduleConference",
            sid,
            m.QueryScheduleConferenceRequest(request_union_id="u-host"),
        ),
        400,
        "resourceCancel",
    )


def test_create_errors(conf, oauth, acme_token):
    for kwargs in [
        dict(creator="nobody"),
        dict(title=""),
        dict(settings=SM(host_union_id="nobody")),
    ]:
        assert_sdk_error(lambda k=kwargs: book(conf, acme_token, **k), 400, "paramsError")
    reader = token_of(oauth, "acme-reader", "reader-secret")
    assert_sdk_error(
        lambda: book(conf, reader), 403, "Forbidden.AccessDenied.AccessTokenPermissionDenied"
    )
    missing = m.CreateScheduleConferenceRequest(creator_union_id="u-host", title="t", start_time=1)
    assert_sdk_error(
        lambda: sdk(conf, acme_token, "CreateScheduleConference", missing), 400, "MissingendTime"
    )


def test_settings_query_update_and_record_auto_start(server, conf, oauth, acme_token):
    settings = SM(
        host_union_id="u-alice",
        cohost_union_ids=["u-bob"],
        lock_room=0,
        mozi_conf_open_record_setting=REC(record_auto_start=1, record_auto_start_type=1),
    )
    sid = book(conf, acme_token, settings=settings).schedule_conference_id
    q = sdk(
        conf,
        acme_token,
        "QueryScheduleConfSettings",
        m.QueryScheduleConfSettingsRequest(schedule_conference_id=sid),
    ).schedule_conf_setting_model
    assert (q.host_union_id, q.cohost_union_ids, q.lock_room) == ("u-alice", ["u-bob"], 0)

    upd = m.UpdateScheduleConfSettingsRequest(
        creator_union_id="u-host",
        schedule_conference_id=sid,
        schedule_conf_setting_model=m.UpdateScheduleConfSettingsRequestScheduleConfSettingModel(
            lock_room=1
        ),
    )
    globex = token_of(oauth, "globex-app", "globex-secret")
    assert_sdk_error(
        lambda: sdk(conf, globex, "UpdateScheduleConfSettings", upd), 403, "noPermission"
    )
    assert sdk(conf, acme_token, "UpdateScheduleConfSettings", upd).success is True
    q = sdk(
        conf,
        acme_token,
        "QueryScheduleConfSettings",
        m.QueryScheduleConfSettingsRequest(schedule_conference_id=sid),
    ).schedule_conf_setting_model
    assert (q.host_union_id, q.lock_room) == ("u-alice", 1)  # merged, not replaced
    assert_sdk_error(
        lambda: sdk(
            conf,
            globex,
            "QueryScheduleConfSettings",
            m.QueryScheduleConfSettingsRequest(schedule_conference_id=sid),
        ),
        403,
        "noPermission",
    )

    cid = first_instance(conf, acme_token, sid)
    status, _, body = server.request(
        "POST", f"/_dingconf/conferences/{cid}/join", {"unionId": "u-carol"}
    )
    assert (status, body["code"]) == (400, "conferenceLocked")  # lockRoom now 1
    server.participants.join(cid, "u-bob")  # a co-host gets in and starts the recording (type 1)
    i = info(conf, acme_token, cid)
    # Owned by the organiser (the creator), not the host.
    assert (i.status, i.cloud_record_status, i.cloud_record_owner_union_id) == (2, 1, "u-host")


def test_instances_paging_and_roomcode_query(server, conf, oauth, acme_token):
    booked, cids = booking_with_instances(server, conf, acme_token, 3)
    sid, room = booked.schedule_conference_id, booked.room_code.replace(" ", "")
    # Only the last instance (the SDK: "currently only the last meeting").
    page = instances(conf, acme_token, sid, max_results=2)
    assert ([c.conference_id for c in page.conference_list], page.next_token, page.total_count) == (
        cids[-1:],
        "",
        1,
    )
    page = instances(conf, acme_token, sid, max_results=2, next_token="1")
    assert ([c.conference_id for c in page.conference_list], page.next_token) == ([], "")

    def by_room(code, **paging):
        return sdk(
            conf,
            acme_token,
            "QueryConferenceInfoByRoomCode",
            code,
            m.QueryConferenceInfoByRoomCodeRequest(**paging),
        )

    full = by_room(booked.room_code)  # the spaced form works too
    assert [c.conference_id for c in full.conference_list] == cids
    assert (full.has_more, full.total_count, full.next_token) == (False, 3, "")
    assert {c.schedule_conference_id for c in full.conference_list} == {sid}
    assert (
        full.conference_list[0].conf_duration is not None
        and full.conference_list[2].end_time is None
    )
    part = by_room(room, max_results=3)
    assert (part.has_more, part.next_token, len(part.conference_list)) == (False, "", 3)
    part = by_room(room, max_results=1)
    assert (part.has_more, part.next_token) == (True, "1")
    assert_sdk_error(lambda: by_room("12345678901"), 400, "invalidRoomCode")  # never used
    assert_sdk_error(lambda: by_room("12a"), 400, "invalidRoomCode")
    globex = token_of(oauth, "globex-app", "globex-secret")
    assert_sdk_error(
        lambda: sdk(
            conf,
            globex,
            "QueryConferenceInfoByRoomCode",
            room,
            m.QueryConferenceInfoByRoomCodeRequest(),
        ),
        403,
        "noPermission",
    )
    assert_sdk_error(lambda: instances(conf, globex, sid), 400, "invalidScheduleConferenceId")


@pytest.mark.parametrize("n", [0, 1, 3, 4])
def test_org_list_paging_at_page_boundaries(fresh_server, n):
    from alibabacloud_dingtalk.conference_1_0.client import Client

    from conftest import sdk_config

    conf = Client(sdk_config(fresh_server))
    token = fresh_server.token("acme-app", "acme-secret")
    made = [
        sdk(
            conf,
            token,
            "CreateVideoConference",
            m.CreateVideoConferenceRequest(user_id="u-host", conf_title=f"m{i}"),
        ).conference_id
        for i in range(n)
    ]

    def fetch(next_token):
        request = m.QueryOrgConferenceListRequest(max_results=3, next_token=next_token)
        page = sdk(conf, token, "QueryOrgConferenceList", request)
        assert (page.total_count, page.has_more) == (n, page.next_token != "")
        assert all(c.status == 2 and c.biz_type == "0" for c in page.on_going_conf_list)
        return page.on_going_conf_list, page.next_token

    found = [c.conference_id for page in read_pages(fetch, n, 3) for c in page]
    assert sorted(found) == sorted(made)


def test_history_user_ongoing_and_batch(fresh_server):
    from alibabacloud_dingtalk.conference_1_0.client import Client

    from conftest import sdk_config

    conf = Client(sdk_config(fresh_server))
    token = fresh_server.token("acme-app", "acme-secret")

    def create(title):
        return sdk(
            conf,
            token,
            "CreateVideoConference",
            m.CreateVideoConferenceRequest(user_id="u-host", conf_title=title),
        ).conference_id

    old, kept, running = create("Retro"), create("Standup"), create("Live")
    fresh_server.participants.join(kept, "u-bob")
    fresh_server.participants.join(running, "u-bob")
    fresh_server.clock.advance(60_000)
    for cid in (old, kept):
        sdk(
            conf,
            token,
            "CloseVideoConference",
            cid,
            m.CloseVideoConferenceRequest(union_id="u-host"),
        )
    now = fresh_server.clock.advance(0)

    def history(**kw):
        request = m.GetHistoryConfDataListRequest(start_time=0, end_time=now, real_data=True, **kw)
        return sdk(conf, token, "GetHistoryConfDataList", request)

    assert sorted(x.conference_id for x in history().list) == sorted([old, kept])
    (item,) = history(title="Stand").list
    assert (item.conference_id, item.user_count, item.time_length) == (
        kept,
        1,
        item.end_time - item.start_time,
    )
    assert item.time_length >= 60_000 and item.scene == "ding_talk"
    assert history(creator_nike="Nobody").list == []
    assert_sdk_error(
        lambda: sdk(
            conf,
            token,
            "GetHistoryConfDataList",
            m.GetHistoryConfDataListRequest(start_time=0, end_time=1),
        ),
        400,
        "MissingrealData",
    )

    ongoing = sdk(
        conf,
        token,
        "QueryUserOnGoingConference",
        m.QueryUserOnGoingConferenceRequest(union_id="u-bob"),
    )
    assert ongoing.on_going_conf_id_list == [running]
    assert ongoing.member_model_map[running].attend_status == 3
    assert ongoing.member_model_map[running].duration >= 60_000

    batch = sdk(
        conf,
        token,
        "QueryConferenceInfoBatch",
        m.QueryConferenceInfoBatchRequest(conference_id_list=[old, running]),
    )
    assert [(i.conference_id, i.status, i.title) for i in batch.infos] == [(running, 2, "Live")]
    assert_sdk_error(
        lambda: sdk(
            conf,
            token,
            "QueryConferenceInfoBatch",
            m.QueryConferenceInfoBatchRequest(conference_id_list=["bad"]),
        ),
        400,
        "paramsError",
    )
    globex = fresh_server.token("globex-app", "globex-secret")
    assert (
        sdk(
            conf,
            globex,
            "QueryConferenceInfoBatch",
            m.QueryConferenceInfoBatchRequest(conference_id_list=[running]),
        ).infos
        == []
    )
    assert (
        sdk(
            conf,
            globex,
            "QueryUserOnGoingConference",
            m.QueryUserOnGoingConferenceRequest(union_id="u-bob"),
        ).on_going_conf_id_list
        == []
    )


def _room_code_fetch(conf, token, code, n):
    def fetch(next_token):
        request = m.QueryConferenceInfoByRoomCodeRequest(max_results=3, next_token=next_token)
        page = sdk(conf, token, "QueryConferenceInfoByRoomCode", code, request)
        assert (page.total_count, page.has_more) == (n, page.next_token != "")
        return page.conference_list, page.next_token

    return fetch


def test_room_code_paging_of_an_unused_code(conf, acme_token):
    # Nothing ever used this code (roomCodes are 11 digits): "会议码无效", not an empty page.
    fetch = _room_code_fetch(conf, acme_token, "1234", 0)
    assert_sdk_error(lambda: fetch(None), 400, "invalidRoomCode")
    assert_sdk_error(lambda: fetch("3"), 400, "invalidRoomCode")


@pytest.mark.parametrize("n", [1, 3, 4])
def test_instances_and_room_code_paging_at_page_boundaries(server, conf, acme_token, n):
    booked, cids = booking_with_instances(server, conf, acme_token, n)
    sid, room = booked.schedule_conference_id, booked.room_code.replace(" ", "")

    def fetch_instances(next_token):
        page = instances(conf, acme_token, sid, max_results=3, next_token=next_token)
        assert page.total_count == 1  # only the last instance, however many there were
        return page.conference_list, page.next_token

    last = read_pages(fetch_instances, 1, 3)
    assert [c.conference_id for page in last for c in page] == cids[-1:]
    oldest_first = read_pages(_room_code_fetch(conf, acme_token, room, n), n, 3)
    assert [c.conference_id for page in oldest_first for c in page] == cids


@pytest.mark.parametrize("n", [0, 1, 3, 4])
def test_history_paging_at_page_boundaries(fresh_server, n):
    from alibabacloud_dingtalk.conference_1_0.client import Client

    from conftest import sdk_config

    conf = Client(sdk_config(fresh_server))
    token = fresh_server.token("acme-app", "acme-secret")

    def create(title):
        request = m.CreateVideoConferenceRequest(user_id="u-host", conf_title=title)
        return sdk(conf, token, "CreateVideoConference", request).conference_id

    def close(cid):
        request = m.CloseVideoConferenceRequest(union_id="u-host")
        sdk(conf, token, "CloseVideoConference", cid, request)

    close(create("before the window"))
    start = fresh_server.clock.advance(60_000)
    made = []
    for i in range(n):
        made.append(create(f"m{i}"))
        close(made[-1])
        fresh_server.clock.advance(1_000)
    create("still running")  # not history yet
    end = fresh_server.clock.advance(60_000)
    fresh_server.clock.advance(1)  # the window includes its end
    close(create("after the window"))

    def fetch(next_token):
        request = m.GetHistoryConfDataListRequest(
            start_time=start, end_time=end, real_data=True, max_results=3, next_token=next_token
        )
        page = sdk(conf, token, "GetHistoryConfDataList", request)
        return page.list, page.next_token

    found = [x.conference_id for page in read_pages(fetch, n, 3) for x in page]
    assert found == made
