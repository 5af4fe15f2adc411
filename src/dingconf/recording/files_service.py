"""What a meeting's cloud recordings produced: files, play info and transcript.

QueryCloudRecordVideo (``query-recording-information``),
QueryCloudRecordVideoPlayInfo
(``queries-the-playback-information-about-a-recorded-cloud-video``) and
QueryCloudRecordText (``queries-the-text-information-about-cloud-recording``).
All three share one error table: ``paramsError`` (bad or unknown meeting id,
bad parameters), ``orgAccessForbidden`` (another organisation's meeting),
``unknownUserError`` (a unionId outside the organisation) and
``cloudRecordNotFound`` (the meeting never recorded, or no such file).
"""

import asyncio
from dataclasses import dataclass

from dingconf.auth.service import READ, require_scope
from dingconf.auth.tables import OrgTables
from dingconf.content.records import RECORD, Span, Utterance
from dingconf.content.tables import ContentTables
from dingconf.content.transcript import Paragraph, Turn, origin_of, paragraph, turns
from dingconf.core import errors
from dingconf.core.clock import Clock
from dingconf.core.ids import CONFERENCE_ID
from dingconf.core.paging import Page, page_of, window
from dingconf.core.records import Conference, Principal
from dingconf.db.store import Store
from dingconf.meetings.tables import MeetingTables
from dingconf.recording.files import READY_AFTER_MS, REGION_ID, Take, record_id, takes
from dingconf.recording.media import M3U8, MP4, MediaFile, MediaSigner
from dingconf.recording.service import RECORDING

__all__ = [
    "ASCENDING",
    "DESCENDING",
    "MAX_TEXT_PAGE",
    "PAGE_CHARS",
    "PROCESSING",
    "READY",
    "CloudRecordService",
    "PlayInfo",
    "TextPage",
    "TextQuery",
]

#: Play info ``status``: the file is still being produced / can be played.
#: The doc says the field has no use yet; its example answers 1 for a playable file.
PROCESSING, READY = 0, 1
#: QueryCloudRecordText ``direction``: by time ascending (default) or descending.
ASCENDING, DESCENDING = "0", "1"
#: The doc's largest ``maxResults``; the default page.
MAX_TEXT_PAGE, _DEFAULT_TEXT_PAGE = 2000, 100
#: A page ends before the paragraph that would take it past this many characters
#: of speech (it always holds one): the page's size stays bounded, whatever
#: ``maxResults`` asks, and ``hasMore`` and the tokens continue the walk.
PAGE_CHARS = 10_000
_PARAMS = errors.params_error.code


@dataclass(frozen=True, slots=True)
class PlayInfo:
    """QueryCloudRecordVideoPlayInfo's answer; URLs only once the file is ready."""

    take: Take
    status: int
    play_url: str | None
    mp4_url: str | None


@dataclass(frozen=True, slots=True)
class TextQuery:
    """QueryCloudRecordText's parameters (all optional)."""

    union_id: str | None = None
    start_time: int | None = None
    direction: str | None = None
    max_results: int | None = None
    next_token: int | None = None


@dataclass(frozen=True, slots=True)
class TextPage:
    """One page of a transcript: the meeting's recordId, where the page starts, the page."""

    record_id: str
    offset: int
    page: Page[Paragraph]


