"""The web console's reads and actions: an operator looking at every organisation.

Reads cross organisations (the control API is an operator's view). Actions on
a meeting act with its host's authority through the very services the
DingTalk operations use (kick, recording, close), so the rules applied and
the events sent are the same as when an app asks; a meeting created here is
CreateVideoConference's, asked by the organisation (no app of it).
"""

from collections import defaultdict

from dingconf.analytics.tables import AnalyticsTables
from dingconf.auth.service import READ, WRITE
from dingconf.auth.tables import OrgTables
from dingconf.content.records import MINUTES, RECORD, Utterance
from dingconf.content.tables import ContentTables
from dingconf.control.console.records import AppSummary, MeetingDetail, OrgSummary, Speaker
from dingconf.control.console.tables import ConsoleTables
from dingconf.control.console.timeline import LONGEST_SPEECH_MS, speaking, timeline
from dingconf.core import errors
from dingconf.core.records import AttendStatus, Conference, Principal
from dingconf.db.store import Store
from dingconf.events.tables import DeliveryTables
from dingconf.meetings.service import ConferenceService, CreatedConference
from dingconf.meetings.tables import MeetingTables
from dingconf.members.service import MemberService
from dingconf.members.tables import MemberTables
from dingconf.recording.service import RecordingService

__all__ = ["CONSOLE_CLIENT", "MEETINGS_SHOWN", "ConsoleService"]

#: The client key the console's actions are taken under (no app of any organisation).
CONSOLE_CLIENT = "dingconf-console"
#: How many meetings the overview lists, the latest started first.
MEETINGS_SHOWN = 200


