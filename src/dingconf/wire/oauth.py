"""``oauth2_1.0`` token endpoints (spec §3)."""

from starlette.requests import Request

from dingconf.service.auth import TokenService
from dingconf.wire.http import Reply, decode_body, ok
from dingconf.wire.routing import ApiRoute
from dingconf.wire.schemas import AccessTokenBody, AccessTokenReply, CorpAccessTokenBody

__all__ = ["oauth_routes"]

_PARAM_ERROR = "InvalidParameter"


def oauth_routes(tokens: TokenService) -> list[ApiRoute]:
    """The token routes, bound to the token service."""

    async def get_access_token(request: Request) -> Reply:
        body = await decode_body(request, AccessTokenBody, _PARAM_ERROR)
        issued = await tokens.issue_app_token(body.app_key, body.app_secret)
        return ok(AccessTokenReply(issued.token, issued.expires_in_s))

    async def get_corp_access_token(request: Request) -> Reply:
        # Any suiteTicket is accepted, as DingTalk does for custom apps (spec §3.2).
        body = await decode_body(request, CorpAccessTokenBody, _PARAM_ERROR)
        issued = await tokens.issue_corp_token(body.suite_key, body.suite_secret, body.auth_corp_id)
        return ok(AccessTokenReply(issued.token, issued.expires_in_s))

    return [
        ApiRoute("POST", "/v1.0/oauth2/accessToken", "GetAccessToken", get_access_token),
        ApiRoute(
            "POST", "/v1.0/oauth2/corpAccessToken", "GetCorpAccessToken", get_corp_access_token
        ),
    ]
