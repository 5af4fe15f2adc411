"""Booking settings, recording layouts and extension apps as DingTalk's pages state them.

Issue 23 (fidelity round 3), items 1, 3, 4, 5 and 9. Each test names the page
(``fuxun2008/dingtalk-docs``, ``zh/open/development/<slug>.mdx``) it follows.
"""

from alibabacloud_dingtalk.conference_1_0 import models as m

from lifecycle import book, info, instances, sdk

SM = m.CreateScheduleConferenceRequestScheduleConfSettingModel
EXTRA = m.CreateScheduleConferenceRequestScheduleConfSettingModelMoziConfVirtualExtraSetting
APP = m.CreateScheduleConferenceRequestScheduleConfSettingModelMoziConfVirtualExtraSettingMoziConfExtensionAppSettings  # noqa: E501


def test_extension_app_id_is_the_apps_agent_id(server, conf):
    # querying-video-conference-information: appId "会议酷应用所属微应用AgentId";
    # api-queryscheduleconfsettings: clientId "钉钉开放应用 clientId" (the app's key).
    org = server.create_org()
    apps = [APP(cool_app_code="COOLAPP-1", auto_open_mode=1, extension_app_biz_data="biz")]
    settings = SM(mozi_conf_virtual_extra_setting=EXTRA(mozi_conf_extension_app_settings=apps))
    sid = book(conf, org.token, settings=settings).schedule_conference_id
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
