"""What a join and a leave through the control API cost in statements, on both backends.

A join writes the participant, the stay, the network sample, the counters
and the outbox's events for every app in one transaction; each statement is
a trip through the driver (on PostgreSQL a round trip), so the write path
is held to a count: the joiner's member row and user read together, the
typo check inside the join's transaction, the events' statusSeqNum read by
their INSERT, a leave's device from the stay it closes. Counted on the real
drivers' connections: every statement the request runs (BEGIN and COMMIT
aside), each one round trip on PostgreSQL.
"""

import pytest

from counted import COUNTING, count_statements
from in_process import InProcessApp, run

# (action, unionId, outsider) → statements, the store's first read of each request
# included (on SQLite the change log, which the previous commit moved): an org
# user; an outsider who says so; strangers (no user of the organisation, none
# of whose ids is close to theirs).
STEPS: list[tuple[str, str, bool, int]] = [
    # first read, lock, member and user, member row, member count, stay, counters,
    # events, deliveries, sample
    ("join", "u-alice", False, 10),
    # first read, lock, stay, member, counters, events, deliveries
    ("leave", "u-alice", False, 7),
    ("join", "u-alice", False, 9),  # a rejoin: no new member to count
    ("join", "x-outsider", True, 10),
    # a stranger whose id is as long as users' ids: the typo check reads them
    ("join", "zz-qqqq", False, 11),
    ("leave", "zz-qqqq", False, 7),
    # one whose id is too long to be a typo of any (generated ids): no read of them
    ("join", "zq-9f3k2-unrelated", False, 10),
]


def test_a_join_and_a_leave_run_few_statements(database_url: str, monkeypatch: pytest.MonkeyPatch):
    async def scenario() -> list[tuple[str, str, int, int]]:
        async with InProcessApp(database_url) as app:
            status, issued = await app.call(
                "POST",
                "/v1.0/oauth2/accessToken",
                {"appKey": "acme-app", "appSecret": "acme-secret"},
            )
            status, created = await app.call(
                "POST",
                "/v1.0/conference/videoConferences",
                {"userId": "u-host", "confTitle": "counted"},
                issued["accessToken"],
            )
            assert status == 200
            prefix = f"/_dingconf/conferences/{created['conferenceId']}/"
            counted = count_statements(monkeypatch)
            COUNTING.set(True)
            seen = []
            for action, union_id, outsider, _ in STEPS:
                body: dict[str, object] = {"unionId": union_id}
                if outsider:
                    body["outsider"] = True
                before = counted[0]
                status, _ = await app.call("POST", prefix + action, body)
                seen.append((action, union_id, status, counted[0] - before))
            return seen

    expected = [(action, who, 200, count) for action, who, _, count in STEPS]
    assert run(scenario()) == expected
