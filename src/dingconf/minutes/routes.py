"""``conference_1.0`` minutes (闪记) operations, their control API and their served media."""

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dingconf.core import errors
from dingconf.http.operations import Call, Operation, op
from dingconf.minutes import derive
from dingconf.minutes.media import audio_path, document_path
from dingconf.minutes.reader import AudioTake, MinutesReader, TextPage
from dingconf.minutes.schemas import (
    ActionView,
    AudioView,
    ChapterView,
    CodeReply,
    ConversationalView,
    DocumentUrlReply,
    FlashMinutesSummary,
    FlashSummaryReply,
    GrantBody,
    GrantReply,
    MeetingResultReply,
    MinutesAudioReply,
    MinutesSummaryBody,
    MinutesSummaryReply,
    MinutesTextReply,
    ParagraphView,
    QuestionView,
    RecordUrlsReply,
    RecordUrlView,
    SentenceView,
    StartMinutesBody,
    StopMinutesBody,
    SummaryBody,
    SummaryView,
    WordView,
)
from dingconf.minutes.service import MinutesService
from dingconf.minutes.summary import SUMMARY_TYPES, MinutesSummary

__all__ = ["minutes_media_routes", "minutes_routes"]

_CODE_200 = CodeReply(code="200")
_PARAM_ERROR = errors.param_error.code
_AUDIO = "audio/wav"
_MARKDOWN = "text/markdown"


def _paragraph(p: derive.Paragraph) -> ParagraphView:
    return ParagraphView(
        paragraph_id=p.paragraph_id,
        record_id=p.take,
        union_id=p.union_id,
        nick_name=p.nick,
        paragraph=p.text,
        start_time=p.start_ms,
        end_time=p.end_ms,
        sentence_list=[
            SentenceView(
                union_id=s.union_id,
                sentence=s.text,
                start_time=s.start_ms,
                end_time=s.end_ms,
                word_list=[WordView(str(w.word_id), w.word, w.start_ms, w.end_ms) for w in s.words],
            )
            for s in p.sentences
        ],
    )


def _text(page: TextPage) -> MinutesTextReply:
    return MinutesTextReply(
        has_more=page.has_more,
        paragraph_list=[_paragraph(p) for p in page.paragraphs],
        next_token=page.next_token,
    )


def _audio(takes: list[AudioTake]) -> MinutesAudioReply:
    return MinutesAudioReply(
        [
            AudioView(
                record_id=str(t.take),
                union_id=t.owner,
                start_time=t.start_ms,
                end_time=t.end_ms,
                duration=t.duration_ms,
                file_size=t.file_size,
                play_url=t.play_url,
            )
            for t in takes
        ]
    )


def _chapters(summary: MinutesSummary) -> list[ChapterView]:
    return [
        ChapterView(c.chapter_id, c.headline, c.summary, c.start_ms, c.end_ms)
        for c in summary.chapters
    ]


def _summary(summary: MinutesSummary, wanted: set[str]) -> SummaryView:
    def want(part: str) -> bool:
        return part in wanted

    return SummaryView(
        actions=[
            ActionView(a.action_id, a.text, a.sentence_id, a.start_ms, a.end_ms)
            for a in summary.actions
        ]
        if want("actions")
        else None,
        auto_chapters=_chapters(summary) if want("autoChapters") else None,
        conversational_summary=[ConversationalView(*c) for c in summary.conversational]
        if want("conversationalSummary")
        else None,
        key_sentences=[
            ActionView(i + 1, s.text, s.sentence_id, s.start_ms, s.end_ms)
            for i, s in enumerate(summary.key_sentences)
        ]
        if want("keySentences")
        else None,
        keywords=summary.keywords if want("keywords") else None,
        paragraph_summary=summary.paragraph if want("paragraphSummary") else None,
        questions_answering_summary=[
            QuestionView(q.text, a.text, [q.sentence_id], [a.sentence_id])
            for q, a in summary.questions
        ]
        if want("questionsAnsweringSummary")
        else None,
    )


def _wanted(types: list[str] | None) -> set[str]:
    if not types:
        return set(SUMMARY_TYPES)
    unknown = set(types) - set(SUMMARY_TYPES)
    if unknown:
        raise errors.param_error(f"unknown summaryTypeList items: {sorted(unknown)}")
    return set(types)


