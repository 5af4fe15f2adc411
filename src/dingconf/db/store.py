"""The storage interface every backend implements.

Reads are plain methods on :class:`Store`. Every change happens inside
``async with store.write() as tx:`` so that the service layer can read, decide
and write atomically: a transition such as "join unless already inside" and
the counters it moves commit together or not at all.
"""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from dingconf.control.state_records import StateDump
from dingconf.core.clock import ClockState
from dingconf.core.records import (
    App,
    Conference,
    Org,
    Principal,
    Suite,
    TokenRecord,
    User,
)
from dingconf.db.driver import Connection

__all__ = [
    "Invitation",
    "RoomCodeTaken",
    "StorageUnavailable",
    "Store",
    "WriteTx",
]

#: ``(union_id, nick)`` of one invitee.
Invitation = tuple[str, str]


class RoomCodeTaken(Exception):
    """Another meeting that has not ended already uses this roomCode."""


class StorageUnavailable(Exception):
    """The database cannot be reached or answered with an unexpected failure."""


class WriteTx(Protocol):
    """The operations allowed inside one write transaction.

    Reads needed while deciding go through the transaction too: a pooled
    backend must never wait for a second connection while holding one.
    """

    @property
    def conn(self) -> Connection:
        """The connection holding this transaction, for a feature's tables."""

    @property
    def row_lock(self) -> str:
        """The clause appended to a SELECT to lock its rows for this transaction."""

    async def get_user(self, corp_id: str, union_id: str) -> User | None:
        """Read a user of an organisation."""

    async def org_ids(self) -> list[str]:
        """Every organisation's corpId."""

    async def app_keys(self, corp_id: str) -> list[str]:
        """The appKeys of an organisation's internal apps."""

    async def upsert_org(self, org: Org) -> None:
        """Insert or update an organisation."""

    async def upsert_user(self, user: User) -> None:
        """Insert or update a user of an organisation."""

    async def upsert_app(self, app: App) -> None:
        """Insert or update an internal app."""

    async def upsert_suite(self, suite: Suite) -> None:
        """Insert or update a third-party suite and replace its authorised corps."""

    async def put_token(self, token: TokenRecord) -> None:
        """Store a new access token record."""

    async def purge_tokens(self, expired_before_ms: int) -> int:
        """Delete tokens that expired before the time; return how many."""

    async def find_live_token(
        self, client_kind: str, client_key: str, corp_id: str, now_ms: int
    ) -> TokenRecord | None:
        """Return the newest unexpired token of a client for a corp, if any."""

    async def extend_token(self, token_hash: str, expires_at_ms: int) -> None:
        """Move a token's expiry."""

    async def delete_tokens(self, client_kind: str, client_key: str) -> int:
        """Revoke every token of a client; return how many there were."""

    # The test toolkit (service.state): whole organisations, the clock, the baseline.

    async def delete_orgs(self, corp_ids: list[str] | None) -> None:
        """Delete organisations (None: all) with everything of theirs (meetings and what hangs
        off them, bookings, users, apps, tokens, suite authorisations)."""

    async def delete_suites(self) -> None:
        """Delete every suite, its authorisations and its tokens."""

    async def load_state(self, dump: StateDump, *, replace_suites: bool) -> None:
        """Insert the organisations of a dump (absent from the database) and its suites."""

    async def lock_clock(self) -> ClockState:
        """Read the shared clock and hold it until the transaction ends."""

    async def set_clock(self, state: ClockState) -> None:
        """Store the shared clock."""

    async def set_baseline(self, document: str) -> None:
        """Store the document a reset goes back to."""


class Store(Protocol):
    """A dingconf database."""

    async def open(self) -> None:
        """Connect and bring the schema up to date."""

    async def close(self) -> None:
        """Release connections."""

    def write(self) -> AbstractAsyncContextManager[WriteTx]:
        """Begin a write transaction, committed when the block exits normally."""

    @property
    def reader(self) -> Connection:
        """The connection for reads outside a transaction, for a feature's tables."""

    def on_commit(self, forget: Callable[[], None]) -> None:
        """Call ``forget`` after every commit of this process: it drops rows a feature
        keeps that the commit may have changed (a driver's change marker need not
        move for its own commits)."""

    async def get_org(self, corp_id: str) -> Org | None:
        """Read an organisation."""

    async def list_orgs(self) -> list[Org]:
        """All organisations, by corpId."""

    async def get_user(self, corp_id: str, union_id: str) -> User | None:
        """Read a user of an organisation."""

    async def list_users(self, corp_id: str) -> list[User]:
        """The users of an organisation, by unionId."""

    async def get_app(self, app_key: str) -> App | None:
        """Read an internal app."""

    async def list_apps(self, corp_id: str) -> list[App]:
        """The apps of an organisation, by appKey."""

    async def get_suite(self, suite_key: str) -> Suite | None:
        """Read a third-party suite."""

    async def change_marker(self) -> int | None:
        """A number that moves whenever anything commits, in any process; None when the
        backend has no cheap one (then callers poll)."""

    async def auth_epoch(self) -> int:
        """A number that changes whenever a live token's meaning may have changed.

        Scope and secret changes, revocations and suite authorisations move it,
        in this process or any other sharing the database. Token caches compare
        it on every use.
        """

    async def resolve_token(self, token_hash: str) -> tuple[Principal, int] | None:
        """Who a token acts for, with the client's *current* scopes, and its expiry."""

    async def get_conference(self, corp_id: str, conference_id: str) -> Conference | None:
        """Read a meeting of ``corp_id``; another organisation's meeting is invisible."""

    async def dump_state(self, corp_id: str | None) -> StateDump:
        """Every organisation (or one) and the suites, rows as column mappings."""

    async def clock_state(self, prefetch: str | None = None) -> ClockState:
        """The clock every process on the database shares (cheap: read per request).

        ``prefetch``: the meeting the request names, if it only reads; a
        backend that must ask the database for the clock may read that meeting
        in the same round trip, for the request's :meth:`get_conference`.
        """

    async def baseline(self) -> str | None:
        """The document a reset goes back to, if one was stored."""
