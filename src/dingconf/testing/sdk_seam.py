"""The official Python SDK's transport, routed to an in-process dingconf.

Every call of the pinned SDK (``alibabacloud-dingtalk`` over
``alibabacloud_tea_openapi`` 0.4) goes through ``darabonba.core.DaraCore``'s
``do_action`` / ``async_do_action``; older SDKs go through ``Tea.core.TeaCore``'s.
While a mock is active both are replaced (where importable) by functions that
hand the SDK's request to the mock and build the SDK's own response object from
its answer, so the SDK's error handling (``TeaException`` with code, message and
status) runs unchanged. The innermost active mock answers; the originals come
back when the last one ends.
"""

import importlib
import importlib.util
import threading
from http import HTTPStatus
from typing import Any, Protocol
from urllib.parse import urlencode

from dingconf.testing.asgi_bridge import Reply

__all__ = ["PHRASES", "SEAMS", "Target", "route_sdk_to", "stop_routing"]

#: (module, class, response class's module and name, module of its RetryError).
SEAMS = (
    ("darabonba.core", "DaraCore", "darabonba.response", "DaraResponse", "darabonba.exceptions"),
    ("Tea.core", "TeaCore", "Tea.response", "TeaResponse", "Tea.exceptions"),
)
_ACTIONS = ("do_action", "async_do_action")


class Target(Protocol):
    """Where the SDK's requests go: an in-process app, sync and async."""

    def call(
        self, method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes
    ) -> Reply: ...

    async def acall(
        self, method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes
    ) -> Reply: ...


_lock = threading.Lock()
_targets: list[Target] = []
_saved: list[tuple[type, str, Any]] = []


def _parts(request: Any) -> tuple[str, str, str, list[tuple[str, str]], bytes]:
    """Method, path, query string, headers and body of the SDK's request object
    (its query values as ``DaraCore.compose_url`` renders them)."""
    path, _, inline = str(request.pathname or "/").partition("?")
    params = {k: str(v) for k, v in (request.query or {}).items() if v is not None}
    query = "&".join(part for part in (inline, urlencode(params)) if part)
    headers = [(str(k), str(v)) for k, v in (request.headers or {}).items() if v is not None]
    body = request.body
    if body is None:
        data = b""
    elif isinstance(body, str):
        data = body.encode()
    elif isinstance(body, bytes | bytearray):
        data = bytes(body)
    else:  # the SDK's streams iterate over bytes
        data = b"".join(body)
    return str(request.method or "GET"), path, query, headers, data


#: Reason phrases by status: a dict's lookup costs a tenth of ``HTTPStatus(status)``'s.
PHRASES = {status.value: status.phrase for status in HTTPStatus}


def _response(response_type: type, reply: Reply) -> Any:
    response = response_type()
    response.status_code = reply.status
    response.status_message = PHRASES.get(reply.status, "")
    response.headers = dict(reply.headers)
    response.body = reply.body
    return response


def _active() -> Target:
    try:
        return _targets[-1]
    except IndexError:
        raise RuntimeError("no dingconf mock is active") from None


def _actions(response_type: type, retry_error: type[Exception]) -> tuple[Any, Any]:
    """Replacements of ``do_action`` and ``async_do_action`` for one SDK core."""

    def do_action(request: Any, runtime_option: Any = None) -> Any:
        try:
            reply = _active().call(*_parts(request))
        except OSError as exc:  # as the real one turns an I/O failure into a retry
            raise retry_error(str(exc)) from exc
        return _response(response_type, reply)

    async def async_do_action(request: Any, runtime_option: Any = None) -> Any:
        try:
            reply = await _active().acall(*_parts(request))
        except OSError as exc:
            raise retry_error(str(exc)) from exc
        return _response(response_type, reply)

    return staticmethod(do_action), staticmethod(async_do_action)


def _install() -> None:
    patched = 0
    for core_module, core_name, response_module, response_name, errors_module in SEAMS:
        try:
            core = getattr(importlib.import_module(core_module), core_name)
            response_type = getattr(importlib.import_module(response_module), response_name)
            retry_error = importlib.import_module(errors_module).RetryError
        except ImportError:
            continue  # that generation of the SDK is not installed
        patched += 1
        missing = [action for action in _ACTIONS if action not in vars(core)]
        if missing:
            raise RuntimeError(
                f"{core_module}.{core_name} has no {', '.join(missing)}: this SDK version "
                "sends its requests some other way, which dingconf.mock() does not know"
            )
        for action, replacement in zip(_ACTIONS, _actions(response_type, retry_error), strict=True):
            _saved.append((core, action, vars(core)[action]))
            setattr(core, action, replacement)
    if not patched and importlib.util.find_spec("alibabacloud_tea_openapi") is not None:
        # The SDK is installed but sends its requests through no core known here:
        # its calls would go to DingTalk itself.
        raise RuntimeError(
            "the official SDK is installed, but neither darabonba.core nor Tea.core is: "
            "this SDK version sends its requests some other way, which dingconf.mock() "
            "does not know"
        )


def _restore() -> None:
    while _saved:
        core, action, original = _saved.pop()
        setattr(core, action, original)


def route_sdk_to(target: Target) -> None:
    """Send the official SDK's calls to ``target`` until :func:`stop_routing` (nestable)."""
    with _lock:
        if not _targets:
            try:
                _install()
            except BaseException:
                _restore()
                raise
        _targets.append(target)


def stop_routing(target: Target) -> None:
    """Stop sending calls to ``target``; the SDK's own transport is back once none is left."""
    with _lock:
        last = len(_targets) - 1 - _targets[::-1].index(target)
        del _targets[last]
        if not _targets:
            _restore()
