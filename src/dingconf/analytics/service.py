"""Meeting analytics: who joined from what, for how long, and how their network was.

Every figure is derived from the stored stays (``participant_sessions``), the
network samples people's clients reported and the server clock.
"""

from collections.abc import Iterable
from typing import NamedTuple

from dingconf.analytics.records import NetworkSample, SessionRecord
from dingconf.analytics.tables import AnalyticsTables
from dingconf.auth.tables import OrgTables
from dingconf.core import errors
from dingconf.core.clock import Clock
from dingconf.core.paging import Page, paginate
from dingconf.core.records import Conference, Principal
from dingconf.db.store import Store
from dingconf.meetings.service import ConferenceService

__all__ = ["AnalyticsService", "Detail", "LastMetric", "network_quality"]

_PARAM_ERROR = errors.param_error.code
_DETAIL_PAGE = 20  # DingTalk documents no default; the listings' page size
#: ``networkQuality`` when a stay has no network sample.
_UNKNOWN_QUALITY = "-1"


def network_quality(samples: Iterable[NetworkSample]) -> str:
    """A stay's network quality from its samples' mean loss and round-trip time.

    "1" good (loss ≤ 2 %, RTT ≤ 150 ms), "2" fair (loss ≤ 10 %, RTT ≤ 400 ms),
    "3" poor; "-1" without samples (the SDK's example value).
    """
    taken = list(samples)
    if not taken:
        return _UNKNOWN_QUALITY
    loss = sum(s.loss_rate for s in taken) / len(taken)
    rtt = sum(s.rtt for s in taken) / len(taken)
    if loss <= 2 and rtt <= 150:
        return "1"
    if loss <= 10 and rtt <= 400:
        return "2"
    return "3"


class Detail(NamedTuple):
    """One GetConfDetailData record: a stay, how long it lasted, its network quality."""

    session: SessionRecord
    duration_ms: int
    network_quality: str


class LastMetric(NamedTuple):
    """A person's latest network sample, with the jitter over all their samples."""

    sample: NetworkSample
    jitter_avg: int
    jitter_max: int


class AnalyticsService:
    """Read-only analytics of the caller's organisation's meetings."""

    def __init__(self, store: Store, clock: Clock, conferences: ConferenceService) -> None:
        self._store = store
        self._clock = clock
        self._conferences = conferences

    @property
    def _tables(self) -> AnalyticsTables:
        """The stays and samples, read outside a transaction."""
        return AnalyticsTables(self._store.reader)

    async def department(self, principal: Principal, conference: Conference) -> str | None:
        """The department of the meeting's creator, when the organisation knows one."""
        user = await OrgTables(self._store.reader).get_user(
            principal.corp_id, conference.creator_id
        )
        return user.dept_name if user else None

    async def conference_data(
        self, principal: Principal, conference_id: str
    ) -> tuple[Conference, str | None, int]:
        """GetConfDataByConferenceId: the meeting, its creator's department and the time now.

        Raises:
            the errors of QueryConferenceInfo (see :meth:`ConferenceService.get`).
        """
        conference = await self._conferences.get(principal, conference_id)
        return conference, await self.department(principal, conference), self._clock.now_ms()

    async def details(
        self,
        principal: Principal,
        conference_id: str,
        nick: str | None,
        next_token: str | None,
        max_results: int | None,
    ) -> tuple[Conference, Page[Detail]]:
        """GetConfDetailData: one record per stay (join to leave), by join time.

        ``nick`` keeps the stays of people whose nick contains it. A stay in
        progress lasts until now.

        Raises:
            InvalidRequest: ``paramError`` (paging); the errors of QueryConferenceInfo.
        """
        conference = await self._conferences.get(principal, conference_id)
        sessions = await self._tables.list_sessions(principal.corp_id, conference.conference_id)
        if nick:
            sessions = [s for s in sessions if nick in s.nick]
        page = paginate(
            sessions, next_token, max_results, default_size=_DETAIL_PAGE, error_code=_PARAM_ERROR
        )
        samples = await self._tables.list_samples(
            principal.corp_id, conference.conference_id, sorted({s.union_id for s in page.items})
        )
        now = self._clock.now_ms()
        details = []
        for s in page.items:
            end = now if s.leave_ms is None else s.leave_ms
            own = (x for x in samples if x.union_id == s.union_id and s.join_ms <= x.at_ms <= end)
            details.append(Detail(s, end - s.join_ms, network_quality(own)))
        return conference, Page(details, page.next_token, page.total)

    async def user_metrics(
        self, principal: Principal, conference_id: str, union_id: str, begin_ms: int, end_ms: int
    ) -> list[NetworkSample]:
        """GetUserMetricData: a person's network samples between two times, inclusive.

        Raises:
            InvalidRequest: ``paramError`` when ``beginTime`` is after ``endTime``;
                the errors of QueryConferenceInfo.
        """
        conference = await self._conferences.get(principal, conference_id)
        if begin_ms > end_ms:
            raise errors.param_error("error:beginTime is after endTime")
        samples = await self._tables.list_samples(
            principal.corp_id, conference.conference_id, [union_id]
        )
        return [s for s in samples if begin_ms <= s.at_ms <= end_ms]

    async def last_metrics(
        self, principal: Principal, conference_id: str, union_ids: list[str]
    ) -> dict[str, LastMetric]:
        """GetUserLastMetric: each person's latest sample; people without one are left out.

        Raises:
            InvalidRequest: ``paramError`` for an empty ``unionIdList``;
                the errors of QueryConferenceInfo.
        """
        conference = await self._conferences.get(principal, conference_id)
        wanted = [u for u in dict.fromkeys(union_ids) if u]
        if not wanted:
            raise errors.param_error("error:unionIdList is empty")
        samples = await self._tables.list_samples(
            principal.corp_id, conference.conference_id, wanted
        )
        found = {}
        for union_id in wanted:
            own = [s for s in samples if s.union_id == union_id]
            if own:
                jitters = [s.jitter for s in own]
                found[union_id] = LastMetric(
                    own[-1], round(sum(jitters) / len(jitters)), max(jitters)
                )
        return found
