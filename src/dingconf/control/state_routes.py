"""The test toolkit's control API: reset, state export/import, fresh organisations, the clock.

All under ``/_dingconf`` and guarded by ``admin`` like the rest of the control API.
"""

from collections.abc import Callable
from typing import Any

import msgspec

from dingconf.control.schemas import ClockBody
from dingconf.control.shared_clock import SharedClock
from dingconf.control.state import NewOrg, StateService
from dingconf.control.state_schemas import NewOrgBody, NewOrgReply, NewOrgUser, ResetBody, StateBody
from dingconf.core import errors
from dingconf.core.ids import agent_id
from dingconf.http.operations import Call, Operation, op

__all__ = ["state_routes"]

_PARAM_ERROR = errors.param_error.code


def _new_org(org: NewOrg) -> NewOrgReply:
    return NewOrgReply(
        corp_id=org.corp_id,
        name=org.name,
        app_key=org.app_key,
        app_secret=org.app_secret,
        agent_id=agent_id(org.app_key),
        scopes=sorted(org.scopes),
        users=[NewOrgUser(union_id=u, nick=n) for u, n in org.users],
    )


def state_routes(
    state: StateService, clock: SharedClock, forget_calls: Callable[[], None]
) -> list[Operation]:
    """The reset, state, organisation and clock operations; a reset of everything also
    calls ``forget_calls`` (this process's journal and fault rules)."""

    async def reset(c: Call[ResetBody]) -> None:
        await state.reset(c.body.corp_id)
        if c.body.corp_id is None:
            # A test suite resets between tests: calls and faults of the last test
            # must not leak into the next one's assertions.
            forget_calls()

    async def new_org(c: Call[NewOrgBody]) -> NewOrg:
        b = c.body
        users = None if b.users is None else [(u.union_id, u.nick or u.union_id) for u in b.users]
        return await state.create_org(b.corp_id, b.name, users, b.app_key, b.scopes)

    async def export(c: Call[None]) -> dict[str, Any]:
        return await state.export(c.optional("corpId"))

    async def import_(c: Call[StateBody]) -> dict[str, int]:
        return {"orgs": await state.import_state(msgspec.to_builtins(c.body))}

    async def move_clock(c: Call[ClockBody]) -> int:
        b = c.body
        return await clock.move(b.advance_ms, b.set_ms, b.freeze)

    return [
        op(
            "POST /_dingconf/reset",
            "Reset",
            reset,
            {"success": True},
            body=ResetBody,
            param_error=_PARAM_ERROR,
            guard="admin",
        ),
        op(
            "POST /_dingconf/orgs",
            "CreateOrg",
            new_org,
            _new_org,
            body=NewOrgBody,
            param_error=_PARAM_ERROR,
            guard="admin",
        ),
        op("GET /_dingconf/state", "ExportState", export, guard="admin"),
        op(
            "PUT /_dingconf/state",
            "ImportState",
            import_,
            body=StateBody,
            param_error=errors.invalid_state.code,
            guard="admin",
        ),
        op(
            "POST /_dingconf/clock",
            "MoveClock",
            move_clock,
            lambda now: {"now": now},
            body=ClockBody,
            param_error=_PARAM_ERROR,
            guard="admin",
        ),
    ]
