"""Query-string parameters beyond :func:`~dingconf.http.asgi.query_param` (spec §1.1).

The Python SDK ``str()``s every value, so booleans arrive as ``True``/``False``
and other SDKs send ``true``/``false``: both are accepted.
"""

from starlette.requests import Request

from dingconf.core import errors
from dingconf.core.digits import ascii_digits
from dingconf.http.asgi import query_param
from dingconf.http.untrusted import INT64

__all__ = ["bool_query", "int_query", "optional_query", "paging", "required_int_query"]


def optional_query(request: Request, name: str) -> str | None:
    """A query parameter, or None when absent or empty."""
    return request.query_params.get(name) or None


def _int(value: str, name: str, code: str) -> int:
    # ASCII digits only (dingconf.core.digits), and few enough to be a
    # 64-bit integer: ``int()`` raises past 4,300 digits.
    digits = value.strip().removeprefix("-")
    if not ascii_digits(digits):
        raise errors.bad_parameter(code, f"error:{name} must be an integer")
    if len(digits) > 19 or not INT64[0] <= int(value) <= INT64[1]:
        raise errors.bad_parameter(code, f"error:{name} is out of range")
    return int(value)


def int_query(request: Request, name: str, code: str) -> int | None:
    """An optional integer parameter.

    Raises:
        InvalidRequest: ``code`` when it is not an integer.
    """
    value = optional_query(request, name)
    return None if value is None else _int(value, name, code)


def required_int_query(request: Request, name: str, code: str) -> int:
    """A required integer parameter.

    Raises:
        InvalidRequest: ``Missing<name>`` when absent, ``code`` when not an integer.
    """
    return _int(query_param(request, name), name, code)


def bool_query(request: Request, name: str, code: str) -> bool:
    """A required boolean parameter, in any capitalisation.

    Raises:
        InvalidRequest: ``Missing<name>`` when absent, ``code`` when not a boolean.
    """
    value = query_param(request, name).lower()
    if value not in ("true", "false"):
        raise errors.bad_parameter(code, f"error:{name} must be true or false")
    return value == "true"


def paging(request: Request, code: str) -> tuple[str | None, int | None]:
    """``nextToken`` and ``maxResults`` of a listing."""
    return optional_query(request, "nextToken"), int_query(request, "maxResults", code)
