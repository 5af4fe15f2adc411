"""The one error tree of dingconf and the catalogue of every code it answers with.

Every failure a client can see is a :class:`DingError` leaf carrying DingTalk's
``code`` and ``message`` (``spec/api.md`` §2, §3, §4). Its *category* decides
the HTTP status, so the domain never talks HTTP::

    DingError                 (HTTP 500 unless a category says otherwise)
    ├── InvalidRequest        (HTTP 400: malformed or missing input, bad state)
    │   └── PayloadTooLarge   (HTTP 413)
    ├── AuthenticationError   (HTTP 400: DingTalk answers token problems with 400)
    ├── AccessDenied          (HTTP 403)
    │   └── ScopeDenied       (HTTP 403, with ``accessdenieddetail.requiredScopes``)
    ├── NotFound              (HTTP 404; DingTalk also uses 404 for a few refusals)
    │   └── RouteNotFound     (HTTP 404: no API at this method and path)
    └── InternalError         (HTTP 500)

Errors are raised only through the catalogue below: one factory per code (and
status, where DingTalk answers one code with two), e.g. ``raise
errors.room_not_found()`` or ``raise errors.params_error("error:...")``. A
factory called without a message gives the code's own. ``docs/errors.md``
holds this table; ``tests/test_error_catalogue.py`` keeps both true.

| code | status | meaning | operations |
|---|---|---|---|
| `InvalidAction.NotFound` | 404 | no API at this method and path | any path |
| `InvalidHost` | 400 | two Host headers, or none (HTTP/1.1) | any request |
| `AuthenticationFailed.MissingParameter` | 400 | no token header | any API |
| `InvalidAuthentication` | 400 | unknown or expired token | any API, control API |
| `Forbidden.AccessDenied.AccessTokenPermissionDenied` | 403 | app lacks a scope | any API |
| `Forbidden.AccessDenied.QpsLimitForAppkeyAndApi` | 403 | QPS limit reached | any API |
| `Missingbody` | 400 | no body, or no JSON object | APIs with a body |
| `Missing<name>` | 400 | a required field or parameter is absent | any API |
| `RequestTimeout` | 400 | the body came too slowly, or not at all | APIs with a body |
| `RequestEntityTooLarge` | 413 | the body is over the size limit | APIs with a body |
| `systemError` | 500 | anything unexpected; no free room code | any API |
| `invalidClientIdOrSecret` | 400 | unknown app key or wrong secret | GetAccessToken, Stream |
| `invalidSuiteKey` | 400 | unknown suite key or wrong secret | GetCorpAccessToken |
| `invalidAuthInfo` | 400 | the organisation has not authorised the suite | GetCorpAccessToken |
| `invalidParameter` | 400 | a subscription of unknown type or topic | Stream connections |
| `InvalidParameter` | 400 | a malformed value | GetAccessToken, GetCorpAccessToken |
| `paramError` | 400 | a malformed value | the APIs docs/errors.md lists |
| `paramsError` | 400 | a malformed value | the APIs docs/errors.md lists |
| `param.error` | 400 | no unionId, or one that cannot be | QueryUserOnGoingConference |
| `paramsTitleError` | 400 | an empty or too long title | CreateVideoConference |
| `commandError` | 400 | an action neither lock nor unlock | LockConference |
| `missingRoomId` | 400 | an empty conferenceId | QueryConferenceInfo |
| `missingRoomCode` | 400 | an empty roomCode | QueryConferenceInfoByRoomCode |
| `invalidRoomCode` | 400 | a malformed roomCode | QueryConferenceInfoByRoomCode |
| `roomNotFound` | 404 | no such meeting | QueryConferenceInfo, control API |
| `noPermission` | 403 | another organisation's meeting or booking | queries, settings, links |
| `orgAccessForbidden` | 400 | another organisation's meeting | in-meeting writes |
| `resourceClose` | 400 | the meeting has ended | in-meeting writes, links |
| `confClosed` | 400 | the meeting has ended | LockConference |
| `roomClosed` | 400 | the meeting has ended | recording, minutes |
| `resourceCancel` | 400 | the booking is cancelled | bookings, join links |
| `unknownUserError` | 400 | not a user of the organisation | create, members, links |
| `userNotInOrg` | 400 | someone named is not in the organisation | booking settings, links |
| `creatorUidError` | 400 | not the booking's creator | booking settings, links |
| `permissionError` | 400 | not the booking's creator or organisation | bookings |
| `permissionError` | 404 | not the meeting's host | CloseVideoConference |
| `scheduleConferenceIdError` | 400 | an unknown or cancelled booking | booking settings, links |
| `invalidScheduleConferenceId` | 400 | an unknown booking | QueryScheduleConferenceInfo |
| `notInConference` | 400 | the person is not in the meeting | control API |
| `conferenceLocked` | 400 | the meeting is locked | control API (join) |
| `forbiddenRejoin` | 400 | the person was removed | control API (join) |
| `internalOnly` | 400 | only the organisation's members may join | control API (join) |
| `cloudRecordNotFound` | 400 | no (running or paused) cloud recording | recording |
| `recordStartError` | 404 | already recording | StartCloudRecord |
| `recordStartPermissionError` | 404 | not the host | StartCloudRecord |
| `recordStopPermissionError` | 400 | not the host | StopCloudRecord |
| `minutesStartError` | 404 | the minutes already run | StartMinutes |
| `minutesStartPermissionError` | 404 | not the host or a co-host | StartMinutes |
| `minutesStopPermissionError` | 400 | not the host or a co-host | StopMinutes |
| `minutesNotFound` | 400 | no minutes are running | StopMinutes |
| `minutesNotFound` | 404 | the meeting has no minutes | minutes reads |
| `notFound` | 404 | no such minutes media | minutes media URLs |
| `loginUrlNotFound` | 404 | an invalid, used or expired login URL | auto-login URLs |
| `shortLinkNotFound` | 404 | an invalid or expired short link | short links |
| `linkNotFound` | 404 | not a meeting's join link | join page |
| `memberPassRequired` | 403 | a user joins without their own link | join page |
| `invalidSignature` | 403 | a signed link's signature is wrong | signed links |
| `urlExpired` | 403 | a signed link has expired | signed links |
| `AccessDenied` | 403 | a recording URL has expired | recording file URLs |
| `SignatureDoesNotMatch` | 403 | a recording URL's signature is wrong | recording file URLs |
| `fileNotFound` | 404 | no such file of the join page | join page |
| `invalidState` | 400 | a malformed state document | control API (state) |
| `noBaseline` | 400 | no baseline to reset to | control API (reset) |
| `unknownOrg` | 400 | no such organisation | control API |
| `unknownApp` | 400 | no such app | control API (secrets) |
| `appNotFound` | 404 | no such app | control API (tokens, push) |
| `invalidSeed` | 400 | a malformed seed | control API, start-up |
| `checkUrlFailed` | 400 | the push URL failed its check | control API (push) |
| `subscriptionNotFound` | 404 | the app has no push subscription | control API (push) |
| `eventNotFound` | 404 | the app was never sent the event | control API (events) |
| `faultNotFound` | 404 | no such fault rule | control API (faults) |
| `controlApiDisabled` | 403 | no admin token on a non-loopback bind | control API |
| `crossOriginRefused` | 403 | a foreign Host or Origin, or no JSON | control API |
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

# The codes themselves are this module's ErrorCode attributes, reached as
# ``errors.<factory>``; the table above lists them.
__all__ = [
    "AccessDenied",
    "AuthenticationError",
    "DingError",
    "ErrorCode",
    "InternalError",
    "InvalidRequest",
    "NotFound",
    "PayloadTooLarge",
    "RouteNotFound",
    "ScopeDenied",
    "bad_parameter",
    "missing_parameter",
    "scope_denied",
]


class DingError(Exception):
    """A failure with DingTalk's error ``code`` and human ``message``."""

    #: The HTTP status DingTalk answers with; each category sets its own.
    status: int = 500

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class InvalidRequest(DingError):
    """The request is malformed, incomplete, or conflicts with current state."""

    status = 400


