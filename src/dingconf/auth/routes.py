"""``oauth2_1.0`` token endpoints (spec §3)."""

from dingconf.auth.schemas import AccessTokenBody, AccessTokenReply, CorpAccessTokenBody
from dingconf.auth.service import IssuedToken, TokenService
from dingconf.core import errors
from dingconf.http.operations import Operation, op

__all__ = ["oauth_routes"]

_PARAM_ERROR = errors.token_param_error.code


def _issued(issued: IssuedToken) -> AccessTokenReply:
    return AccessTokenReply(issued.token, issued.expires_in_s)


def oauth_routes(tokens: TokenService) -> list[Operation]:
    """The token operations; they authenticate by the body's key and secret."""
    return [
        op(
            "POST /v1.0/oauth2/accessToken",
            "GetAccessToken",
            lambda c: tokens.issue_app_token(c.body.app_key, c.body.app_secret),
            _issued,
            body=AccessTokenBody,
            param_error=_PARAM_ERROR,
            guard="open",
        ),
        op(
            "POST /v1.0/oauth2/corpAccessToken",
            "GetCorpAccessToken",
            # Any suiteTicket is accepted, as DingTalk does for custom apps (spec §3.2).
            lambda c: tokens.issue_corp_token(
                c.body.suite_key, c.body.suite_secret, c.body.auth_corp_id
            ),
            _issued,
            body=CorpAccessTokenBody,
            param_error=_PARAM_ERROR,
            guard="open",
        ),
    ]
