"""Booking settings, recording layouts and extension apps as DingTalk's pages state them.

Issue 23 (fidelity round 3), items 1, 3, 4, 5 and 9. Each test names the page
(``fuxun2008/dingtalk-docs``, ``zh/open/development/<slug>.mdx``) it follows.
"""

import json

import pytest
from alibabacloud_dingtalk.conference_1_0 import models as m

from lifecycle import book, info, instances, sdk

from sdk_errors import assert_sdk_error

SM = m.CreateScheduleConferenceRequestScheduleConfSettingModel
USM = m.UpdateScheduleConfSettingsRequestScheduleConfSettingModel
EXTRA = m.CreateScheduleConferenceRequestScheduleConfSettingModelMoziConfVirtualExtraSetting
APP = m.CreateScheduleConferenceRequestScheduleConfSettingModelMoziConfVirtualExtraSettingMoziConfExtensionAppSettings  # noqa: E501
REC = m.CreateScheduleConferenceRequestScheduleConfSettingModelMoziConfOpenRecordSetting

#: One value outside each list the booking pages give (create-appointment-meeting,
#: api-updatescheduleconfsettings), as a ``scheduleConfSettingModel``.
OUTSIDE_THE_LISTS = [
    {"lockRoom": 2},
    {"screenShareForbidden": -1},
    {"muteOnJoin": 5},
    {"moziConfVirtualExtraSetting": {"waitingRoom": 3}},
    {"moziConfVirtualExtraSetting": {"joinBeforeHost": 2}},
    {"moziConfVirtualExtraSetting": {"enableChat": 2}},
    {"moziConfVirtualExtraSetting": {"lockNick": 2}},
    {"moziConfVirtualExtraSetting": {"lockMediaStatusMicMute": 2}},
    {"moziConfVirtualExtraSetting": {"minutesSummaryTemplateType": "2"}},
    {
        "moziConfVirtualExtraSetting": {
            "moziConfExtensionAppSettings": [{"coolAppCode": "COOLAPP-1", "autoOpenMode": 3}]
        }
    },
    {"moziConfOpenRecordSetting": {"recordAutoStart": 2}},
    {"moziConfOpenRecordSetting": {"recordAutoStartType": 3}},
    {"moziConfOpenRecordSetting": {"mode": "tiles"}},
    {"moziConfOpenRecordSetting": {"restrictShareMinutesSummaryOnly": 2}},
    {"aiAgentSummarySetting": {"value": "on"}},
    {"aiAgentSummarySetting": {"receiverType": 2}},
    {"aiAgentSummarySetting": {"allowAllParticipantsStart": 2}},
    {"aiAgentSummarySetting": {"restrictShareMinutesSummaryOnly": 2}},
]


#: Booked in the past: a pending instance that starts in the future would lead the
#: shared server's newest-first meeting lists (the console overview's test relies on them).
PAST = 1_600_000_000_000


def _book(conf, token, **kwargs):
    return book(conf, token, start=PAST, **kwargs)


def _update(conf, token, sid, model, creator="u-host"):
    request = m.UpdateScheduleConfSettingsRequest(
        creator_union_id=creator,
        schedule_conference_id=sid,
        schedule_conf_setting_model=None if model is None else USM().from_map(model),
    )
    return sdk(conf, token, "UpdateScheduleConfSettings", request)


def _stored_settings(server, sid):
    """The booking's settings as the store keeps them (control API state export)."""
    (org,) = server.state.export("dingacme")["orgs"]
    (row,) = [b for b in org["bookings"] if b["schedule_conference_id"] == sid]
    return json.loads(row["settings"])


def _auto_recorded_owner(server, conf, token, settings, joiner):
    sid = _book(conf, token, settings=settings).schedule_conference_id
    cid = instances(conf, token, sid).conference_list[0].conference_id
    server.participants.join(cid, joiner)
    i = info(conf, token, cid)
    assert i.cloud_record_status == 1
    return i.cloud_record_owner_union_id


