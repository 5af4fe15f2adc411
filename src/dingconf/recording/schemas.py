"""Bodies of the meeting-content and cloud-recording APIs, as the SDK models them.

QueryCloudRecordVideo, QueryCloudRecordVideoPlayInfo and QueryCloudRecordText
(``conference_1_0`` models of the same names), and the control API's ``say``.
Note the SDK's types: ``recordId`` is a string in the video list and a number
in the transcript; the transcript's per-paragraph cursor is spelt ``nextTtoken``.
"""

import msgspec

from dingconf.http.body import Body as _Body

__all__ = [
    "ParagraphModel",
    "PlayInfoReply",
    "SayBody",
    "SentenceModel",
    "TextsReply",
    "UtteranceView",
    "VideoModel",
    "VideosReply",
    "WordModel",
]


class SayBody(_Body):
    """Control API: a person inside the meeting says something."""

    union_id: str
    text: str
    #: Milliseconds after the meeting's startTime; absent: now.
    offset_ms: int | None = None


class UtteranceView(_Body):
    """Control API: what was stored."""

    conference_id: str
    seq: int
    union_id: str
    nick: str
    text: str
    #: When it was said, epoch milliseconds on the server clock.
    time: int


class VideoModel(_Body):
    """QueryCloudRecordVideoResponseBodyVideoList."""

    record_id: str
    media_id: str
    region_id: str
    union_id: str
    start_time: int
    end_time: int
    duration: int
    file_size: int
    record_type: int


class VideosReply(_Body):
    """QueryCloudRecordVideoResponseBody."""

    video_list: list[VideoModel]


class PlayInfoReply(_Body):
    """QueryCloudRecordVideoPlayInfoResponseBody; URLs only once the file is ready."""

    status: int
    duration: int
    file_size: int
    play_url: str | None = None
    mp4_file_url: str | None = msgspec.field(default=None, name="mp4FileUrl")


class WordModel(_Body):
    """...ParagraphListSentenceListWordList."""

    word_id: str
    word: str
    start_time: int
    end_time: int


class SentenceModel(_Body):
    """...ParagraphListSentenceList."""

    union_id: str
    sentence: str
    start_time: int
    end_time: int
    word_list: list[WordModel]


class ParagraphModel(_Body):
    """QueryCloudRecordTextResponseBodyParagraphList."""

    record_id: int
    union_id: str
    nick_name: str
    paragraph: str
    start_time: int
    end_time: int
    status: int
    next_ttoken: int
    sentence_list: list[SentenceModel]


class TextsReply(_Body):
    """QueryCloudRecordTextResponseBody."""

    has_more: bool
    paragraph_list: list[ParagraphModel]
