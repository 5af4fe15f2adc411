"""What a server process and an in-process mock both offer a test: requests, tokens,
organisations and the control API's helpers (clock, participants, events, state,
journal, faults).

A subclass says how one request travels (:meth:`ControlPlane._send`); everything
else is shared.
"""

import json as jsonlib
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from dingconf.testing.controls import Clock, Events, Participants, State
from dingconf.testing.toolkit import Faults, Journal

__all__ = ["ControlPlane", "DingconfOrg", "Response"]

#: Status, headers and the decoded JSON body of one reply.
Response = tuple[int, dict[str, str], Any]


class ControlPlane:
    """A dingconf reachable by requests, with a helper per concern of the control API."""

    def __init__(self) -> None:
        #: The server clock: ``advance(ms)``, ``move(...)``.
        self.clock = Clock(self._ok)
        #: People in meetings: ``join``, ``leave``, ``say``, ``report_network``, ``decline``.
        self.participants = Participants(self._ok)
        #: ``events(app_key)`` lists an app's events; ``events.wait_for(...)`` awaits one.
        self.events = Events(self._ok)
        #: The whole state: ``reset()``, ``export()``, ``load(document)``.
        self.state = State(self._ok)
        #: ``journal(...)`` lists journaled calls; ``count``, ``clear``, ``assert_called``.
        self.journal = Journal(self._ok)
        #: ``faults()`` lists fault rules; ``add``, ``injected``, ``remove``, ``clear``,
        #: ``set_qps_limit``.
        self.faults = Faults(self._ok)

    @property
    def endpoint(self) -> str:
        """``host[:port]``, as the official SDK's ``Config(endpoint=...)`` wants it."""
        raise NotImplementedError

    def _send(
        self, method: str, path: str, data: bytes | None, headers: dict[str, str]
    ) -> Response:
        """Send one request; return status, headers and the decoded JSON body."""
        raise NotImplementedError

    def request(
        self,
        method: str,
        path: str,
        body: object = None,
        headers: dict[str, str] | None = None,
        *,
        json: object = None,
    ) -> Response:
        """Send one request; return status, headers and the decoded JSON body.

        The body is sent as JSON; ``json=`` is another name for ``body``, as
        httpx and requests spell it.
        """
        if body is not None and json is not None:
            raise TypeError("request() takes the body as body or json=, not both")
        sent = body if json is None else json
        data = None if sent is None else jsonlib.dumps(sent).encode()
        return self._send(
            method, path, data, {"content-type": "application/json", **(headers or {})}
        )

    def _ok(self, method: str, path: str, body: object = None) -> Any:
        status, _, payload = self.request(method, path, body)
        if status != 200:
            raise AssertionError(f"{method} {path} -> {status} {payload}")
        return payload

    def token(self, app_key: str = "test-app", app_secret: str = "test-secret") -> str:  # noqa: S107 (the plugin's seed)
        """An internal app's access token."""
        payload = self._ok(
            "POST", "/v1.0/oauth2/accessToken", {"appKey": app_key, "appSecret": app_secret}
        )
        token: str = payload["accessToken"]
        return token

    def revoke_tokens(self, app_key: str) -> int:
        """Revoke every access token of an internal app; return how many there were."""
        path = f"/_dingconf/apps/{urllib.parse.quote(app_key, safe='')}/revokeTokens"
        revoked: int = self._ok("POST", path)["revoked"]
        return revoked

    def create_org(
        self,
        corp_id: str | None = None,
        users: list[tuple[str, str]] | None = None,
        scopes: list[str] | None = None,
    ) -> "DingconfOrg":
        """A fresh organisation with users, an app and its token (ids generated if left out)."""
        body: dict[str, Any] = {}
        if corp_id:
            body["corpId"] = corp_id
        if users is not None:
            body["users"] = [{"unionId": u, "nick": n} for u, n in users]
        if scopes is not None:
            body["scopes"] = scopes
        made = self._ok("POST", "/_dingconf/orgs", body)
        return DingconfOrg(
            server=self,
            corp_id=made["corpId"],
            app_key=made["appKey"],
            app_secret=made["appSecret"],
            agent_id=made["agentId"],
            users=[u["unionId"] for u in made["users"]],
            token=self.token(made["appKey"], made["appSecret"]),
        )


@dataclass
class DingconfOrg:
    """An organisation of its own on a shared server: nobody else's meetings in sight."""

    server: ControlPlane
    corp_id: str
    app_key: str
    app_secret: str
    #: The app's AgentId (``appId`` of the extension apps it sets on meetings).
    agent_id: str
    #: unionIds of its users (``u-host``, ``u-alice``, ``u-bob``, ``u-carol`` by default).
    users: list[str]
    #: An access token of its app (Read and Write).
    token: str
    _client: Any = field(default=None, repr=False)

    @property
    def headers(self) -> dict[str, str]:
        """The header carrying :attr:`token`, for plain HTTP calls."""
        return {"x-acs-dingtalk-access-token": self.token}

    @property
    def client(self) -> Any:
        """The official SDK's ``conference_1_0`` client, pointed at the server.

        Pass ``{"x_acs_dingtalk_access_token": org.token}`` headers to its
        ``*_with_options`` calls (the SDK's own way). Needs ``alibabacloud_dingtalk``,
        imported only here so the plugin loads without it.
        """
        if self._client is None:
            from alibabacloud_dingtalk.conference_1_0.client import (  # type: ignore[import-untyped]
                Client,
            )
            from alibabacloud_tea_openapi.models import Config  # type: ignore[import-untyped]

            self._client = Client(Config(protocol="http", endpoint=self.server.endpoint))
        return self._client
