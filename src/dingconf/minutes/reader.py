"""Reading meeting minutes (闪记): text, audio, summaries, links, and the media behind links.

Every answer is derived from the meeting's state (:mod:`.minutes_derive`):
only what was said while the minutes ran counts. Who may read: the minutes'
owners (of any take), the host, and whoever an owner shared them with
(AddRecordPermission); anyone else gets ``noPermission``.

The derivations run in a worker thread: their cost grows with the
transcript, and the event loop must go on serving other requests meanwhile.
Summaries and the document come from :mod:`.minutes_summary`.
"""

import asyncio
import json
from dataclasses import dataclass
from typing import Any, NamedTuple

from dingconf.content.records import MINUTES, Span
from dingconf.content.tables import ContentTables
from dingconf.core import errors
from dingconf.core.clock import Clock
from dingconf.core.digits import digits_value
from dingconf.core.errors import NotFound
from dingconf.core.records import Conference, Principal
from dingconf.db.store import Store
from dingconf.links.signing import LinkSigner
from dingconf.meetings.service import ConferenceService
from dingconf.meetings.tables import MeetingTables
from dingconf.minutes import derive
from dingconf.minutes.media import audio_path, document_path, wav_bytes, wav_size
from dingconf.minutes.service import task_uuid
from dingconf.minutes.summary import MinutesSummary, document, summarise
from dingconf.minutes.tables import MinutesTables

__all__ = [
    "AudioTake",
    "MinutesReader",
    "TextPage",
]

_LINK_TTL_MS = 3_600_000
#: The longest a document link lives, however late ``expireTime`` asks.
_MAX_LINK_TTL_MS = 30 * 24 * 3_600_000
#: From here up ``expireTime`` is an epoch-ms instant (1973-03-03 on); below, seconds.
_INSTANT_FROM = 10**11
_MAX_PAGE, _DEFAULT_PAGE = 100, 20


class TextPage(NamedTuple):
    """One page of the minutes' paragraphs."""

    paragraphs: list[derive.Paragraph]
    next_token: str | None
    has_more: bool


class AudioTake(NamedTuple):
    """The audio of one finished take of the minutes."""

    take: int
    owner: str
    start_ms: int
    end_ms: int
    duration_ms: int
    file_size: int
    play_url: str


@dataclass(frozen=True, slots=True)
class _State:
    conference: Conference
    spans: list[Span]
    sentences: list[derive.Sentence]
    explicit: dict[str, Any]


def _required(value: str | None, name: str) -> str:
    if value is None or not value.strip():
        raise errors.param_error(f"{name} is required")
    return value.strip()


def _link_expiry(expire_time: int, now_ms: int) -> int:
    """When a document link asked to expire at ``expire_time`` expires (epoch ms).

    The SDK's example is an epoch-ms instant (``1727185971000``); a value too
    small to be one (below 10^11) is read as seconds from now, as earlier
    dingconf did. Either way the link lives at most :data:`_MAX_LINK_TTL_MS`.

    Raises:
        InvalidRequest: ``paramError`` for an instant not in the future or
            seconds below 1.
    """
    expires = expire_time if expire_time >= _INSTANT_FROM else now_ms + expire_time * 1000
    if expire_time <= 0 or expires <= now_ms:
        raise errors.param_error("expireTime must lie in the future")
    return min(expires, now_ms + _MAX_LINK_TTL_MS)


