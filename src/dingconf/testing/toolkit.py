"""The pytest plugin's toolkit helpers: the request journal, faults, the QPS limit, tokens.

Mixed into :class:`~dingconf.testing.plugin.DingconfServer`, so with the
``dingconf_server`` fixture a test can write::

    dingconf_server.clear_journal()
    my_bot.schedule_meeting()
    dingconf_server.assert_called("CreateVideoConference", times=1, corp_id="dingtest")

    with dingconf_server.fault(action="QueryConferenceInfo", code="systemError", times=1):
        my_bot.poll()   # its first query fails with 500 systemError

The journal and the fault rules are per server process; a server started
with ``--workers N`` has N of each, and a call is journaled (and faulted) by
whichever worker served it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, urlencode

__all__ = ["ToolkitHelpers"]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _matches(value: Any, wanted: Any) -> bool:
    """Whether ``value`` has ``wanted``: equal, or for mappings every wanted key alike."""
    if isinstance(wanted, dict):
        return isinstance(value, dict) and all(
            k in value and _matches(value[k], v) for k, v in wanted.items()
        )
    return bool(value == wanted)


class ToolkitHelpers:
    """Helpers over the control API's ``/_dingconf/journal``, ``faults``, ``qpsLimit``
    and ``apps/{appKey}/revokeTokens``."""

    def _ok(self, method: str, path: str, body: object = None) -> Any:
        raise NotImplementedError  # provided by the server class this is mixed into

    @staticmethod
    def _query(**params: object) -> str:
        given = {_camel(k): v for k, v in params.items() if v is not None}
        return f"?{urlencode(given)}" if given else ""

    def journal(
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
        query = self._query(
            action=action, corp_id=corp_id, app_key=app_key, since=since, until=until, limit=limit
        )
        requests: list[dict[str, Any]] = self._ok("GET", f"/_dingconf/journal{query}")["requests"]
        return requests

    def journal_count(
        self,
        action: str | None = None,
        *,
        corp_id: str | None = None,
        app_key: str | None = None,
        since: int | None = None,
        until: int | None = None,
    ) -> int:
        """How many journaled calls match (same filters as :meth:`journal`)."""
        query = self._query(
            action=action, corp_id=corp_id, app_key=app_key, since=since, until=until
        )
        count: int = self._ok("GET", f"/_dingconf/journal/count{query}")["count"]
        return count

    def clear_journal(self) -> int:
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
        entries = self.journal(action)
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

    def add_fault(
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
    def fault(self, action: str | None = None, **rule: Any) -> Iterator[dict[str, Any]]:
        """A fault rule in force for the ``with`` block (see :meth:`add_fault`)."""
        added = self.add_fault(action, **rule)
        try:
            yield added
        finally:
            self.remove_fault(added["id"], missing_ok=True)

    def faults(self) -> list[dict[str, Any]]:
        """The fault rules in force, oldest first."""
        rules: list[dict[str, Any]] = self._ok("GET", "/_dingconf/faults")["faults"]
        return rules

    def remove_fault(self, fault_id: str, missing_ok: bool = False) -> None:
        """Remove one fault rule (one that is spent or expired is gone already)."""
        if missing_ok and all(r["id"] != fault_id for r in self.faults()):
            return
        self._ok("DELETE", f"/_dingconf/faults/{quote(fault_id, safe='')}")

    def clear_faults(self) -> int:
        """Remove every fault rule; return how many there were."""
        cleared: int = self._ok("DELETE", "/_dingconf/faults")["cleared"]
        return cleared

    def set_qps_limit(self, qps: int = 20) -> int:
        """Switch DingTalk's per-app per-API QPS limit on (20 is DingTalk's) or off (0)."""
        limit: int = self._ok("POST", "/_dingconf/qpsLimit", {"qps": qps})["qps"]
        return limit

    def revoke_tokens(self, app_key: str) -> int:
        """Revoke every access token of an internal app; return how many there were."""
        revoked: int = self._ok("POST", f"/_dingconf/apps/{quote(app_key, safe='')}/revokeTokens")[
            "revoked"
        ]
        return revoked