class PayloadTooLarge(InvalidRequest):
    """The body is over the size limit."""

    status = 413


class AuthenticationError(DingError):
    """The caller could not be identified (missing, unknown or expired token)."""

    status = 400


class AccessDenied(DingError):
    """The caller is known but may not do this."""

    status = 403


class ScopeDenied(AccessDenied):
    """The token's app lacks a permission scope (spec §2.3, §7)."""

    def __init__(self, code: str, message: str, required_scopes: Sequence[str] = ()) -> None:
        super().__init__(code, message)
        self.required_scopes = list(required_scopes)


class NotFound(DingError):
    """The thing asked for does not exist (or DingTalk answers 404 anyway)."""

    status = 404


class RouteNotFound(NotFound):
    """No API at this method and path; DingTalk's gateway routes on both."""


class InternalError(DingError):
    """Something failed inside dingconf or its database."""


E = TypeVar("E", bound=DingError)


@dataclass(frozen=True, slots=True)
class ErrorCode(Generic[E]):
    """One code of the catalogue: its category (hence its status) and default message."""

    kind: type[E]
    code: str
    message: str = ""  # empty: the code is its own message

    @property
    def status(self) -> int:
        """The HTTP status this code is answered with."""
        return self.kind.status

    def __call__(self, message: str | None = None) -> E:
        """The error, saying ``message`` or the code's default."""
        return self.kind(self.code, self.message or self.code if message is None else message)


