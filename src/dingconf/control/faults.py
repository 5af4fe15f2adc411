"""Faults: making DingTalk fail the ways it really fails, on purpose.

A :class:`FaultRule` picks calls by action, organisation and app and makes
them fail with a DingTalk error (any status, code and message), answer late,
or lose their connection. It fires with a probability (its own seeded random
generator, so the same calls fail on every run), for the first N matching
calls, and/or until a time of the server's clock. The first rule that fires
decides a call's fate.

DingTalk's own limit is built in: at most ``qps`` calls per app per API in
each second of the server clock (spec §2.3; ``api-throttling``: 20 on a
standard-edition organisation, counted in "the current second", whose
timestamp it suggests as the key of a client-side counter); more are refused with 403
``Forbidden.AccessDenied.QpsLimitForAppkeyAndApi`` before any fault rule or
the service runs, as DingTalk's gateway refuses them before its backend.

Rules and counters live in this process's memory (design.md, "Toolkit
state"): with ``--workers N`` each worker has its own.
"""

import asyncio
import itertools
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from starlette.requests import Request

from dingconf.core import errors
from dingconf.core.closest import did_you_mean
from dingconf.core.records import Principal
from dingconf.http.errors import DropConnection, InjectedError

__all__ = ["QPS_CODE", "QPS_MESSAGE", "FaultRule", "Faults"]

QPS_CODE = errors.qps_limit.code
QPS_MESSAGE = errors.qps_limit.message


@dataclass(slots=True)
class FaultRule:
    """One fault rule. Fields left None match (or limit) nothing."""

    id: str
    action: str | None = None
    corp_id: str | None = None
    app_key: str | None = None
    #: The error answered: HTTP status, DingTalk code and message.
    status: int | None = None
    code: str | None = None
    message: str | None = None
    #: Milliseconds added before the call is answered (or fails).
    latency_ms: int = 0
    #: Cut the connection instead of answering.
    drop: bool = False
    probability: float = 1.0
    seed: int = 0
    #: How many more calls it may fire on (None: unlimited).
    remaining: int | None = None
    #: The server-clock time (epoch ms) from which it no longer fires.
    expires_at_ms: int | None = None
    #: How many calls it fired on so far.
    hits: int = 0
    _random: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Repeatable on purpose: the same seed fails the same calls on every run.
        self._random = random.Random(self.seed)  # noqa: S311

    def matches(self, action: str, principal: Principal | None) -> bool:
        """Whether the call is one this rule picks (a rule naming an org or app
        never picks a call whose caller is unknown)."""
        if self.action is not None and self.action != action:
            return False
        if self.corp_id is None and self.app_key is None:
            return True
        return (
            principal is not None
            and self.corp_id in (None, principal.corp_id)
            and self.app_key in (None, principal.client_key)
        )

    def fires(self) -> bool:
        """Whether it fires on a call it picked (drawing from its own generator)."""
        return self.probability >= 1.0 or self._random.random() < self.probability


class Faults:
    """The fault rules and the QPS limit of this process: the operations' gate."""

    def __init__(self, now_ms: Callable[[], int], qps: int = 0) -> None:
        self._now_ms = now_ms
        self._rules: dict[str, FaultRule] = {}
        self._ids = itertools.count(1)
        self._qps = qps
        #: The current second and the calls admitted in it, per (org, app, action).
        self._calls: dict[tuple[str, str, str], list[int]] = {}
        self.armed = qps > 0
        #: The actions a rule may name (empty: any).
        self._actions: frozenset[str] = frozenset()

    def know_actions(self, actions: Iterable[str]) -> None:
        """The actions rules may name: the operations this gate checks."""
        self._actions = frozenset(actions)

    @property
    def qps(self) -> int:
        """Calls allowed per app per API per second (0: no limit)."""
        return self._qps

    def set_qps(self, qps: int) -> None:
        """Switch DingTalk's QPS limit on (``qps`` > 0) or off (0); counting restarts."""
        self._qps = qps
        self._calls.clear()
        self._rearm()

    def add(self, rule: FaultRule) -> FaultRule:
        """Add ``rule`` under a fresh id (its ``id`` is replaced); return it.

        Raises:
            InvalidRequest: ``paramError`` for an action no operation has.
        """
        action = rule.action
        if action is not None and self._actions and action not in self._actions:
            # A rule for no operation would never fire: a typo, surely.
            hint = did_you_mean(action, self._actions)
            raise errors.param_error(f"error:unknown action {action!r}{hint}")
        rule.id = f"fault-{next(self._ids)}"
        self._rules[rule.id] = rule
        self._rearm()
        return rule

    def rules(self) -> list[FaultRule]:
        """The rules still in force, oldest first (spent and expired ones are gone)."""
        now = self._now_ms()
        for rule in list(self._rules.values()):
            if rule.expires_at_ms is not None and now >= rule.expires_at_ms:
                del self._rules[rule.id]
        self._rearm()
        return list(self._rules.values())

    def remove(self, rule_id: str) -> bool:
        """Remove one rule; whether it existed."""
        found = self._rules.pop(rule_id, None) is not None
        self._rearm()
        return found

    def clear(self) -> int:
        """Remove every rule; return how many there were."""
        cleared = len(self._rules)
        self._rules.clear()
        self._rearm()
        return cleared

    def _rearm(self) -> None:
        self.armed = self._qps > 0 or bool(self._rules)

    def _over_limit(self, principal: Principal, action: str) -> bool:
        """Count the call against its app's limit on this API; whether it is one too many."""
        second = self._now_ms() // 1000
        key = (principal.corp_id, principal.client_key, action)
        window = self._calls.get(key)
        if window is None or window[0] != second:
            self._calls[key] = [second, 1]
            return False
        if window[1] >= self._qps:
            return True
        window[1] += 1
        return False

    def _firing(self, action: str, principal: Principal | None) -> FaultRule | None:
        now = self._now_ms()
        for rule in list(self._rules.values()):
            if rule.expires_at_ms is not None and now >= rule.expires_at_ms:
                del self._rules[rule.id]
                continue
            if rule.matches(action, principal) and rule.fires():
                rule.hits += 1
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        del self._rules[rule.id]
                return rule
        return None

    async def check(self, request: Request, action: str, principal: Principal | None) -> None:
        """Apply the QPS limit, then the first fault rule that fires on this call.

        Raises:
            AccessDenied: ``Forbidden.AccessDenied.QpsLimitForAppkeyAndApi``.
            InjectedError: the rule's error.
            DropConnection: the rule drops the connection.
        """
        if self._qps > 0 and principal is not None and self._over_limit(principal, action):
            raise errors.qps_limit()
        rule = self._firing(action, principal)
        self._rearm()
        if rule is None:
            return
        if rule.latency_ms:
            await asyncio.sleep(rule.latency_ms / 1000)
        if rule.drop:
            raise DropConnection()
        if rule.code is not None:
            raise InjectedError(rule.status or 500, rule.code, rule.message or rule.code)
