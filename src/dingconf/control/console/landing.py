"""The landing page at ``/``, and the HTML page browsers get for a path that is not there.

The landing page teaches: the version, this server's address, the database,
organisations and the demo app's key (with the local demo secret where the
demo app answers to it), a curl call, an official Python SDK and a Stream SDK
snippet with the address filled in, and links to the console, the API docs,
metrics and health. Everything put into it is escaped.

Details (database, organisations, credentials) are shown only where the
control API answers without a token: a loopback server without
``--admin-token``, asked under a loopback Host (a page of another site that
reaches 127.0.0.1 under a name of its own, DNS rebinding, sees none of them).
"""

import json
import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from importlib.metadata import version
from importlib.resources import files
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from dingconf.auth.guards import refuse_foreign_pages
from dingconf.auth.provisioning import ProvisioningService
from dingconf.control.console.pages import CONSOLE_PATH, PAGE_HEADERS
from dingconf.control.console.service import ConsoleService
from dingconf.core import errors
from dingconf.core.closest import closest_route
from dingconf.core.config import DEMO_APP_KEY, DEMO_SECRET, Settings, redacted_url
from dingconf.core.errors import DingError, RouteNotFound
from dingconf.db.store import Store
from dingconf.http.asgi import REQUEST_ID, ErrorPage
from dingconf.http.redaction import loggable_path

__all__ = ["PAGES", "browser_not_found", "landing_route"]

_WEB = files("dingconf").joinpath("web")
_LANDING = _WEB.joinpath("index.html").read_text(encoding="utf-8")
_NOT_FOUND = _WEB.joinpath("not-found.html").read_text(encoding="utf-8")
_SLOT = re.compile(r"\{\{([A-Z]+)\}\}")
_HTML = "text/html; charset=utf-8"
#: The pages a browser may have meant, besides the operations.
PAGES = (
    ("GET", "/"),
    ("GET", CONSOLE_PATH),
    ("GET", "/docs"),
    ("GET", "/openapi.json"),
    ("GET", "/_dingconf/metrics"),
    ("GET", "/_dingconf/health"),
)
_CONTROL_ROOT = "/_dingconf"
#: DingTalk's API: always its JSON errors, whoever asks.
_API_PREFIX = "/v1.0/"


def _fill(template: str, slots: Mapping[str, str]) -> bytes:
    """``template`` with each ``{{NAME}}`` replaced in one pass (a value holding a
    slot's name stays as it is)."""
    return _SLOT.sub(lambda m: slots[m.group(1)], template).encode()


def _code(text: str) -> str:
    return f"<code>{escape(text)}</code>"


def _snippets(base: str, key: str, secret: str, user: str) -> dict[str, str]:
    """The curl, SDK and Stream snippets for this server at ``base``, escaped."""
    parts = urlsplit(base)
    body = json.dumps({"appKey": key, "appSecret": secret}, separators=(",", ":"))
    curl = (
        f"curl -s -X POST {shlex.quote(base + '/v1.0/oauth2/accessToken')} \\\n"
        f"  -H 'content-type: application/json' \\\n  -d {shlex.quote(body)}"
    )
    python = f"""\
from alibabacloud_dingtalk.conference_1_0 import models
from alibabacloud_dingtalk.conference_1_0.client import Client
from alibabacloud_dingtalk.oauth2_1_0 import models as oauth_models
from alibabacloud_dingtalk.oauth2_1_0.client import Client as OAuthClient
from alibabacloud_tea_openapi.models import Config
from alibabacloud_tea_util.models import RuntimeOptions

config = Config(protocol={json.dumps(parts.scheme)}, endpoint={json.dumps(parts.netloc)})
request = oauth_models.GetAccessTokenRequest(
    app_key={json.dumps(key)}, app_secret={json.dumps(secret)}
)
token = OAuthClient(config).get_access_token(request).body.access_token
created = Client(config).create_video_conference_with_options(
    models.CreateVideoConferenceRequest(user_id={json.dumps(user)}, conf_title="Stand-up"),
    models.CreateVideoConferenceHeaders(x_acs_dingtalk_access_token=token),
    RuntimeOptions(),
)
print(created.body.conference_id)
"""
    stream = f"""\
import dingtalk_stream

dingtalk_stream.DingTalkStreamClient.OPEN_CONNECTION_API = (
    {json.dumps(base + "/v1.0/gateway/connections/open")}
)
credential = dingtalk_stream.Credential({json.dumps(key)}, {json.dumps(secret)})
client = dingtalk_stream.DingTalkStreamClient(credential)
# register an EventHandler as with DingTalk, then: client.start_forever()
"""
    return {"CURL": escape(curl), "PYTHON": escape(python), "STREAM": escape(stream)}