def test_record_owner_defaults_to_the_organiser_not_the_host(server, conf, acme_token):
    # create-appointment-meeting / api-updatescheduleconfsettings: cloudRecordOwnerUnionId
    # "云录制归属人，默认归属到预约会议组织者" -- the organiser is the creator, not hostUnionId.
    anyone = REC(record_auto_start=1, record_auto_start_type=2)
    hosted_by_alice = SM(host_union_id="u-alice", mozi_conf_open_record_setting=anyone)
    owner = _auto_recorded_owner(server, conf, acme_token, hosted_by_alice, "u-bob")
    assert owner == "u-host"
    named = SM(
        host_union_id="u-alice",
        mozi_conf_open_record_setting=anyone,
        mozi_conf_virtual_extra_setting=EXTRA(cloud_record_owner_union_id="u-carol"),
    )
    assert _auto_recorded_owner(server, conf, acme_token, named, "u-bob") == "u-carol"


def test_settings_of_a_cancelled_booking_answer_from_the_table(conf, acme_token):
    # api-updatescheduleconfsettings' table has no resourceCancel; a cancelled booking
    # is a wrong scheduleConferenceId, as CreateCustomShortLink already answers.
    sid = _book(conf, acme_token).schedule_conference_id
    cancel = m.CancelScheduleConferenceRequest(
        creator_union_id="u-host", schedule_conference_id=sid
    )
    sdk(conf, acme_token, "CancelScheduleConference", cancel)
    assert_sdk_error(
        lambda: _update(conf, acme_token, sid, {"lockRoom": 1}), 400, "scheduleConferenceIdError"
    )
    assert_sdk_error(lambda: _update(conf, acme_token, sid, None), 400, "scheduleConferenceIdError")
    link = m.CreateCustomShortLinkRequest(
        creator_union_id="u-host", schedule_conference_id=sid, cool_app_code="COOLAPP-1"
    )
    assert_sdk_error(
        lambda: sdk(conf, acme_token, "CreateCustomShortLink", link),
        400,
        "scheduleConferenceIdError",
    )


def test_minutes_owner_is_read_stored_and_checked(server, conf, acme_token):
    # Both booking pages: minutesOwnerUnionId "闪记归属人" beside cloudRecordOwnerUnionId.
    outsider = EXTRA(minutes_owner_union_id="g-host")
    assert_sdk_error(
        lambda: _book(conf, acme_token, settings=SM(mozi_conf_virtual_extra_setting=outsider)),
        400,
        "paramsError",
    )
    inside = EXTRA(minutes_owner_union_id="u-alice")
    sid = _book(
        conf, acme_token, settings=SM(mozi_conf_virtual_extra_setting=inside)
    ).schedule_conference_id
    assert _stored_settings(server, sid)["minutes_owner"] == "u-alice"

    outside = {"moziConfVirtualExtraSetting": {"minutesOwnerUnionId": "g-host"}}
    assert_sdk_error(lambda: _update(conf, acme_token, sid, outside), 400, "userNotInOrg")
    assert _stored_settings(server, sid)["minutes_owner"] == "u-alice"
    bob = {"moziConfVirtualExtraSetting": {"minutesOwnerUnionId": "u-bob"}}
    assert _update(conf, acme_token, sid, bob).success is True
    assert _update(conf, acme_token, sid, {"lockRoom": 1}).success is True  # merged
    assert _stored_settings(server, sid)["minutes_owner"] == "u-bob"


@pytest.mark.parametrize("model", OUTSIDE_THE_LISTS, ids=lambda d: json.dumps(d)[:60])
def test_a_value_outside_its_list_is_refused(server, conf, acme_token, model):
    # Create answers its page's paramsError, Update its page's paramError; nothing is stored.
    assert_sdk_error(
        lambda: _book(conf, acme_token, settings=SM().from_map(model)), 400, "paramsError"
    )
    sid = _book(conf, acme_token).schedule_conference_id
    before = _stored_settings(server, sid)
    assert_sdk_error(lambda: _update(conf, acme_token, sid, model), 400, "paramError")
    assert _stored_settings(server, sid) == before


