"""The test toolkit's control API: the request journal, fault rules, the QPS limit,
token revocation. All under ``/_dingconf``, guarded by ``admin``.

The journal and the fault rules are this process's (design.md, "Toolkit
state"): with ``--workers N`` each worker answers about its own.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec

from dingconf.auth.provisioning import ProvisioningService
from dingconf.control.faults import FaultRule, Faults
from dingconf.control.toolkit_schemas import (
    ClearedReply,
    ClosestOperation,
    CountReply,
    FaultBody,
    FaultsReply,
    FaultView,
    JournalEntryView,
    JournalReply,
    QpsBody,
    RevokedReply,
)
from dingconf.core import errors
from dingconf.core.config import Settings
from dingconf.http.journal import Entry, Journal, JournalFilter
from dingconf.http.operations import Call, Operation, op

__all__ = ["Toolkit", "toolkit_routes"]

_PARAM_ERROR = errors.param_error.code
_SUCCESS = {"success": True}


@dataclass(frozen=True, slots=True)
class Toolkit:
    """The toolkit state of one process."""

    journal: Journal
    faults: Faults

    @classmethod
    def of(cls, settings: Settings, now_ms: Callable[[], int]) -> "Toolkit":
        """The toolkit as ``settings`` configure it, timed by ``now_ms``."""
        return cls(Journal(settings.journal_size, now_ms), Faults(now_ms, settings.qps_limit))

    def forget(self) -> None:
        """Clear the journal and the fault rules."""
        self.journal.clear()
        self.faults.clear()


def _body(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return msgspec.json.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        # Kept as the client sent it (a hostile body too): shown as text.
        return raw.decode("utf-8", "replace")


def _entry(e: Entry) -> JournalEntryView:
    return JournalEntryView(
        request_id=e.request_id,
        time=e.at_ms,
        method=e.method,
        path=e.path,
        status=e.status,
        latency_ms=e.latency_ms,
        closest=ClosestOperation(*e.closest) if e.closest else None,
        query=e.query,
        action=e.action,
        corp_id=e.corp_id,
        app_key=e.app_key,
        dropped=e.dropped,
        request=_body(e.request),
        response=_body(e.response),
    )


def _fault(r: FaultRule) -> FaultView:
    return FaultView(
        id=r.id,
        probability=r.probability,
        seed=r.seed,
        hits=r.hits,
        action=r.action,
        corp_id=r.corp_id,
        app_key=r.app_key,
        status=r.status,
        code=r.code,
        message=r.message,
        latency_ms=r.latency_ms,
        drop=r.drop,
        remaining=r.remaining,
        expires_at=r.expires_at_ms,
    )


def _rule(b: FaultBody, now_ms: int) -> FaultRule:
    """The rule a body asks for.

    Raises:
        InvalidRequest: ``paramError`` when it would do nothing, or names a status without a code.
    """
    if b.code is None and not b.drop and not b.latency_ms:
        raise errors.param_error("error:a fault needs a code, latencyMs or drop")
    if b.status is not None and b.code is None:
        raise errors.param_error("error:a fault's status needs a code")
    expiries = [t for t in (b.expires_at, None if b.ttl_ms is None else now_ms + b.ttl_ms) if t]
    return FaultRule(
        id="",
        action=b.action,
        corp_id=b.corp_id,
        app_key=b.app_key,
        status=b.status if b.status is not None else (500 if b.code is not None else None),
        code=b.code,
        message=b.message,
        latency_ms=b.latency_ms,
        drop=b.drop,
        probability=b.probability,
        seed=b.seed,
        remaining=b.times,
        expires_at_ms=min(expiries) if expiries else None,
    )


def _filter(c: Call[None]) -> JournalFilter:
    return JournalFilter(
        action=c.optional("action"),
        corp_id=c.optional("corpId"),
        app_key=c.optional("appKey"),
        since_ms=c.int_query("since"),
        until_ms=c.int_query("until"),
    )


def toolkit_routes(
    toolkit: Toolkit, provisioning: ProvisioningService, now_ms: Callable[[], int]
) -> list[Operation]:
    """The toolkit's control operations."""
    journal, faults = toolkit.journal, toolkit.faults

    async def read_journal(c: Call[None]) -> JournalReply:
        which = _filter(c)
        limit = c.int_query("limit")
        if limit is not None and limit < 1:
            raise errors.param_error("error:limit must be at least 1")
        entries = journal.select(which, limit)
        return JournalReply([_entry(e) for e in entries], journal.capacity)

    async def count_journal(c: Call[None]) -> CountReply:
        return CountReply(journal.count(_filter(c)))

    async def clear_journal(_c: Call[None]) -> ClearedReply:
        return ClearedReply(journal.clear())

    async def add_fault(c: Call[FaultBody]) -> FaultView:
        return _fault(faults.add(_rule(c.body, now_ms())))

    async def list_faults(_c: Call[None]) -> FaultsReply:
        return FaultsReply([_fault(r) for r in faults.rules()])

    async def clear_faults(_c: Call[None]) -> ClearedReply:
        return ClearedReply(faults.clear())

    async def remove_fault(c: Call[None]) -> None:
        if not faults.remove(c.path("faultId")):
            raise errors.fault_not_found(f"no fault rule {c.path('faultId')!r}")

    async def get_qps(_c: Call[None]) -> dict[str, int]:
        return {"qps": faults.qps}

    async def set_qps(c: Call[QpsBody]) -> dict[str, int]:
        faults.set_qps(c.body.qps)
        return {"qps": faults.qps}

    async def revoke_tokens(c: Call[None]) -> RevokedReply:
        return RevokedReply(await provisioning.revoke_tokens(c.path("appKey")))

    admin: dict[str, Any] = {"param_error": _PARAM_ERROR, "guard": "admin"}
    return [
        op("GET /_dingconf/journal", "GetJournal", read_journal, **admin),
        op("GET /_dingconf/journal/count", "CountJournal", count_journal, **admin),
        op("DELETE /_dingconf/journal", "ClearJournal", clear_journal, **admin),
        op("POST /_dingconf/faults", "AddFault", add_fault, body=FaultBody, **admin),
        op("GET /_dingconf/faults", "ListFaults", list_faults, **admin),
        op("DELETE /_dingconf/faults", "ClearFaults", clear_faults, **admin),
        op("DELETE /_dingconf/faults/{faultId}", "RemoveFault", remove_fault, _SUCCESS, **admin),
        op("GET /_dingconf/qpsLimit", "GetQpsLimit", get_qps, **admin),
        op("POST /_dingconf/qpsLimit", "SetQpsLimit", set_qps, body=QpsBody, **admin),
        op(
            "POST /_dingconf/apps/{appKey}/revokeTokens",
            "RevokeTokens",
            revoke_tokens,
            **admin,
        ),
    ]
