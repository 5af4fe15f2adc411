"""Member passes: a person's own proof, on a join page, that they are a user of the
meeting's organisation.

Holding a meeting's link lets anyone join it as a guest with a name; joining
as a user of the organisation takes that user's own credential. An auto-login
URL (CreateAutoLoginUrl, made for one person) lands on the join page with a
pass naming them: ``memberPass`` is ``<expires>.<sig>``, an HMAC-SHA256 (key
in the database, shared by every process) of the organisation, the room code,
the unionId and the expiry, so it cannot be moved to another person, meeting
or time.
"""

from dingconf.core.digits import digits_value
from dingconf.db.store import Store
from dingconf.links.signing import SigningKey

__all__ = ["PASS_TTL_MS", "MemberPasses"]

#: How long a pass lets its person join (and join again), on the server clock.
PASS_TTL_MS = 24 * 60 * 60 * 1000
_KEY_NAME = "member-pass"


def _message(corp_id: str, room_code: str, union_id: str, expires_ms: int) -> str:
    return "\n".join([corp_id, room_code, union_id, str(expires_ms)])


class MemberPasses:
    """Issue and check member passes."""

    def __init__(self, store: Store) -> None:
        self._key = SigningKey(store, _KEY_NAME)

    async def issue(self, corp_id: str, room_code: str, union_id: str, now_ms: int) -> str:
        """A pass for ``union_id`` in the meeting using ``room_code``, valid from ``now_ms``."""
        expires = now_ms + PASS_TTL_MS
        return f"{expires}.{await self._key.sign(_message(corp_id, room_code, union_id, expires))}"

    async def admits(
        self, corp_id: str, room_code: str, union_id: str, member_pass: str | None, now_ms: int
    ) -> bool:
        """Whether ``member_pass`` is a live pass of this person for this meeting."""
        expires, _, sig = (member_pass or "").partition(".")
        expires_ms = digits_value(expires)
        if expires_ms is None or now_ms >= expires_ms:
            return False
        return await self._key.matches(_message(corp_id, room_code, union_id, expires_ms), sig)
