"""Bodies of the toolkit's control API: the journal, fault rules, the QPS limit, tokens."""

from typing import Annotated, Any

import msgspec

from dingconf.http.body import Body as _Body

__all__ = [
    "ClearedReply",
    "ClosestOperation",
    "CountReply",
    "FaultBody",
    "FaultView",
    "FaultsReply",
    "JournalEntryView",
    "JournalReply",
    "QpsBody",
    "RevokedReply",
]

_Positive = Annotated[int, msgspec.Meta(ge=1, le=1_000_000_000)]


class FaultBody(_Body):
    """A fault rule to add: which calls (any when left out), what happens, how often.

    At least one of ``code`` (with ``status``, default 500), ``latencyMs`` and
    ``drop`` must be given.
    """

    action: str | None = None
    corp_id: str | None = None
    app_key: str | None = None
    status: Annotated[int, msgspec.Meta(ge=400, le=599)] | None = None
    code: str | None = None
    message: str | None = None
    latency_ms: Annotated[int, msgspec.Meta(ge=0, le=60_000)] = 0
    drop: bool = False
    #: Chance of firing on a call it picks, drawn from a generator seeded with ``seed``.
    probability: Annotated[float, msgspec.Meta(ge=0.0, le=1.0)] = 1.0
    seed: int = 0
    #: Fire on the first ``times`` picked calls only.
    times: _Positive | None = None
    #: Stop firing this many ms (of the server clock) from now.
    ttl_ms: _Positive | None = None
    #: Stop firing at this server-clock time (epoch ms).
    expires_at: int | None = None


class FaultView(_Body):
    """A fault rule in force."""

    id: str
    probability: float
    seed: int
    hits: int
    action: str | None = None
    corp_id: str | None = None
    app_key: str | None = None
    status: int | None = None
    code: str | None = None
    message: str | None = None
    latency_ms: int = 0
    drop: bool = False
    #: Calls it may still fire on (absent: unlimited).
    remaining: int | None = None
    expires_at: int | None = None


class FaultsReply(_Body):
    """Every fault rule in force, oldest first."""

    faults: list[FaultView]


class QpsBody(_Body):
    """DingTalk's per-app per-API QPS limit: 0 switches it off (DingTalk's is 20)."""

    qps: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]


class ClosestOperation(_Body):
    """The operation closest to a call that matched none (method and path template)."""

    method: str
    path: str


class JournalEntryView(_Body):
    """One journaled call; secrets and tokens in its bodies read ``***``."""

    request_id: str
    #: When it arrived (server clock, epoch ms).
    time: int
    method: str
    path: str
    #: HTTP status answered (0 when the connection was dropped).
    status: int
    latency_ms: float
    #: For a call no operation answered, the closest one; null otherwise (always sent).
    closest: ClosestOperation | None
    query: str = ""
    action: str | None = None
    corp_id: str | None = None
    app_key: str | None = None
    dropped: bool = False
    #: The JSON body sent (a string when it was not JSON).
    request: Any = None
    #: The JSON body answered.
    response: Any = None


class JournalReply(_Body):
    """Journaled calls, newest first."""

    requests: list[JournalEntryView]
    #: How many calls the journal keeps (0: it is off).
    capacity: int


class CountReply(_Body):
    """How many journaled calls match."""

    count: int


class ClearedReply(_Body):
    """How many were removed."""

    cleared: int


class RevokedReply(_Body):
    """How many access tokens were revoked."""

    revoked: int