class _Landing:
    """``GET /``: the page, filled in for the server and the one asking (an ASGI app)."""

    def __init__(
        self,
        settings: Settings,
        console: ConsoleService,
        provisioning: ProvisioningService,
        store: Store,
    ) -> None:
        self._settings = settings
        self._console = console
        self._provisioning = provisioning
        self._store = store
        self._version = version("dingconf")
        # Whether the demo app answers to the local demo secret, by auth epoch:
        # the check is a deliberately slow hash.
        self._demo_answers: tuple[int, bool | None] | None = None

    def _open_to(self, request: Request) -> bool:
        """Whether the control API would answer this request without a token."""
        if self._settings.admin_token is not None or not self._settings.is_loopback:
            return False
        try:
            refuse_foreign_pages(request)
        except DingError:
            return False
        return True

    async def _demo_secret(self) -> tuple[bool | None, str | None]:
        """Whether the demo app answers to the local demo secret (None: there is no
        demo app), and that secret."""
        secret = self._settings.local_demo_secret
        if secret is None:
            return None, None
        epoch = await self._store.auth_epoch()
        if self._demo_answers is None or self._demo_answers[0] != epoch:
            self._demo_answers = (epoch, await self._provisioning.answers_to(DEMO_APP_KEY, secret))
        return self._demo_answers[1], secret

    async def _details(self, request: Request) -> dict[str, str]:
        """The slots that tell this server's state (only to whom :meth:`_open_to`)."""
        if not self._open_to(request):
            where = (
                "in the console, with the admin token"
                if self._settings.admin_token is not None
                else "shown only to local clients of a server bound to loopback"
            )
            return {
                "DETAILS": f"<dt>Organisations</dt><dd>{escape(where)}</dd>",
                "ORGS": "",
                "CREDENTIALS": "<p>Use your app's appKey and appSecret in the snippets.</p>",
                "KEY": "<appKey>",
                "SECRET": "<appSecret>",
                "USER": "<unionId>",
            }
        orgs = await self._console.organisations()
        rows = "".join(
            f"<tr><td>{escape(o.org.name)}</td><td>{_code(o.org.corp_id)}</td>"
            f"<td>{', '.join(_code(a.app_key) for a in o.apps) or 'none'}</td>"
            f"<td>{len(o.users)}</td></tr>"
            for o in orgs
        )
        table = (
            '<table class="orgs"><caption class="visually-hidden">Organisations</caption>'
            '<thead><tr><th scope="col">Organisation</th><th scope="col">corpId</th>'
            '<th scope="col">Apps</th><th scope="col">Users</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
            if orgs
            else "<p>No organisation yet: <code>dingconf orgs add</code>, or "
            "<code>dingconf serve --seed</code>.</p>"
        )
        answers, secret = await self._demo_secret()
        if secret != DEMO_SECRET:
            secret = None  # one the user chose is theirs to know: not shown
        slots = {
            "DETAILS": f"<dt>Database</dt><dd>{_code(redacted_url(self._settings.database))}</dd>"
            f"<dt>Organisations</dt><dd>{len(orgs)}</dd>",
            "ORGS": table,
            "KEY": DEMO_APP_KEY if answers is not None else "<appKey>",
            "SECRET": "<appSecret>",
            "USER": "demo-alice" if answers is not None else "<unionId>",
        }
        if answers and secret is not None:
            slots["SECRET"] = secret
            slots["CREDENTIALS"] = (
                f'<p class="credentials">Demo app: appKey {_code(DEMO_APP_KEY)}, appSecret '
                f"{_code(secret)} (the local demo secret: refused on a server bound beyond "
                "loopback unless set with <code>--demo-secret</code>).</p>"
            )
        elif answers and self._settings.demo_secret is not None:
            slots["CREDENTIALS"] = (
                f"<p>Demo app: appKey {_code(DEMO_APP_KEY)}, appSecret: the one "
                "<code>--demo-secret</code> sets.</p>"
            )
        elif answers is not None:
            command = f"dingconf apps reset-secret {DEMO_APP_KEY} --secret {DEMO_SECRET}"
            slots["CREDENTIALS"] = (
                f"<p>The demo app {_code(DEMO_APP_KEY)} keeps a secret set earlier; "
                f"{_code(command)} gives it the local demo secret.</p>"
            )
        else:
            slots["CREDENTIALS"] = "<p>Use your app's appKey and appSecret in the snippets.</p>"
        return slots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in ("GET", "HEAD"):
            raise errors.route_not_found()
        request = Request(scope, receive)
        host = request.headers.get("host")
        base = f"http://{host}" if host else self._settings.base_url
        slots = await self._details(request)
        slots |= _snippets(base, slots.pop("KEY"), slots.pop("SECRET"), slots.pop("USER"))
        slots |= {"VERSION": escape(self._version), "BASE": escape(base)}
        body = _fill(_LANDING, slots)
        headers = {**PAGE_HEADERS, "content-type": _HTML, "cache-control": "no-store"}
        await _send(send, 200, body, headers)


