"""The pytest plugin's toolkit helpers: the request journal, faults and the QPS limit.

Reached as :attr:`DingconfServer.journal <dingconf.testing.plugin.DingconfServer>`
and ``.faults``, so with the ``dingconf_server`` fixture a test can write::

    dingconf_server.journal.clear()
    my_bot.schedule_meeting()
    dingconf_server.journal.assert_called("CreateVideoConference", times=1, corp_id="dingtest")

    with dingconf_server.faults.injected("QueryConferenceInfo", code="systemError", times=1):
        my_bot.poll()   # its first query fails with 500 systemError

The journal and the fault rules are per server process; a server started
with ``--workers N`` has N of each, and a call is journaled (and faulted) by
whichever worker served it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol
from urllib.parse import quote, urlencode

__all__ = ["ControlCall", "ControlHelper", "Faults", "Journal"]


class ControlCall(Protocol):
    """Sends one control-API call and returns its JSON answer, failing on any status but 200."""

    def __call__(self, method: str, path: str, body: object = None) -> Any: ...


class ControlHelper:
    """One concern of the control API, driven through the server's :class:`ControlCall`."""

    def __init__(self, ok: ControlCall) -> None:
        self._ok = ok


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _query(**params: object) -> str:
    given = {_camel(k): v for k, v in params.items() if v is not None}
    return f"?{urlencode(given)}" if given else ""


def _matches(value: Any, wanted: Any) -> bool:
    """Whether ``value`` has ``wanted``: equal, or for mappings every wanted key alike."""
    if isinstance(wanted, dict):
        return isinstance(value, dict) and all(
            k in value and _matches(value[k], v) for k, v in wanted.items()
        )
    return bool(value == wanted)


class Journal(ControlHelper):
    """The request journal (``/_dingconf/journal``): call it to list the journaled calls."""

    def __call__(
        self,
        action: str | None = None,
        *,
        corp_id: str | None = None,
        app_key: str | None = None,
        since: int | None = None,
        until: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Journaled calls, newest first, filtered by any of action, org, app and
        server-clock time (``since``/``until``, epoch ms)."""
        query = _query(
            action=action, corp_id=corp_id, app_key=app_key, since=since, until=until, limit=limit
        )
        requests: list[dict[str, Any]] = self._ok("GET", f"/_dingconf/journal{query}")["requests"]
        return requests

    def count(
        self,
        action: str | None = None,
        *,
        corp_id: str | None = None,
        app_key: str | None = None,
        since: int | None = None,
        until: int | None = None,
    ) -> int:
        """How many journaled calls match (the same filters as listing them)."""
        query = _query(action=action, corp_id=corp_id, app_key=app_key, since=since, until=until)
        count: int = self._ok("GET", f"/_dingconf/journal/count{query}")["count"]
        return count

    def clear(self) -> int:
        """Forget every journaled call; return how many there were."""
        cleared: int = self._ok("DELETE", "/_dingconf/journal")["cleared"]
        return cleared

    def assert_called(
        self, action: str, times: int | None = None, **match: Any
    ) -> list[dict[str, Any]]:
        """Assert ``action`` was called ``times`` times (at least once when None) with
        entries matching ``match``; return those entries, newest first.

        ``match`` names entry fields in snake_case (``corp_id``, ``app_key``,
        ``status``, ``request``, ``response``...); a dict value matches when the
        field holds at least its keys, e.g. ``request={"confTitle": "Sync"}``.
        """
        entries = self(action)
        wanted = {_camel(k): v for k, v in match.items()}
        found = [e for e in entries if all(_matches(e.get(k), v) for k, v in wanted.items())]
        ok = len(found) >= 1 if times is None else len(found) == times
        if not ok:
            expected = "at least once" if times is None else f"{times} times"
            raise AssertionError(
                f"{action} {match or ''} called {len(found)} times, expected {expected}; "
                f"journal holds {len(entries)} {action} calls: {entries}"
            )
        return found


class Faults(ControlHelper):
    """Fault rules (``/_dingconf/faults``) and the QPS limit: call it to list the rules."""

    def __call__(self) -> list[dict[str, Any]]:
        """The fault rules in force, oldest first."""
        rules: list[dict[str, Any]] = self._ok("GET", "/_dingconf/faults")["faults"]
        return rules

    def add(
        self,
        action: str | None = None,
        *,
        corp_id: str | None = None,
        app_key: str | None = None,
        status: int | None = None,
        code: str | None = None,
        message: str | None = None,
        latency_ms: int | None = None,
        drop: bool | None = None,
        probability: float | None = None,
        seed: int | None = None,
        times: int | None = None,
        ttl_ms: int | None = None,
        expires_at: int | None = None,
    ) -> dict[str, Any]:
        """Add a fault rule (see ``POST /_dingconf/faults``); return it with its ``id``."""
        given = {
            "action": action,
            "corp_id": corp_id,
            "app_key": app_key,
            "status": status,
            "code": code,
            "message": message,
            "latency_ms": latency_ms,
            "drop": drop,
            "probability": probability,
            "seed": seed,
            "times": times,
            "ttl_ms": ttl_ms,
            "expires_at": expires_at,
        }
        body = {_camel(k): v for k, v in given.items() if v is not None}
        rule: dict[str, Any] = self._ok("POST", "/_dingconf/faults", body)
        return rule

    @contextmanager
    def injected(self, action: str | None = None, **rule: Any) -> Iterator[dict[str, Any]]:
        """A fault rule in force for the ``with`` block (the arguments of :meth:`add`)."""
        added = self.add(action, **rule)
        try:
            yield added
        finally:
            self.remove(added["id"], missing_ok=True)

    def remove(self, fault_id: str, missing_ok: bool = False) -> None:
        """Remove one fault rule (one that is spent or expired is gone already)."""
        if missing_ok and all(r["id"] != fault_id for r in self()):
            return
        self._ok("DELETE", f"/_dingconf/faults/{quote(fault_id, safe='')}")

    def clear(self) -> int:
        """Remove every fault rule; return how many there were (the QPS limit stays)."""
        cleared: int = self._ok("DELETE", "/_dingconf/faults")["cleared"]
        return cleared

    def set_qps_limit(self, qps: int = 20) -> int:
        """Switch DingTalk's per-app per-API QPS limit on (20 is DingTalk's) or off (0)."""
        limit: int = self._ok("POST", "/_dingconf/qpsLimit", {"qps": qps})["qps"]
        return limit