class ConsoleService:
    """What the web console reads and does."""

    def __init__(
        self,
        store: Store,
        conferences: ConferenceService,
        members: MemberService,
        recording: RecordingService,
    ) -> None:
        self._store = store
        self._conferences = conferences
        self._members = members
        self._recording = recording

    async def organisations(self) -> list[OrgSummary]:
        """Every organisation with its apps (appKey and scopes only) and users."""
        found = []
        accounts = OrgTables(self._store.reader)
        events = await ConsoleTables(self._store.reader).deliveries_per_app()
        for org in await accounts.list_orgs():
            apps = await accounts.list_apps(org.corp_id)
            users = await accounts.list_users(org.corp_id)
            summaries = tuple(
                AppSummary(a.app_key, tuple(sorted(a.scopes)), events.get(a.app_key, 0))
                for a in apps
            )
            found.append(OrgSummary(org, summaries, tuple(users)))
        return found

    async def meetings(self) -> list[Conference]:
        """The latest :data:`MEETINGS_SHOWN` meetings of every organisation, newest first."""
        return await ConsoleTables(self._store.reader).latest_conferences(MEETINGS_SHOWN)

    async def speaking(self, now_ms: int) -> dict[str, list[Speaker]]:
        """Who speaks at ``now_ms`` in each running meeting where anybody does."""
        said = await ConsoleTables(self._store.reader).recent_speech(
            now_ms - LONGEST_SPEECH_MS, now_ms
        )
        by_meeting: defaultdict[str, list[Utterance]] = defaultdict(list)
        for u in said:  # only people inside are read
            by_meeting[u.conference_id].append(u)
        found: dict[str, list[Speaker]] = {}
        for conference_id, utterances in by_meeting.items():
            inside = {u.union_id for u in utterances}
            if speakers := speaking(utterances, inside, now_ms):
                found[conference_id] = speakers
        return found

    async def create(
        self, corp_id: str, host_id: str, title: str, invitee_ids: list[str]
    ) -> CreatedConference:
        """CreateVideoConference asked by the organisation: a live meeting ``host_id`` hosts
        (rung, as ``inviteCaller`` does by default), ``invitee_ids`` rung too.

        Raises:
            InvalidRequest: ``paramError`` for an unknown organisation; CreateVideoConference's
                ``unknownUserError`` and ``paramsTitleError``.
        """
        if await OrgTables(self._store.reader).get_org(corp_id) is None:
            raise errors.param_error(f"no organisation {corp_id!r}")
        principal = Principal(corp_id, CONSOLE_CLIENT, frozenset({READ, WRITE}))
        return await self._conferences.create(principal, host_id, title, invitee_ids)

    async def _as_host(self, conference_id: str) -> tuple[Principal, Conference]:
        """The authority of a meeting's host (a caller of its organisation holding the
        read and write scopes), and the meeting as QueryConferenceInfo reads it.

        Raises:
            NotFound: ``roomNotFound`` for an unknown meeting.
        """
        corp_id = await MeetingTables(self._store.reader).conference_corp(conference_id)
        if corp_id is None:
            raise errors.room_not_found()
        principal = Principal(corp_id, CONSOLE_CLIENT, frozenset({READ, WRITE}))
        return principal, await self._conferences.get(principal, conference_id)

    async def meeting(self, conference_id: str, now_ms: int) -> MeetingDetail:
        """Everything about one meeting at ``now_ms``; its ``conference`` read as
        QueryConferenceInfo does.

        Raises:
            NotFound: ``roomNotFound``.
        """
        principal, conference = await self._as_host(conference_id)
        corp_id = principal.corp_id
        members = await MemberTables(self._store.reader).list_members(corp_id, conference_id)
        sessions = await AnalyticsTables(self._store.reader).list_sessions(corp_id, conference_id)
        content = ContentTables(self._store.reader)
        record_spans = await content.list_spans(conference_id, RECORD, corp_id)
        minutes_spans = await content.list_spans(conference_id, MINUTES, corp_id)
        utterances = await content.list_utterances(corp_id, conference_id)
        sent = DeliveryTables(self._store.reader)
        deliveries = [
            d
            for app in await OrgTables(self._store.reader).list_apps(corp_id)
            for d in await sent.list_deliveries(app.app_key, None)
            if d.event.conference_id == conference_id
        ]
        deliveries.sort(key=lambda d: (d.event.seq, d.app_key))
        # Closing takes everyone out, so nobody of an ended meeting speaks.
        inside = {m.union_id for m in members if m.attend_status == AttendStatus.ACTIVE}
        return MeetingDetail(
            conference=conference,
            members=tuple(members),
            sessions=tuple(sessions),
            record_spans=tuple(record_spans),
            minutes_spans=tuple(minutes_spans),
            utterances=tuple(utterances),
            deliveries=tuple(deliveries),
            users=tuple(await OrgTables(self._store.reader).list_users(corp_id)),
            timeline=timeline(
                conference,
                members,
                sessions,
                record_spans,
                minutes_spans,
                utterances,
                deliveries,
            ),
            now_ms=now_ms,
            speaking=tuple(speaking(utterances, inside, now_ms)),
        )

    async def kick(self, conference_id: str, union_ids: list[str], forbid_rejoin: bool) -> None:
        """The host removes members (KickMembers' rules and events)."""
        principal, _ = await self._as_host(conference_id)
        await self._members.kick(principal, conference_id, union_ids, forbid_rejoin)

    async def start_recording(self, conference_id: str) -> None:
        """The host starts the cloud recording (StartCloudRecord's rules)."""
        principal, meeting = await self._as_host(conference_id)
        await self._recording.start(principal, conference_id, meeting.host_id)

    async def stop_recording(self, conference_id: str) -> None:
        """The host stops the cloud recording (StopCloudRecord's rules)."""
        principal, meeting = await self._as_host(conference_id)
        await self._recording.stop(principal, conference_id, meeting.host_id)

    async def close(self, conference_id: str) -> None:
        """The host closes the meeting (CloseVideoConference's rules and events)."""
        principal, meeting = await self._as_host(conference_id)
        await self._conferences.close(principal, conference_id, meeting.host_id)