# The gateway, tokens and the transport (any API).
route_not_found = ErrorCode(
    RouteNotFound,
    "InvalidAction.NotFound",
    "Specified api is not found, please check your url and method.",
)
invalid_host = ErrorCode(InvalidRequest, "InvalidHost", "a request carries exactly one Host header")
missing_access_token = ErrorCode(
    AuthenticationError,
    "AuthenticationFailed.MissingParameter",
    "缺少参数：x-acs-dingtalk-access-token",
)
invalid_authentication = ErrorCode(
    AuthenticationError, "InvalidAuthentication", "不合法的access_token"
)
_ACCESS_TOKEN_PERMISSION_DENIED = ErrorCode(
    ScopeDenied,
    "Forbidden.AccessDenied.AccessTokenPermissionDenied",
    "没有调用该接口的权限，接口权限申请参考："
    "https://open.dingtalk.com/document/orgapp-server/add-api-permission",
)
qps_limit = ErrorCode(
    AccessDenied,
    "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi",
    "您的企业应用调用钉钉开放平台当前接口的所有请求都被暂时禁用了",
)
missing_body = ErrorCode(InvalidRequest, "Missingbody")
request_timeout = ErrorCode(InvalidRequest, "RequestTimeout")
request_entity_too_large = ErrorCode(PayloadTooLarge, "RequestEntityTooLarge")
system_error = ErrorCode(InternalError, "systemError", "SYSTEM ERROR")
invalid_client = ErrorCode(
    InvalidRequest, "invalidClientIdOrSecret", "无效的clientId或者clientSecret"
)
invalid_suite_key = ErrorCode(InvalidRequest, "invalidSuiteKey", "suitekey不合法")
invalid_auth_info = ErrorCode(InvalidRequest, "invalidAuthInfo", "授权关系不存在")
invalid_parameter = ErrorCode(InvalidRequest, "invalidParameter")
token_param_error = ErrorCode(InvalidRequest, "InvalidParameter")

