"""Helpers for the lifecycle tests: one generic SDK call and a few shortcuts."""

import re
from collections.abc import Callable
from typing import Any

from alibabacloud_dingtalk.conference_1_0 import models as m
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient
from alibabacloud_dingtalk.oauth2_1_0 import models as om
from alibabacloud_dingtalk.oauth2_1_0.client import Client as OAuthClient

from dingconf.testing.plugin import DingconfServer

from conftest import RUNTIME

HOUR = 3_600_000


def sdk(conf: ConferenceClient, token: str, action: str, *args: Any) -> Any:
    """Call ``<action>_with_options`` of the official SDK with the token header; the body."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", action).lower()
    headers = getattr(m, f"{action}Headers")(x_acs_dingtalk_access_token=token)
    response = getattr(conf, f"{snake}_with_options")(*args, headers, RUNTIME)
    assert response.status_code == 200
    return response.body


def token_of(oauth: OAuthClient, key: str, secret: str) -> str:
    return oauth.get_access_token(
        om.GetAccessTokenRequest(app_key=key, app_secret=secret)
    ).body.access_token


def info(conf: ConferenceClient, token: str, cid: str) -> m.QueryConferenceInfoResponseBodyConfInfo:
    return sdk(conf, token, "QueryConferenceInfo", cid).conf_info


def own_link(conf: ConferenceClient, token: str, meeting_url: str, who: str) -> str:
    """An auto-login URL made for ``who``: the join page it lands on may join as them."""
    request = m.CreateAutoLoginUrlRequest(meeting_url=meeting_url, union_id=who)
    return str(sdk(conf, token, "CreateAutoLoginUrl", request).login_info.login_url)


def book(
    conf: ConferenceClient,
    token: str,
    *,
    title: str = "Planning",
    creator: str = "u-host",
    settings: m.CreateScheduleConferenceRequestScheduleConfSettingModel | None = None,
    start: int = 1_900_000_000_000,
) -> m.CreateScheduleConferenceResponseBody:
    request = m.CreateScheduleConferenceRequest(
        creator_union_id=creator,
        title=title,
        start_time=start,
        end_time=start + HOUR,
        schedule_conf_setting_model=settings,
    )
    return sdk(conf, token, "CreateScheduleConference", request)


def instances(conf: ConferenceClient, token: str, sid: str, **paging: Any) -> Any:
    request = m.QueryScheduleConferenceInfoRequest(**paging)
    return sdk(conf, token, "QueryScheduleConferenceInfo", sid, request)


def members(conf: ConferenceClient, token: str, cid: str, **paging: Any) -> Any:
    return sdk(
        conf, token, "QueryConferenceMembers", cid, m.QueryConferenceMembersRequest(**paging)
    )


def member_map(conf: ConferenceClient, token: str, cid: str) -> dict[str, Any]:
    return {x.union_id: x for x in members(conf, token, cid).member_models}


def join_room(server: DingconfServer, room_code: str, union_id: str) -> str:
    status, _, body = server.request(
        "POST", f"/_dingconf/roomCodes/{room_code}/join", {"unionId": union_id}
    )
    assert status == 200, body
    return body["conferenceId"]


def users(*ids: str, cls: Any = m.KickMembersRequestUserList) -> list[Any]:
    return [cls(union_id=u) for u in ids]


#: One page of a listing: its items and its nextToken.
Fetch = Callable[[str | None], tuple[list[Any], str]]


def read_pages(fetch: Fetch, n: int, size: int) -> list[list[Any]]:
    """Every page of a listing of ``n`` items read ``size`` at a time, boundaries checked.

    Each page but the last is full and hands on a token starting with the
    next offset (meeting listings add where the page ended); the last one
    (empty when ``n`` is 0) ends with the token "".
    """
    items, token = fetch(None)
    pages = [items]
    while token:
        assert token.split(".")[0] == str(size * len(pages))
        items, token = fetch(token)
        pages.append(items)
    full, rest = divmod(n, size)
    assert [len(p) for p in pages] == [size] * full + ([rest] if rest or not n else [])
    return pages
