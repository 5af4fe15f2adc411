"""Bodies of the oauth2_1.0 access-token operations, as the SDK models them."""

from dingconf.http.body import Body as _Body

__all__ = ["AccessTokenBody", "AccessTokenReply", "CorpAccessTokenBody"]


class AccessTokenBody(_Body):
    """GetAccessToken request (spec §3.1)."""

    app_key: str
    app_secret: str


class CorpAccessTokenBody(_Body):
    """GetCorpAccessToken request (spec §3.2)."""

    suite_key: str
    suite_secret: str
    auth_corp_id: str
    suite_ticket: str


class AccessTokenReply(_Body):
    """Both token endpoints answer this."""

    access_token: str
    expire_in: int
