"""Cloud-recording files and transcript (QueryCloudRecordVideo, ...PlayInfo, ...Text)."""

from dingconf.content.transcript import Paragraph
from dingconf.core import errors
from dingconf.http.operations import Call, Operation, op
from dingconf.recording.files import RECORD_TYPE, REGION_ID, Take, record_id
from dingconf.recording.files_service import CloudRecordService, PlayInfo, TextPage, TextQuery
from dingconf.recording.schemas import (
    ParagraphModel,
    PlayInfoReply,
    SentenceModel,
    TextsReply,
    VideoModel,
    VideosReply,
    WordModel,
)

__all__ = ["record_routes"]

_PARAMS = errors.params_error.code


def _video(record_id: str, t: Take) -> VideoModel:
    return VideoModel(
        record_id=record_id,
        media_id=t.media_id,
        region_id=REGION_ID,
        union_id=t.owner,
        start_time=t.start_ms,
        end_time=t.end_ms or t.start_ms,
        duration=t.duration_ms,
        file_size=t.file_size,
        record_type=RECORD_TYPE,
    )


def _play_info(info: PlayInfo) -> PlayInfoReply:
    return PlayInfoReply(
        status=info.status,
        duration=info.take.duration_ms,
        file_size=info.take.file_size,
        play_url=info.play_url,
        mp4_file_url=info.mp4_url,
    )


def _paragraph(record_id: int, cursor: int, p: Paragraph) -> ParagraphModel:
    return ParagraphModel(
        record_id=record_id,
        union_id=p.union_id,
        nick_name=p.nick,
        paragraph=p.text,
        start_time=p.start_ms,
        end_time=p.end_ms,
        # The doc's only value; it says the field has no use yet.
        status=1,
        next_ttoken=cursor,
        sentence_list=[
            SentenceModel(
                union_id=s.union_id,
                sentence=s.text,
                start_time=s.start_ms,
                end_time=s.end_ms,
                word_list=[
                    WordModel(
                        word_id=w.word_id, word=w.text, start_time=w.start_ms, end_time=w.end_ms
                    )
                    for w in s.words
                ],
            )
            for s in p.sentences
        ],
    )


def _texts(result: TextPage) -> TextsReply:
    record_id = int(result.record_id)
    return TextsReply(
        has_more=result.page.has_more,
        # Each paragraph carries the token that continues right after it.
        paragraph_list=[
            _paragraph(record_id, result.offset + i + 1, p) for i, p in enumerate(result.page.items)
        ],
    )


def record_routes(records: CloudRecordService) -> list[Operation]:
    """The cloud-recording read operations."""

    async def videos(c: Call[None]) -> VideosReply:
        found = await records.videos(c.principal, c.conference_id, c.query("unionId"))
        rid = record_id(c.conference_id.strip())
        return VideosReply(video_list=[_video(rid, t) for t in found])

    async def play_info(c: Call[None]) -> PlayInfo:
        return await records.play_info(
            c.principal,
            c.conference_id,
            c.query("unionId"),
            c.query("mediaId"),
            c.query("regionId"),
        )

    async def texts(c: Call[None]) -> TextPage:
        query = TextQuery(
            union_id=c.optional("unionId"),
            start_time=c.int_query("startTime", _PARAMS),
            direction=c.optional("direction"),
            max_results=c.int_query("maxResults", _PARAMS),
            next_token=c.int_query("nextToken", _PARAMS),
        )
        return await records.texts(c.principal, c.conference_id, query)

    base = "GET /v1.0/conference/videoConferences/{conferenceId}/cloudRecords"
    return [
        op(f"{base}/getVideos", "QueryCloudRecordVideo", videos),
        op(f"{base}/videos/getPlayInfos", "QueryCloudRecordVideoPlayInfo", play_info, _play_info),
        op(f"{base}/getTexts", "QueryCloudRecordText", texts, _texts),
    ]
