"""The one place where untrusted request input becomes values or a DingTalk 4xx.

Every operation's body and parameters pass through here (operations.bind), so
a new route inherits every limit: a body larger than allowed is refused before
it is read whole, a body that trickles in is cut off, and whatever the JSON
holds (bytes that are not UTF-8, nesting thousands deep, NUL characters, huge
strings, lists or integers) is answered with the API's own parameter error
instead of reaching the service or the database.
"""

import asyncio
import re
from typing import Any, TypeVar

import msgspec
from starlette.requests import ClientDisconnect, Request

from dingconf.core import errors
from dingconf.core.config import InputLimits
from dingconf.core.digits import digits_value
from dingconf.core.errors import InvalidRequest
from dingconf.http.asgi import RECEIVED

__all__ = ["INT64", "MAX_DEPTH", "check_parameters", "decode_body", "decode_json", "read_body"]

T = TypeVar("T")

#: Integers dingconf stores are signed 64-bit, as DingTalk's are (Java ``Long``).
INT64 = (-(2**63), 2**63 - 1)
#: Nesting of arrays and objects in any JSON document a client sends (the
#: deepest any API takes, the control API's state, is under ten).
MAX_DEPTH = 32
_MISSING_FIELD = re.compile(r"Object missing required field `([^`]+)`$")
# Keys naming an identifier (``unionId``, ``inviteUserIds``, ``conferenceIdList``):
# their values are indexed, so they get the short identifier limit.
_ID_KEY = re.compile(r"(Id|Ids|IdList)$")


def _body_unreadable(detail: str) -> InvalidRequest:
    return errors.missing_body(f"body is mandatory for this action ({detail})")


def _too_large(limit: int) -> InvalidRequest:
    return errors.request_entity_too_large(f"the request body exceeds {limit} bytes")


class _Unreadable(Exception):
    """Bytes that are no JSON document dingconf reads (the detail says why)."""


async def _read(request: Request, limits: InputLimits) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        size = digits_value(declared)
        if size is None or size > limits.max_body_bytes:
            raise _too_large(limits.max_body_bytes)
    chunks: list[bytes] = []
    # What the app read, for the request journal (observe), even if it stops early.
    request.scope[RECEIVED] = chunks
    size = 0

    async def receive() -> None:
        nonlocal size
        async for chunk in request.stream():
            size += len(chunk)
            if size > limits.max_body_bytes:
                raise _too_large(limits.max_body_bytes)
            chunks.append(chunk)

    try:
        async with asyncio.timeout(limits.body_timeout_s):
            await receive()
    except TimeoutError:
        raise errors.request_timeout(
            f"the body did not arrive within {limits.body_timeout_s:g} s"
        ) from None
    except ClientDisconnect:
        raise errors.request_timeout("the client went away mid-body") from None
    return b"".join(chunks)


def _check_text(value: str, key: str, limits: InputLimits, code: str) -> None:
    limit = limits.max_id if _ID_KEY.search(key) else limits.max_string
    if len(value) > limit:
        raise errors.bad_parameter(
            code, f"error:{key or 'value'} is longer than {limit} characters"
        )
    if "\x00" in value:  # PostgreSQL's text refuses NUL; no API's field holds one
        raise errors.bad_parameter(code, f"error:{key or 'value'} contains a NUL character")


def _check(value: Any, key: str, limits: InputLimits, code: str, depth: int = 0) -> None:
    """Walk a decoded document, refusing what no field of any API accepts.

    Nesting is refused past :data:`MAX_DEPTH`, before the walk goes deeper: a
    document nested as deep as the decoder allows never exhausts the stack here.
    """
    if isinstance(value, str):
        _check_text(value, key, limits, code)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int | float):
        if not INT64[0] <= value <= INT64[1]:
            raise errors.bad_parameter(code, f"error:{key or 'value'} is out of range")
    elif isinstance(value, list | dict):
        if depth >= MAX_DEPTH:
            raise errors.bad_parameter(code, f"error:{key or 'value'} is nested too deeply")
        if isinstance(value, list):
            if len(value) > limits.max_list:
                raise errors.bad_parameter(
                    code, f"error:{key or 'list'} has more than {limits.max_list} items"
                )
            for item in value:
                _check(item, key, limits, code, depth + 1)
        else:
            for name, item in value.items():
                _check_text(name, "", limits, code)
                _check(item, name, limits, code, depth + 1)


