"""Operations as declarations: one line of the route table per API.

Almost every API has one shape: authenticate the caller, decode the body (if
any), make one service call, encode its result. :func:`op` declares what
varies (where the API lives, its body type, the service call and the reply)
and :func:`bind` turns the declarations into handlers, so that shape is
written once. ``call`` receives a :class:`Call` with the caller, the decoded
body and the request's parameters; ``reply`` turns the call's result into the
response payload, or is a constant payload, encoded once.
"""

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, overload

import msgspec
from starlette.requests import Request

from dingconf.core import errors
from dingconf.core.config import InputLimits
from dingconf.core.records import Principal
from dingconf.http.asgi import Handler, Reply, ok, query_param
from dingconf.http.params import int_query, optional_query
from dingconf.http.routing import ApiRoute
from dingconf.http.untrusted import check_parameters, decode_body, decode_json, read_body

__all__ = ["ACTION", "PRINCIPAL", "Authenticate", "Call", "Gate", "Operation", "bind", "op"]

B = TypeVar("B")
R = TypeVar("R")
T = TypeVar("T")

#: The scope key holding the action name of the request being served.
ACTION = "dingconf.action"
#: The scope key holding the authenticated caller (None where the guard names nobody);
#: the access log and the request journal name its app and org.
PRINCIPAL = "dingconf.principal"

#: Turns a request into its caller (None where the guard names nobody, e.g. the control API).
Authenticate = Callable[[Request], Awaitable[Principal | None]]

Payload = msgspec.Struct | Mapping[str, Any]


class Gate(Protocol):
    """What stands between an authenticated DingTalk call and its service call
    (the toolkit's faults and QPS limit, :mod:`dingconf.control.faults`)."""

    #: False while the gate would let everything through: the hot path skips it.
    armed: bool

    async def check(self, request: Request, action: str, principal: Principal | None) -> None:
        """Refuse, delay or drop this call, or let it through."""


class Call(Generic[B]):
    """What a service call sees of one request: the caller, the body, the parameters."""

    __slots__ = ("_limits", "_principal", "body", "param_error", "request")

    def __init__(
        self,
        principal: Principal | None,
        request: Request,
        body: B,
        param_error: str,
        limits: InputLimits,
    ) -> None:
        self._principal = principal
        self.request = request
        self.body = body
        #: The operation's code for a malformed parameter.
        self.param_error = param_error
        self._limits = limits

    @property
    def principal(self) -> Principal:
        """The authenticated caller (only on operations guarded by an access token)."""
        if self._principal is None:
            raise RuntimeError("this operation authenticates nobody")
        return self._principal

    @property
    def conference_id(self) -> str:
        """The ``{conferenceId}`` path parameter ("" where the path has none)."""
        return str(self.request.path_params.get("conferenceId", ""))

    def path(self, name: str) -> str:
        """A path parameter ("" where the path has none)."""
        return str(self.request.path_params.get(name, ""))

    def query(self, name: str) -> str:
        """A required query parameter; ``Missing<name>`` when absent or empty."""
        return query_param(self.request, name)

    def optional(self, name: str) -> str | None:
        """An optional query parameter."""
        return optional_query(self.request, name)

    def int_query(self, name: str, code: str | None = None) -> int | None:
        """An optional integer query parameter; ``code`` (default: the operation's
        parameter error) when it is not an integer."""
        return int_query(self.request, name, code or self.param_error)

    def json_query(self, name: str, schema: type[T], code: str | None = None) -> T:
        """A required query parameter holding JSON, decoded and checked as bodies are;
        ``code`` (default: the operation's parameter error) when it is malformed."""
        return decode_json(self.query(name), schema, code or self.param_error, self._limits)

    async def json_body(self, schema: type[T], code: str | None = None) -> T | None:
        """The body of an operation that declares none, decoded and checked as
        declared bodies are (None when empty); ``code`` as :meth:`json_query`."""
        raw = await read_body(self.request, self._limits)
        if not raw.strip():
            return None
        return decode_json(raw, schema, code or self.param_error, self._limits)

    def paging(self, code: str | None = None) -> tuple[str | None, int | None]:
        """``nextToken`` and ``maxResults``; ``code`` when ``maxResults`` is not an integer."""
        return self.optional("nextToken"), self.int_query("maxResults", code)


