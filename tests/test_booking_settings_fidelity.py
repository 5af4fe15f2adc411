"""Booking settings, recording layouts and extension apps as DingTalk's pages state them.

Issue 23 (fidelity round 3), items 1, 3, 4, 5 and 9. Each test names the page
(``fuxun2008/dingtalk-docs``, ``zh/open/development/<slug>.mdx``) it follows.
"""

from alibabacloud_dingtalk.conference_1_0 import models as m

from lifecycle import book, info, instances, sdk

from sdk_errors import assert_sdk_error

SM = m.CreateScheduleConferenceRequestScheduleConfSettingModel
USM = m.UpdateScheduleConfSettingsRequestScheduleConfSettingModel
EXTRA = m.CreateScheduleConferenceRequestScheduleConfSettingModelMoziConfVirtualExtraSetting
APP = m.CreateScheduleConferenceRequestScheduleConfSettingModelMoziConfVirtualExtraSettingMoziConfExtensionAppSettings  # noqa: E501
REC = m.CreateScheduleConferenceRequestScheduleConfSettingModelMoziConfOpenRecordSetting


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


def _auto_recorded_owner(server, conf, token, settings, joiner):
    sid = _book(conf, token, settings=settings).schedule_conference_id
    cid = instances(conf, token, sid).conference_list[0].conference_id
    server.join(cid, joiner)
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