def _parse(raw: bytes | str) -> Any:
    """The JSON document ``raw`` holds: strict UTF-8, nesting bounded by the decoder.

    Raises:
        _Unreadable: anything else.
    """
    try:
        return msgspec.json.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise _Unreadable(f"not JSON: {exc}") from None
    except RecursionError:
        raise _Unreadable("nested too deeply") from None


def _convert(document: Any, schema: type[T], code: str) -> T:
    try:
        return msgspec.convert(document, schema)
    except msgspec.ValidationError as exc:
        missing = _MISSING_FIELD.match(str(exc))
        if missing:
            raise errors.missing_parameter(missing.group(1)) from None
        raise errors.bad_parameter(code, f"error:{exc}") from None


async def decode_body(request: Request, schema: type[T], code: str, limits: InputLimits) -> T:
    """Read, decode and validate a JSON object body into ``schema``.

    Args:
        request: the incoming request.
        schema: a msgspec Struct; its fields without defaults are required.
        code: this API's code for a malformed body or a field of the wrong type.
        limits: what the body may carry.

    Raises:
        PayloadTooLarge: the body is over ``limits.max_body_bytes``.
        InvalidRequest: ``Missingbody`` for an empty body, ``Missing<field>`` for
            a missing required field, ``code`` for anything malformed.
    """
    raw = await _read(request, limits)
    if not raw.strip():
        raise _body_unreadable("no body was sent")
    try:
        document = _parse(raw)
    except _Unreadable as exc:
        # DingTalk's gateway answers Missingbody to any body it cannot read as
        # JSON (spec §2.3); the message says what was wrong with the one sent.
        raise _body_unreadable(f"the body is {exc}") from None
    if not isinstance(document, dict):
        raise _body_unreadable("the body is not a JSON object")
    _check(document, "", limits, code)
    return _convert(document, schema, code)


async def read_body(request: Request, limits: InputLimits) -> bytes:
    """The raw body of an operation that reads it itself, within ``limits``.

    Raises:
        PayloadTooLarge, InvalidRequest: as :func:`decode_body`.
    """
    return await _read(request, limits)


def decode_json(raw: bytes | str, schema: type[T], code: str, limits: InputLimits) -> T:
    """A JSON document carried elsewhere than a declared body (a query parameter,
    a free-form body), decoded and checked as every body is, into ``schema``.

    Raises:
        InvalidRequest: ``code`` for anything malformed, ``Missing<field>`` for
            a missing required field.
    """
    try:
        document = _parse(raw)
    except _Unreadable as exc:
        raise errors.bad_parameter(code, f"error:{exc}") from None
    _check(document, "", limits, code)
    return _convert(document, schema, code)


def check_parameters(request: Request, limits: InputLimits, code: str) -> None:
    """Refuse path or query parameters that no API accepts: NUL characters, huge values.

    Raises:
        InvalidRequest: ``code``.
    """
    shortest = limits.max_id if limits.max_id < limits.max_string else limits.max_string
    for name, value in request.scope.get("path_params", {}).items():
        text = str(value)
        # Within every limit and free of NUL, as path parameters are: no more to check.
        if len(text) > shortest or "\x00" in text:
            _check_text(text, name, limits, code)
    if request.scope["query_string"]:  # skip parsing on the hot path's bare GET
        for name, value in request.query_params.multi_items():
            _check_text(value, name, limits, code)
