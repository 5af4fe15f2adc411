"""Bodies of the test toolkit's control API (reset, state, fresh organisations)."""

from typing import Any

import msgspec

from dingconf.http.body import Body as _Body

__all__ = ["NewOrgBody", "NewOrgReply", "NewOrgUser", "ResetBody", "StateBody"]


class ResetBody(_Body):
    """``POST /_dingconf/reset``: every organisation, or one."""

    corp_id: str | None = None


class NewOrgUser(_Body):
    """A user of a fresh organisation."""

    union_id: str
    nick: str | None = None


class NewOrgBody(_Body):
    """``POST /_dingconf/orgs``: everything optional, generated when left out."""

    corp_id: str | None = None
    name: str | None = None
    users: list[NewOrgUser] | None = None
    app_key: str | None = None
    scopes: list[str] | None = None


class NewOrgReply(_Body):
    """The fresh organisation; ``appSecret`` is answered this once."""

    corp_id: str
    name: str
    app_key: str
    app_secret: str
    #: The app's AgentId: ``appId`` of the extension apps it sets on meetings.
    agent_id: str
    scopes: list[str]
    users: list[NewOrgUser]


class StateBody(msgspec.Struct):
    """``PUT /_dingconf/state``: a state document (docs/state-format.md), checked by
    the service."""

    format: str
    version: int
    orgs: list[dict[str, Any]] = []
    suites: list[dict[str, Any]] = []