def minutes_routes(minutes: MinutesService, reader: MinutesReader) -> list[Operation]:
    """The minutes operations and their control API."""
    one = "/v1.0/conference/videoConferences/{conferenceId}"

    async def summary(c: Call[MinutesSummaryBody]) -> MinutesSummaryReply:
        wanted = _wanted(c.body.summary_type_list)
        found = await reader.summary(c.principal, c.conference_id, c.body.union_id)
        return MinutesSummaryReply(_summary(found, wanted))

    async def grant(c: Call[GrantBody]) -> GrantReply:
        b = c.body
        task = await minutes.grant(
            c.principal, c.conference_id, b.union_id, b.owner_union_id, b.share_scope
        )
        return GrantReply(code="200", task_uuid=task)

    async def set_summary(c: Call[SummaryBody]) -> dict[str, bool]:
        parts: dict[str, Any] = msgspec.to_builtins(c.body)
        await minutes.set_summary(c.conference_id, parts)
        return {"success": True}

    return [
        op(
            f"POST {one}/minutes/start",
            "StartMinutes",
            lambda c: minutes.start(
                c.principal, c.conference_id, c.body.union_id, c.body.owner_union_id
            ),
            _CODE_200,
            body=StartMinutesBody,
        ),
        op(
            f"POST {one}/minutes/pause",
            "StopMinutes",
            lambda c: minutes.stop(c.principal, c.conference_id, c.body.union_id),
            _CODE_200,
            body=StopMinutesBody,
        ),
        op(
            f"GET {one}/minutes/textInfos",
            "QueryMinutesText",
            lambda c: reader.text(
                c.principal,
                c.conference_id,
                c.optional("unionId"),
                c.optional("nextToken"),
                c.int_query("maxResults", _PARAM_ERROR),
                c.optional("direction"),
            ),
            _text,
            param_error=_PARAM_ERROR,
        ),
        op(
            f"GET {one}/minutes/audioInfos",
            "QueryMinutesAudio",
            lambda c: reader.audio(c.principal, c.conference_id, c.optional("unionId")),
            _audio,
            param_error=_PARAM_ERROR,
        ),
        op(
            f"POST {one}/minutes/summaries/query",
            "QueryMinutesSummary",
            summary,
            body=MinutesSummaryBody,
            param_error=_PARAM_ERROR,
        ),
        op(
            f"GET {one}/minutes/meetingResult",
            "QueryMinutesMeetingResult",
            lambda c: reader.summary(c.principal, c.conference_id, c.optional("unionId")),
            lambda s: MeetingResultReply(s.full, [a.text for a in s.actions]),
            returns=MeetingResultReply,
            param_error=_PARAM_ERROR,
        ),
        op(
            f"GET {one}/flashMinutes/summaries",
            "QueryFlashMinutesSummary",
            lambda c: reader.summary(
                c.principal, c.conference_id, c.optional("recorderUnionId"), "recorderUnionId"
            ),
            lambda s: FlashSummaryReply(FlashMinutesSummary(s.status, _chapters(s))),
            returns=FlashSummaryReply,
            param_error=_PARAM_ERROR,
        ),
        op(
            f"GET {one}/flashMinutes/recordUrls",
            "QueryRecordMinutesUrl",
            lambda c: reader.record_urls(
                c.principal, c.conference_id, c.optional("recorderUnionId")
            ),
            lambda urls: RecordUrlsReply([RecordUrlView(u, t) for u, t in urls]),
            returns=RecordUrlsReply,
            param_error=_PARAM_ERROR,
        ),
        op(
            f"GET {one}/flashMinutes/document/generate",
            "GenerateFlashMinutesDocumentUrl",
            lambda c: reader.document_url(
                c.principal,
                c.conference_id,
                c.optional("unionId"),
                c.int_query("expireTime", _PARAM_ERROR),
            ),
            DocumentUrlReply,
            param_error=_PARAM_ERROR,
        ),
        op(
            f"POST {one}/flashMinutes/recordPermissions",
            "AddRecordPermission",
            grant,
            body=GrantBody,
        ),
        op(
            "PUT /_dingconf/conferences/{conferenceId}/minutes/summary",
            "SetMinutesSummary",
            set_summary,
            body=SummaryBody,
            param_error=_PARAM_ERROR,
            guard="admin",
        ),
    ]


def _signed(request: Request) -> tuple[dict[str, str], str, str]:
    """The link's own parameters, its expiry and its signature."""
    params = dict(request.query_params)
    return params, params.pop("expires", ""), params.pop("sig", "")


def minutes_media_routes(reader: MinutesReader) -> list[BaseRoute]:
    """The media the minutes' links point at: audio and the document (signed, no token)."""

    async def audio(request: Request) -> Response:
        conference_id, take = request.path_params["conferenceId"], request.path_params["take"]
        _params, expires, sig = _signed(request)
        body = await reader.audio_file(conference_id, take, expires, sig)
        return Response(body, media_type=_AUDIO)

    async def document(request: Request) -> Response:
        params, expires, sig = _signed(request)
        text = await reader.document(request.path_params["conferenceId"], params, expires, sig)
        return Response(text, media_type=_MARKDOWN)

    return [
        Route(audio_path("{conferenceId}", "{take}"), audio, methods=["GET"]),
        Route(document_path("{conferenceId}"), document, methods=["GET"]),
    ]