class CloudRecordService:
    """Read what a meeting's cloud recordings produced."""

    def __init__(self, store: Store, clock: Clock, media: MediaSigner) -> None:
        self._store = store
        self._clock = clock
        self._media = media

    async def _own(
        self, principal: Principal, conference_id: str, union_id: str | None
    ) -> Conference:
        require_scope(principal, READ)
        conference_id = conference_id.strip()
        if not CONFERENCE_ID.fullmatch(conference_id):
            raise errors.params_error("error:invalid conferenceId")
        conference = await self._store.get_conference(principal.corp_id, conference_id)
        if conference is None:
            if await MeetingTables(self._store.reader).conference_corp(conference_id) is not None:
                raise errors.org_access_forbidden()
            raise errors.params_error("error:conference not found")
        if (
            union_id is not None
            and await OrgTables(self._store.reader).get_user(principal.corp_id, union_id) is None
        ):
            raise errors.unknown_user()
        return conference

    async def _takes(self, conference: Conference) -> list[Take]:
        content = ContentTables(self._store.reader)
        spans = await content.list_spans(conference.conference_id, RECORD, conference.corp_id)
        if not spans:
            raise errors.cloud_record_not_found()
        running = conference.cloud_record_status in RECORDING
        return takes(conference.conference_id, spans, running)

    async def videos(self, principal: Principal, conference_id: str, union_id: str) -> list[Take]:
        """QueryCloudRecordVideo: one file per take that has stopped, oldest first.

        Raises:
            InvalidRequest: the shared codes (module docstring);
                ``cloudRecordNotFound`` when the meeting never recorded.
        """
        conference = await self._own(principal, conference_id, union_id)
        return [t for t in await self._takes(conference) if t.end_ms is not None]

    async def play_info(
        self, principal: Principal, conference_id: str, union_id: str, media_id: str, region_id: str
    ) -> PlayInfo:
        """QueryCloudRecordVideoPlayInfo: a file's state, and its URLs once ready.

        A file is :data:`PROCESSING` until :data:`READY_AFTER_MS` after its take
        stopped (server clock), then :data:`READY` with signed URLs.

        Raises:
            InvalidRequest: the shared codes; ``cloudRecordNotFound`` for a
                mediaId that is no stopped take of this meeting; ``paramsError``
                for a regionId other than the file's.
        """
        conference = await self._own(principal, conference_id, union_id)
        found = [t for t in await self._takes(conference) if t.media_id == media_id.strip()]
        take = found[0] if found else None
        if take is None or take.end_ms is None:
            raise errors.cloud_record_not_found()
        if region_id.strip() != REGION_ID:
            raise errors.params_error(f"error:regionId {region_id!r} is not the file's region")
        if self._clock.now_ms() < take.end_ms + READY_AFTER_MS:
            return PlayInfo(take, PROCESSING, None, None)
        files = [
            MediaFile(take.media_id, kind, take.file_size, take.duration_ms) for kind in (M3U8, MP4)
        ]
        play, mp4 = [await self._media.url(f) for f in files]
        return PlayInfo(take, READY, play, mp4)

    async def texts(self, principal: Principal, conference_id: str, query: TextQuery) -> TextPage:
        """QueryCloudRecordText: a page of the recording's transcript.

        Only what was said while the recording ran counts, by speaker turns;
        times are relative to the meeting's first recording start. ``startTime``
        keeps paragraphs starting at or after it (at or before it, descending);
        ``nextToken`` is the number of paragraphs already read in that order.

        Raises:
            InvalidRequest: the shared codes; ``cloudRecordNotFound`` when the
                meeting never recorded; ``paramsError`` for a direction other
                than "0"/"1", a negative startTime or nextToken, or a maxResults
                outside 1–2000.
        """
        conference = await self._own(principal, conference_id, query.union_id)
        direction = query.direction if query.direction not in (None, "") else ASCENDING
        if direction not in (ASCENDING, DESCENDING):
            raise errors.params_error(f"error:direction must be {ASCENDING} or {DESCENDING}")
        if query.start_time is not None and query.start_time < 0:
            raise errors.params_error("error:startTime must not be negative")
        if query.next_token is not None and query.next_token < 0:
            raise errors.params_error("error:nextToken must not be negative")
        if query.max_results is not None and not 1 <= query.max_results <= MAX_TEXT_PAGE:
            raise errors.params_error(f"error:maxResults must be between 1 and {MAX_TEXT_PAGE}")
        content = ContentTables(self._store.reader)
        spans = await content.list_spans(conference.conference_id, RECORD, conference.corp_id)
        if not spans:
            raise errors.cloud_record_not_found()
        said = await content.list_utterances(conference.corp_id, conference.conference_id)
        offset, size = window(
            None if query.next_token is None else str(query.next_token),
            query.max_results,
            default_size=_DEFAULT_TEXT_PAGE,
            error_code=_PARAMS,
        )
        # Its cost grows with the transcript: in a worker thread, off the event loop.
        page = await asyncio.to_thread(
            _text_page, said, spans, direction, query.start_time, offset, size
        )
        return TextPage(record_id(conference.conference_id), offset, page)


def _starts_in(at_ms: int, start: int, ascending: bool) -> bool:
    return at_ms >= start if ascending else at_ms <= start


def _text_page(
    said: list[Utterance],
    spans: list[Span],
    direction: str,
    start: int | None,
    offset: int,
    size: int,
) -> Page[Paragraph]:
    """One page of the transcript: at most ``size`` paragraphs and :data:`PAGE_CHARS`
    characters; only its own paragraphs' words are derived."""
    origin = origin_of(spans)
    found = turns(said, spans)
    if direction == DESCENDING:
        found.reverse()
    if start is not None:
        ascending = direction == ASCENDING
        found = [t for t in found if _starts_in(t.utterances[0].at_ms - origin, start, ascending)]
    chosen: list[Turn] = []
    chars = 0
    for turn in found[offset : offset + size]:
        if chosen and chars + turn.chars > PAGE_CHARS:
            break
        chosen.append(turn)
        chars += turn.chars
    return page_of([paragraph(t, origin) for t in chosen], offset, len(found))