@dataclass(frozen=True, slots=True)
class Operation:
    """One declared API. Build with :func:`op`; serve with :func:`bind`."""

    method: str
    path: str
    action: str
    call: Callable[[Call[Any]], Awaitable[Any]]
    reply: Callable[[Any], Any] | Payload | None
    body: type[Any] | None
    param_error: str
    guard: str
    #: The reply's type, for the OpenAPI document, where annotations do not say it.
    returns: Any = None

    @property
    def gated(self) -> bool:
        """Whether fault rules and the QPS limit apply (DingTalk's operations, not control)."""
        return self.path.startswith("/v1.0/")


@overload
def op(
    route: str,
    action: str,
    call: Callable[[Call[None]], Awaitable[R]],
    reply: Callable[[R], Any] | Payload | None = ...,
    *,
    param_error: str = ...,
    guard: str = ...,
    returns: Any = ...,
) -> Operation: ...


@overload
def op(
    route: str,
    action: str,
    call: Callable[[Call[B]], Awaitable[R]],
    reply: Callable[[R], Any] | Payload | None = ...,
    *,
    body: type[B],
    param_error: str = ...,
    guard: str = ...,
    returns: Any = ...,
) -> Operation: ...


def op(
    route: str,
    action: str,
    call: Callable[[Call[Any]], Awaitable[Any]],
    reply: Callable[[Any], Any] | Payload | None = None,
    *,
    body: type[Any] | None = None,
    param_error: str = errors.params_error.code,
    guard: str = "token",
    returns: Any = None,
) -> Operation:
    """Declare an API.

    Args:
        route: the HTTP method and path, e.g. ``"GET /v1.0/conference/{conferenceId}"``.
        action: DingTalk's action name (the SDK's ``action=``).
        call: the service call, given the request as a :class:`Call`.
        reply: the response payload from the call's result, or a constant payload;
            None when the call's result is the payload.
        body: the msgspec Struct of a JSON body; None for APIs without one.
        param_error: this API's code for a malformed parameter or body field.
        guard: which authenticator admits the caller (a key of :func:`bind`'s ``guards``).
        returns: the reply's type, documented in the OpenAPI document; by default
            the return annotation of ``reply`` (or of ``call`` when ``reply`` is None).
    """
    method, path = route.split(" ", 1)
    return Operation(method, path, action, call, reply, body, param_error, guard, returns)


def _handler(
    operation: Operation, authenticate: Authenticate, limits: InputLimits, gate: Gate | None
) -> Handler:
    call, body, param_error, action = (
        operation.call,
        operation.body,
        operation.param_error,
        operation.action,
    )
    reply = operation.reply
    respond: Callable[[Any], Reply]
    if reply is None:
        respond = ok
    elif callable(reply):
        shape = reply

        def complete(result: Any) -> Reply:
            payload = shape(result)
            # A reply may be complete already (a redirect); anything else is JSON.
            return payload if isinstance(payload, Reply) else ok(payload)

        respond = complete
    else:
        constant = ok(reply)  # encoded once, not per request
        respond = lambda _result: constant  # noqa: E731

    async def handle(request: Request) -> Reply:
        scope = request.scope
        scope[ACTION] = action
        principal = scope[PRINCIPAL] = await authenticate(request)
        if gate is not None and gate.armed:
            await gate.check(request, action, principal)
        check_parameters(request, limits, param_error)
        decoded = None if body is None else await decode_body(request, body, param_error, limits)
        return respond(await call(Call(principal, request, decoded, param_error, limits)))

    return handle


def bind(
    operations: Iterable[Operation],
    guards: Mapping[str, Authenticate],
    limits: InputLimits,
    gate: Gate | None = None,
) -> list[ApiRoute]:
    """The routes serving ``operations``, each admitted by its guard, input within ``limits``.

    ``gate`` checks the DingTalk operations (those under ``/v1.0``), never the control API.
    """
    return [
        ApiRoute(
            o.method,
            o.path,
            o.action,
            _handler(o, guards[o.guard], limits, gate if o.gated else None),
        )
        for o in operations
    ]
