"""What on the wire is a secret, and how it is hidden: the one place every view reads.

The request journal (and through it the control API's ``/_dingconf/journal``
and the web console), the access log in both formats and the error log hide
secrets with these functions alone, so a secret added here is hidden everywhere.

A secret is a value that lets its holder in: an app's or suite's secret, an
access token or Stream ticket, a meeting's passwords, and every link that
admits whoever holds it (a join link's token, an auto-login or short link, a
signed media or minutes URL). Such links are hidden whole: a link's shape is
no use without its credential. Nothing here runs per request: the journal
redacts when it is read and the access log writes no body or query.
"""

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode

import msgspec

__all__ = [
    "PUBLIC_PATH_PARAMS",
    "REDACTED",
    "SECRET_FIELDS",
    "loggable_path",
    "redact_body",
    "redact_query",
]

#: What a secret is replaced with.
REDACTED = "***"
#: Body fields (of requests and replies, at any depth) and query parameters
#: whose values are secrets.
SECRET_FIELDS = frozenset(
    {
        # Credentials a caller sends.
        "appSecret",
        "suiteSecret",
        "suiteTicket",
        "clientSecret",  # Stream mode's open-connection request
        # Tokens dingconf hands out (and where clients wrongly send them back).
        "accessToken",
        "access_token",
        "token",
        "ticket",  # Stream mode's connection ticket
        "presenceId",  # a join page's presence in a meeting
        "memberPass",  # a join page's proof of who its person is
        # A meeting's passwords (CreateVideoConference).
        "conferencePassword",
        "hostPassword",
        # Links that admit whoever holds them.
        "externalLinkUrl",  # a meeting's join link (``?token=``)
        "meetingUrl",  # the same link, sent to CreateAutoLoginUrl
        "loginUrl",  # ``/autoLogin/{token}``
        "customShortLink",  # ``/s/{code}``
        "playUrl",  # signed recording and minutes audio
        "mp4FileUrl",
        "recordMinutesUrl",  # signed minutes documents
        "minutesDocUrl",
    }
)
#: Path parameters that only name things; any other (a link's credential) is hidden.
PUBLIC_PATH_PARAMS = frozenset(
    {"conferenceId", "scheduleConferenceId", "roomCode", "corpId", "unionId", "take"}
)

# A body holds a secret field only if it holds one of these names (or an
# escape, which may spell one); the others are kept without decoding. Names
# are looked for bare, not only as JSON keys: a body that is no JSON (a form
# post) may carry a secret too, and is then replaced whole.
_MARKERS = re.compile(
    b"|".join(re.escape(name.encode()) for name in sorted(SECRET_FIELDS)) + rb"|\\u"
)
_OPAQUE = f'"{REDACTED} (an unreadable body that may hold a secret)"'.encode()


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: REDACTED if k in SECRET_FIELDS else _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def redact_body(body: bytes) -> tuple[bytes, Any]:
    """``body`` with every secret replaced, and its decoded JSON when it had to be
    read (None otherwise). A body that may hold one but is not JSON is replaced whole."""
    if _MARKERS.search(body) is None:
        return body, None
    try:
        document = msgspec.json.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        return _OPAQUE, None
    return msgspec.json.encode(_scrub(document)), document


def redact_query(query: str) -> str:
    """A query string with the value of every secret parameter replaced."""
    # A name may be spelled with escapes (``%74oken``): look for it unescaped.
    plain = unquote_plus(query) if "%" in query else query
    if not any(name in plain for name in SECRET_FIELDS):
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, REDACTED if k in SECRET_FIELDS else v) for k, v in pairs])


def loggable_path(scope: Mapping[str, Any]) -> str:
    """The request's path with every segment holding a non-public path parameter hidden."""
    path = str(scope["path"])
    params = scope.get("path_params")
    if not params or params.keys() <= PUBLIC_PATH_PARAMS:  # the usual case, without a loop
        return path
    hidden = {str(v) for k, v in params.items() if k not in PUBLIC_PATH_PARAMS}
    return "/".join(REDACTED if segment in hidden else segment for segment in path.split("/"))