class MinutesReader:
    """The minutes' read operations and the media their links point at."""

    def __init__(
        self, store: Store, clock: Clock, conferences: ConferenceService, signer: LinkSigner
    ) -> None:
        self._store = store
        self._clock = clock
        self._conferences = conferences
        self._signer = signer

    async def _readers(self, conference: Conference, spans: list[Span]) -> set[str]:
        minutes = MinutesTables(self._store.reader)
        grants = await minutes.list_minutes_grants(conference.corp_id, conference.conference_id)
        return {conference.host_id, *(s.owner for s in spans), *(g.union_id for g in grants)}

    async def _state(self, conference: Conference, reader: str | None) -> _State:
        """The minutes' state; ``reader`` None reads with the app's own authority."""
        content = ContentTables(self._store.reader)
        spans = await content.list_spans(conference.conference_id, MINUTES, conference.corp_id)
        if not spans:
            raise errors.minutes_not_found()
        if reader is not None and reader not in await self._readers(conference, spans):
            raise errors.no_permission("NO PERMISSION")
        said = await content.list_utterances(conference.corp_id, conference.conference_id)
        explicit = await MinutesTables(self._store.reader).get_minutes_summary(
            conference.corp_id, conference.conference_id
        )
        sentences = await asyncio.to_thread(derive.sentences, said, spans)
        return _State(conference, spans, sentences, json.loads(explicit or "{}"))

    async def _read(
        self, principal: Principal, conference_id: str, reader: str | None, name: str | None
    ) -> _State:
        """The minutes of the caller's meeting, for a reader who may see them.

        ``name`` is the reader's field when the SDK marks it required; None
        makes it optional, and a call without it reads with the app's authority.

        Raises:
            InvalidRequest: ``missingRoomId`` / ``paramError`` (see
                :meth:`ConferenceService.get`); ``paramError`` without a required reader.
            AccessDenied: ``noPermission`` for another organisation's meeting or
                a reader who may not see the minutes.
            NotFound: ``roomNotFound``; ``minutesNotFound`` when they never ran.
        """
        conference = await self._conferences.get(principal, conference_id)
        if name is None:
            return await self._state(conference, (reader or "").strip() or None)
        return await self._state(conference, _required(reader, name))

    async def text(
        self,
        principal: Principal,
        conference_id: str,
        union_id: str | None,
        next_token: str | None,
        max_results: int | None,
        direction: str | None,
    ) -> TextPage:
        """QueryMinutesText: the paragraphs (speaker turns), paged.

        ``direction`` "0" (default) pages from the start, "1" from the end;
        ``nextToken`` is the offset where the next page starts. ``unionId`` is
        optional (the SDK marks only ``direction`` required): without it the
        app reads on its own authority, as QueryCloudRecordText does.
        """
        size = _DEFAULT_PAGE if max_results is None else max_results
        if not 1 <= size <= _MAX_PAGE:
            raise errors.param_error(f"maxResults must be 1..{_MAX_PAGE}")
        if direction not in (None, "", "0", "1"):
            raise errors.param_error("direction must be 0 or 1")
        start = digits_value(next_token or "0")
        if start is None:
            raise errors.param_error("invalid nextToken")
        state = await self._read(principal, conference_id, union_id, None)
        turns = await asyncio.to_thread(derive.paragraphs, state.sentences)
        if direction == "1":
            turns.reverse()
        page = turns[start : start + size]
        more = start + size < len(turns)
        return TextPage(page, str(start + size) if more else None, more)

    async def audio(
        self, principal: Principal, conference_id: str, union_id: str | None
    ) -> list[AudioTake]:
        """QueryMinutesAudio: one audio file per finished take."""
        state = await self._read(principal, conference_id, union_id, "unionId")
        takes: dict[int, list[Span]] = {}
        for span in state.spans:
            takes.setdefault(span.take, []).append(span)
        meeting_id = state.conference.conference_id  # the id, trimmed
        expires = self._clock.now_ms() + _LINK_TTL_MS
        result = []
        for take, spans in takes.items():
            ends = [s.end_ms for s in spans]
            if any(end is None for end in ends):
                continue  # still running: its audio does not exist yet
            duration = sum((s.end_ms or s.start_ms) - s.start_ms for s in spans)
            url = await self._signer.url(audio_path(meeting_id, take), {}, expires)
            last = max(end for end in ends if end is not None)
            result.append(
                AudioTake(
                    take, spans[0].owner, spans[0].start_ms, last, duration, wav_size(duration), url
                )
            )
        return result

    async def summary(
        self,
        principal: Principal,
        conference_id: str,
        union_id: str | None,
        name: str = "unionId",
    ) -> MinutesSummary:
        """Every part of the summary (QueryMinutesSummary, MeetingResult, FlashMinutesSummary)."""
        state = await self._read(principal, conference_id, union_id, name)
        return await asyncio.to_thread(summarise, state.conference, state.explicit, state.sentences)

    async def record_urls(
        self, principal: Principal, conference_id: str, recorder: str | None
    ) -> list[tuple[str, str]]:
        """QueryRecordMinutesUrl: ``(url, taskUuid)`` of each take's minutes document."""
        state = await self._read(principal, conference_id, recorder, "recorderUnionId")
        reader = (recorder or "").strip()
        meeting_id = state.conference.conference_id  # the id, trimmed
        expires = self._clock.now_ms() + _LINK_TTL_MS
        takes = sorted({s.take for s in state.spans})
        return [
            (
                await self._signer.url(
                    document_path(meeting_id), {"take": str(t), "unionId": reader}, expires
                ),
                task_uuid(meeting_id, t),
            )
            for t in takes
        ]

    async def document_url(
        self,
        principal: Principal,
        conference_id: str,
        union_id: str | None,
        expire_time: int | None,
    ) -> str:
        """GenerateFlashMinutesDocumentUrl: a link to the whole minutes' document.

        ``expireTime`` is when the link expires (see :func:`_link_expiry`);
        without it the link lives one hour.
        """
        now = self._clock.now_ms()
        expires = now + _LINK_TTL_MS if expire_time is None else _link_expiry(expire_time, now)
        state = await self._read(principal, conference_id, union_id, "unionId")
        return await self._signer.url(
            document_path(state.conference.conference_id),
            {"unionId": (union_id or "").strip()},
            expires,
        )

    async def _media_conference(self, conference_id: str) -> Conference:
        corp_id = await MeetingTables(self._store.reader).conference_corp(conference_id)
        conference = corp_id and await self._store.get_conference(corp_id, conference_id)
        if not conference:
            raise errors.media_not_found()
        return conference

    async def audio_file(self, conference_id: str, take: str, expires: str, sig: str) -> bytes:
        """The audio behind a signed ``playUrl``.

        Raises:
            AccessDenied: ``invalidSignature`` / ``urlExpired``.
            NotFound: ``notFound`` for a take without finished audio.
        """
        number = digits_value(take)
        await self._signer.check(
            audio_path(conference_id, -1 if number is None else number),
            {},
            expires,
            sig,
            self._clock.now_ms(),
        )
        conference = await self._media_conference(conference_id)
        spans = await ContentTables(self._store.reader).list_spans(
            conference_id, MINUTES, conference.corp_id
        )
        mine = [s for s in spans if str(s.take) == take]
        if not mine or any(s.end_ms is None for s in mine):
            raise errors.media_not_found()
        return wav_bytes(sum((s.end_ms or s.start_ms) - s.start_ms for s in mine))

    async def document(
        self, conference_id: str, params: dict[str, str], expires: str, sig: str
    ) -> str:
        """The minutes' document (Markdown) behind a signed link, for the reader it names.

        Raises:
            AccessDenied: ``invalidSignature`` / ``urlExpired``; ``noPermission``
                when the reader may no longer see the minutes.
            NotFound: ``notFound``.
        """
        await self._signer.check(
            document_path(conference_id), params, expires, sig, self._clock.now_ms()
        )
        conference = await self._media_conference(conference_id)
        try:
            state = await self._state(conference, params.get("unionId", ""))
        except NotFound as error:
            raise errors.media_not_found() from error
        take = params.get("take")
        said = [s for s in state.sentences if take is None or str(s.take) == take]
        return await asyncio.to_thread(document, conference, state.explicit, said)