def landing_route(
    settings: Settings, console: ConsoleService, provisioning: ProvisioningService, store: Store
) -> Route:
    """``GET /``, the landing page."""
    return Route("/", _Landing(settings, console, provisioning, store))


async def _send(send: Send, status: int, body: bytes, headers: Mapping[str, str]) -> None:
    raw = [(k.encode(), v.encode()) for k, v in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def _wants_html(scope: Scope) -> bool:
    """Whether a browser asks: an ``Accept`` naming ``text/html`` (an API client's does not)."""
    return any(k == b"accept" and b"text/html" in v for k, v in scope["headers"])


def _not_found_page(scope: Scope, error: DingError, routes: Sequence[tuple[str, str]]) -> bytes:
    reason = closest = ""
    if isinstance(error, RouteNotFound):
        near = closest_route(scope["method"], scope["path"], routes, same_method_first=True)
        if scope["path"].rstrip("/") == _CONTROL_ROOT:
            near = ("GET", CONSOLE_PATH)  # the control API's root: its pages are the console
        if near is not None and near[0] == "GET" and "{" not in near[1]:
            closest = f'<p>The closest page: <a href="{escape(near[1])}">{escape(near[1])}</a></p>'
        elif near is not None:
            closest = (
                f"<p>The closest operation: {_code(f'{near[0]} {near[1]}')} (see the "
                '<a href="/docs">API documentation</a>).</p>'
            )
    else:
        reason = f": {escape(error.message)}"
    return _fill(
        _NOT_FOUND, {"PATH": escape(loggable_path(scope)), "REASON": reason, "CLOSEST": closest}
    )


def browser_not_found(routes: Iterable[tuple[str, str]]) -> ErrorPage:
    """A browser's 404 outside DingTalk's API, answered by an HTML page (for
    :func:`~dingconf.http.asgi.wire_errors`).

    It names the closest of ``routes`` (method, path) and :data:`PAGES`, and
    links home and to the console. API paths, and clients whose ``Accept``
    does not name ``text/html``, keep DingTalk's JSON errors.
    """
    candidates = (*PAGES, *routes)

    async def answer(scope: Scope, error: DingError, send: Send) -> bool:
        if error.status != 404 or scope["path"].startswith(_API_PREFIX) or not _wants_html(scope):
            return False
        headers = {**PAGE_HEADERS, "content-type": _HTML, "x-acs-request-id": scope[REQUEST_ID]}
        await _send(send, 404, _not_found_page(scope, error, candidates), headers)
        return True

    return answer