def test_the_pages_own_examples_are_accepted(server, conf, acme_token):
    # The request examples of create-appointment-meeting (waitingRoom 0 although its table
    # lists 1/2) and api-updatescheduleconfsettings, with this organisation's people.
    people = {"hostUnionId": "u-alice", "cohostUnionIds": ["u-carol"]}
    owners = {"minutesOwnerUnionId": "u-bob", "cloudRecordOwnerUnionId": "u-bob"}
    example = {
        **people,
        "lockRoom": 0,
        "screenShareForbidden": 0,
        "muteOnJoin": -1,
        "moziConfVirtualExtraSetting": {
            "waitingRoom": 0,
            "joinBeforeHost": 0,
            "enableChat": 0,
            "lockNick": 0,
            "lockMediaStatusMicMute": 0,
            "moziConfExtensionAppSettings": [{"coolAppCode": "COOLAPP-1", "autoOpenMode": 0}],
            "minutesSummaryTemplateType": "0",
            **owners,
        },
        "moziConfOpenRecordSetting": {
            "recordAutoStart": 0,
            "recordAutoStartType": 0,
            "mode": "grid",
            "restrictShareMinutesSummaryOnly": 0,
        },
        "aiAgentSummarySetting": {
            "value": "disable",
            "receiverType": 1,
            "allowAllParticipantsStart": 0,
            "restrictShareMinutesSummaryOnly": 0,
        },
    }
    sid = _book(conf, acme_token, settings=SM().from_map(example)).schedule_conference_id
    update = {
        "lockRoom": 1,
        "screenShareForbidden": 1,
        "muteOnJoin": 6,
        "moziConfVirtualExtraSetting": {"waitingRoom": 1, "minutesSummaryTemplateType": "1"},
        "moziConfOpenRecordSetting": {"recordAutoStart": 1, "mode": "full_screen_and_speaker"},
        "aiAgentSummarySetting": {"value": "enable", "receiverType": 0},
    }
    assert _update(conf, acme_token, sid, update).success is True
    stored = _stored_settings(server, sid)
    assert (stored["mute_on_join"], stored["record_mode"], stored["ai_summary"]) == (
        6,
        "full_screen_and_speaker",
        "enable",
    )


def test_start_cloud_record_checks_its_layout(conf, acme_token, create_meeting):
    # video-conference-open-cloud-recording: mode grid/speech/full_screen, smallWindowPosition
    # relative_right/float_right/float_bottom; its table's parameter error is paramsError.
    cid = create_meeting().conference_id

    def start(**layout):
        request = m.StartCloudRecordRequest(union_id="u-host", **layout)
        return lambda: sdk(conf, acme_token, "StartCloudRecord", cid, request)

    assert_sdk_error(start(mode="grip"), 400, "paramsError")
    assert_sdk_error(start(small_window_position="right"), 400, "paramsError")
    assert_sdk_error(start(mode="speech", small_window_position=""), 400, "paramsError")
    assert info(conf, acme_token, cid).cloud_record_status == 0
    assert start(mode="speech", small_window_position="relative_right")().code == "200"
    assert info(conf, acme_token, cid).cloud_record_status == 1


def test_extension_app_id_is_the_apps_agent_id(server, conf):
    # querying-video-conference-information: appId "会议酷应用所属微应用AgentId";
    # api-queryscheduleconfsettings: clientId "钉钉开放应用 clientId" (the app's key).
    org = server.create_org()
    apps = [APP(cool_app_code="COOLAPP-1", auto_open_mode=1, extension_app_biz_data="biz")]
    settings = SM(mozi_conf_virtual_extra_setting=EXTRA(mozi_conf_extension_app_settings=apps))
    sid = _book(conf, org.token, settings=settings).schedule_conference_id
    cid = instances(conf, org.token, sid).conference_list[0].conference_id
    (app,) = info(conf, org.token, cid).extension_app_settings
    # A number like the page's example ("29****"), not the app's key.
    assert app.app_id.isdigit() and len(app.app_id) == 10 and app.app_id != org.app_key
    assert (app.app_id, app.app_code, app.auto_open_mode) == (org.agent_id, "COOLAPP-1", 1)
    request = m.QueryScheduleConfSettingsRequest(schedule_conference_id=sid)
    found = sdk(conf, org.token, "QueryScheduleConfSettings", request)
    extra = found.schedule_conf_setting_model.mozi_conf_virtual_extra_setting
    (shown,) = extra.mozi_conf_extension_app_settings
    assert (shown.client_id, shown.cool_app_code) == (org.app_key, "COOLAPP-1")
    # Another app of the organisation has its own AgentId.
    assert server.create_org().agent_id != org.agent_id