# The meeting APIs.
param_error = ErrorCode(InvalidRequest, "paramError")
params_error = ErrorCode(InvalidRequest, "paramsError")
param_dot_error = ErrorCode(InvalidRequest, "param.error")
params_title_error = ErrorCode(InvalidRequest, "paramsTitleError")
command_error = ErrorCode(InvalidRequest, "commandError")
missing_room_id = ErrorCode(InvalidRequest, "missingRoomId", "MISSING ROOM ID")
missing_room_code = ErrorCode(InvalidRequest, "missingRoomCode")
invalid_room_code = ErrorCode(InvalidRequest, "invalidRoomCode")
room_not_found = ErrorCode(NotFound, "roomNotFound", "ROOM NOT FOUND")
no_permission = ErrorCode(AccessDenied, "noPermission")
org_access_forbidden = ErrorCode(InvalidRequest, "orgAccessForbidden")
resource_close = ErrorCode(InvalidRequest, "resourceClose", "The meeting has ended")
conf_closed = ErrorCode(InvalidRequest, "confClosed")
room_closed = ErrorCode(InvalidRequest, "roomClosed", "the meeting has ended")
resource_cancel = ErrorCode(InvalidRequest, "resourceCancel", "Schedule conference has canceled")
unknown_user = ErrorCode(InvalidRequest, "unknownUserError")
user_not_in_org = ErrorCode(InvalidRequest, "userNotInOrg")
creator_uid_error = ErrorCode(InvalidRequest, "creatorUidError")
permission_error = ErrorCode(InvalidRequest, "permissionError")
close_permission_error = ErrorCode(
    NotFound, "permissionError", "permissionError:only the host can close the meeting"
)
schedule_conference_id_error = ErrorCode(InvalidRequest, "scheduleConferenceIdError")
invalid_schedule_conference_id = ErrorCode(InvalidRequest, "invalidScheduleConferenceId")
not_in_conference = ErrorCode(InvalidRequest, "notInConference")
conference_locked = ErrorCode(InvalidRequest, "conferenceLocked", "the meeting is locked")
forbidden_rejoin = ErrorCode(InvalidRequest, "forbiddenRejoin")
internal_only = ErrorCode(
    InvalidRequest, "internalOnly", "only the organisation's members may join"
)
cloud_record_not_found = ErrorCode(InvalidRequest, "cloudRecordNotFound")
record_start_error = ErrorCode(NotFound, "recordStartError", "recordStartError:already recording")
record_start_permission_error = ErrorCode(
    NotFound, "recordStartPermissionError", "permissionError:only the host can record"
)
_NOT_THE_MANAGER = "you can't operator, please contact meeting manager"
record_stop_permission_error = ErrorCode(
    InvalidRequest, "recordStopPermissionError", _NOT_THE_MANAGER
)
minutes_start_error = ErrorCode(
    NotFound, "minutesStartError", "minutesStartError:the minutes already run"
)
minutes_start_permission_error = ErrorCode(
    NotFound,
    "minutesStartPermissionError",
    "permissionError:only the host or a co-host can start the minutes",
)
minutes_stop_permission_error = ErrorCode(
    InvalidRequest, "minutesStopPermissionError", _NOT_THE_MANAGER
)
minutes_not_running = ErrorCode(InvalidRequest, "minutesNotFound", "no minutes are running")
minutes_not_found = ErrorCode(NotFound, "minutesNotFound", "the meeting has no minutes")
media_not_found = ErrorCode(NotFound, "notFound", "no such media")
login_url_not_found = ErrorCode(
    NotFound, "loginUrlNotFound", "the login url is invalid, used or expired"
)
short_link_not_found = ErrorCode(
    NotFound, "shortLinkNotFound", "the short link is invalid or expired"
)
link_not_found = ErrorCode(NotFound, "linkNotFound", "the link is not a meeting's join link")
member_pass_required = ErrorCode(
    AccessDenied,
    "memberPassRequired",
    "joining as a user of the organisation needs their own auto-login link",
)
invalid_signature = ErrorCode(
    AccessDenied, "invalidSignature", "the link's signature does not match"
)
url_expired = ErrorCode(AccessDenied, "urlExpired", "the link has expired")
request_expired = ErrorCode(AccessDenied, "AccessDenied", "Request has expired.")
signature_does_not_match = ErrorCode(
    AccessDenied, "SignatureDoesNotMatch", "The request signature we calculated does not match."
)
file_not_found = ErrorCode(NotFound, "fileNotFound", "no such file of the join page")

# dingconf's own control API.
invalid_state = ErrorCode(InvalidRequest, "invalidState")
no_baseline = ErrorCode(
    InvalidRequest, "noBaseline", "no baseline: start `dingconf serve` once first"
)
unknown_org = ErrorCode(InvalidRequest, "unknownOrg")
unknown_app = ErrorCode(InvalidRequest, "unknownApp")
app_not_found = ErrorCode(NotFound, "appNotFound")
invalid_seed = ErrorCode(InvalidRequest, "invalidSeed")
check_url_failed = ErrorCode(InvalidRequest, "checkUrlFailed")
subscription_not_found = ErrorCode(NotFound, "subscriptionNotFound")
event_not_found = ErrorCode(NotFound, "eventNotFound")
fault_not_found = ErrorCode(NotFound, "faultNotFound")
control_api_disabled = ErrorCode(
    AccessDenied,
    "controlApiDisabled",
    "the control API needs an admin token on a non-loopback bind",
)
cross_origin_refused = ErrorCode(AccessDenied, "crossOriginRefused")

#: The codes an API may name as its own for a malformed parameter (see :func:`bad_parameter`).
_PARAMETER_CODES = {
    c.code: c for c in (param_error, params_error, token_param_error, invalid_state)
}


def bad_parameter(code: str, message: str) -> InvalidRequest:
    """The error for a malformed parameter, under the code its API declares for one.

    Raises:
        KeyError: ``code`` is no parameter code of the catalogue.
    """
    return _PARAMETER_CODES[code](message)


def missing_parameter(name: str) -> InvalidRequest:
    """DingTalk's gateway error for a missing parameter (spec §2.3, ``Missing<name>``)."""
    return InvalidRequest(f"Missing{name}", f"{name} is mandatory for this action")


def scope_denied(required_scopes: Sequence[str]) -> ScopeDenied:
    """The token's app lacks ``required_scopes`` (sent as ``accessdenieddetail``)."""
    template = _ACCESS_TOKEN_PERMISSION_DENIED
    return ScopeDenied(template.code, template.message, required_scopes)
