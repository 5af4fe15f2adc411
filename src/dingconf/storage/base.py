"""The storage interface every backend implements.

Reads are plain methods on :class:`Store`. Every change happens inside
``async with store.write() as tx:`` so that the service layer can read, decide
and write atomically: a transition such as "join unless already inside" and
the counters it moves commit together or not at all.
"""

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from dingconf.model import (
    App,
    Conference,
    Org,
    Participant,
    Principal,
    Suite,
    TokenRecord,
    User,
)

__all__ = ["Invitation", "RoomCodeTaken", "StorageUnavailable", "Store", "WriteTx"]

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

    async def get_user(self, corp_id: str, union_id: str) -> User | None:
        """Read a user of an organisation."""

    async def conference_corp(self, conference_id: str) -> str | None:
        """The organisation owning a meeting, if it exists."""

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

    async def find_live_token(
        self, client_kind: str, client_key: str, corp_id: str, now_ms: int
    ) -> TokenRecord | None:
        """Return the newest unexpired token of a client for a corp, if any."""

    async def extend_token(self, token_hash: str, expires_at_ms: int) -> None:
        """Move a token's expiry."""

    async def delete_tokens(self, client_kind: str, client_key: str) -> int:
        """Revoke every token of a client; return how many there were."""

    async def insert_conference(
        self, conference: Conference, invitations: list[Invitation], invited_by: str
    ) -> None:
        """Store a new meeting and its invitations.

        Raises:
            RoomCodeTaken: the roomCode is in use by a meeting that has not ended.
        """

    async def lock_conference(self, corp_id: str, conference_id: str) -> Conference | None:
        """Read a meeting of ``corp_id`` and hold it until the transaction ends."""

    async def get_participant(self, conference_id: str, union_id: str) -> Participant | None:
        """Read one member of a meeting."""

    async def record_join(
        self, conference_id: str, union_id: str, nick: str, at_ms: int, *, first_time: bool
    ) -> None:
        """Mark a person inside the meeting, open a session and move the counters."""

    async def record_leave(self, conference_id: str, union_id: str, at_ms: int) -> None:
        """Mark a person as having left, close their session and move the counters."""

    async def end_conference(self, conference_id: str, at_ms: int) -> None:
        """End a meeting: everyone still inside leaves at ``at_ms``."""


class Store(Protocol):
    """A dingconf database."""

    async def open(self) -> None:
        """Connect and bring the schema up to date."""

    async def close(self) -> None:
        """Release connections."""

    def write(self) -> AbstractAsyncContextManager[WriteTx]:
        """Begin a write transaction, committed when the block exits normally."""

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

    async def conference_corp(self, conference_id: str) -> str | None:
        """The organisation owning a meeting, to tell "not yours" from "no such meeting"."""

    async def list_participants(self, corp_id: str, conference_id: str) -> list[Participant]:
        """The members of a meeting of ``corp_id``, in order of first join."""
