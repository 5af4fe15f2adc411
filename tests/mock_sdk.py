"""The official SDK's calls the mock tests make, with an endpoint no test can reach:
only an active ``dingconf.mock()`` answers them."""

from typing import Any

from alibabacloud_dingtalk.conference_1_0 import models
from alibabacloud_dingtalk.conference_1_0.client import Client
from alibabacloud_dingtalk.oauth2_1_0 import models as oauth_models
from alibabacloud_dingtalk.oauth2_1_0.client import Client as OAuthClient
from alibabacloud_tea_openapi.models import Config
from alibabacloud_tea_util.models import RuntimeOptions

RUNTIME = RuntimeOptions()
CONFIG = Config(protocol="https", endpoint="api.dingtalk.com")
CLIENT = Client(CONFIG)


def token_of(app_key: str = "demo-app", app_secret: str = "demo-secret") -> str:
    """An app's access token, through the SDK."""
    request = oauth_models.GetAccessTokenRequest(app_key=app_key, app_secret=app_secret)
    token: str = OAuthClient(CONFIG).get_access_token(request).body.access_token
    return token


def create(token: str, title: str = "Stand-up", host: str = "demo-alice") -> str:
    """A new meeting's conferenceId, through the SDK."""
    created = CLIENT.create_video_conference_with_options(
        models.CreateVideoConferenceRequest(user_id=host, conf_title=title),
        models.CreateVideoConferenceHeaders(x_acs_dingtalk_access_token=token),
        RUNTIME,
    )
    conference_id: str = created.body.conference_id
    return conference_id


def query(token: str, conference_id: str) -> Any:
    """QueryConferenceInfo's response, through the SDK."""
    return CLIENT.query_conference_info_with_options(
        conference_id, models.QueryConferenceInfoHeaders(x_acs_dingtalk_access_token=token), RUNTIME
    )


async def query_async(token: str, conference_id: str) -> Any:
    """QueryConferenceInfo's response, through the SDK's async call."""
    return await CLIENT.query_conference_info_with_options_async(
        conference_id, models.QueryConferenceInfoHeaders(x_acs_dingtalk_access_token=token), RUNTIME
    )
