"""Request and response bodies of the minutes (闪记) operations (SDK ``conference_1_0`` models)."""

from dingconf.http.body import Body as _Body

__all__ = [
    "ActionView",
    "AudioView",
    "ChapterIn",
    "ChapterView",
    "CodeReply",
    "ConversationalView",
    "DocumentUrlReply",
    "FlashMinutesSummary",
    "FlashSummaryReply",
    "GrantBody",
    "GrantReply",
    "MeetingResultReply",
    "MinutesAudioReply",
    "MinutesSummaryBody",
    "MinutesSummaryReply",
    "MinutesTextReply",
    "ParagraphView",
    "QuestionView",
    "RecordUrlView",
    "RecordUrlsReply",
    "SentenceView",
    "StartMinutesBody",
    "StopMinutesBody",
    "SummaryBody",
    "SummaryView",
    "WordView",
]


class StartMinutesBody(_Body):
    """StartMinutes request (``recordAudio`` is accepted; audio is always kept)."""

    union_id: str | None = None
    owner_union_id: str | None = None
    record_audio: bool | None = None


class StopMinutesBody(_Body):
    """StopMinutes request."""

    union_id: str | None = None


class CodeReply(_Body):
    """StartMinutes / StopMinutes response: ``{"code": "200"}`` as StartCloudRecord's."""

    code: str


class GrantBody(_Body):
    """AddRecordPermission request (``bizType``, ``roleSubResourceIds`` accepted, not kept)."""

    union_id: str | None = None
    owner_union_id: str | None = None
    share_scope: int | None = None
    biz_type: str | None = None
    role_sub_resource_ids: list[str] | None = None


class GrantReply(_Body):
    """AddRecordPermission response."""

    code: str
    task_uuid: str


class WordView(_Body):
    """``wordList`` item of QueryMinutesText."""

    word_id: str
    word: str
    start_time: int
    end_time: int


class SentenceView(_Body):
    """``sentenceList`` item of QueryMinutesText."""

    union_id: str
    sentence: str
    start_time: int
    end_time: int
    word_list: list[WordView]


class ParagraphView(_Body):
    """``paragraphList`` item of QueryMinutesText: one speaker's turn."""

    paragraph_id: int
    record_id: int
    union_id: str
    nick_name: str
    paragraph: str
    start_time: int
    end_time: int
    sentence_list: list[SentenceView]


class MinutesTextReply(_Body):
    """QueryMinutesText response; ``nextToken`` only while more pages follow."""

    has_more: bool
    paragraph_list: list[ParagraphView]
    next_token: str | None = None


class AudioView(_Body):
    """``audioList`` item of QueryMinutesAudio."""

    record_id: str
    union_id: str
    start_time: int
    end_time: int
    duration: int
    file_size: int
    play_url: str


class MinutesAudioReply(_Body):
    """QueryMinutesAudio response."""

    audio_list: list[AudioView]


class MinutesSummaryBody(_Body):
    """QueryMinutesSummary request."""

    union_id: str | None = None
    summary_type_list: list[str] | None = None


class ActionView(_Body):
    """``actions`` / ``keySentences`` item of QueryMinutesSummary."""

    id: int
    text: str
    sentence_id: int
    start: int
    end: int


class ChapterView(_Body):
    """``autoChapters`` item (and QueryFlashMinutesSummary's ``summary`` item)."""

    id: int
    headline: str
    summary: str
    start: int
    end: int


class ConversationalView(_Body):
    """``conversationalSummary`` item: what one speaker said."""

    speaker_id: str
    speaker_name: str
    summary: str


class QuestionView(_Body):
    """``questionsAnsweringSummary`` item."""

    question: str
    answer: str
    sentence_ids_of_question: list[int]
    sentence_ids_of_answer: list[int]


class SummaryView(_Body):
    """``summary`` of QueryMinutesSummary: only the parts asked for."""

    actions: list[ActionView] | None = None
    auto_chapters: list[ChapterView] | None = None
    conversational_summary: list[ConversationalView] | None = None
    key_sentences: list[ActionView] | None = None
    keywords: list[str] | None = None
    paragraph_summary: str | None = None
    questions_answering_summary: list[QuestionView] | None = None


class MinutesSummaryReply(_Body):
    """QueryMinutesSummary response."""

    summary: SummaryView


class MeetingResultReply(_Body):
    """QueryMinutesMeetingResult response."""

    full_summary: str
    action: list[str]


class FlashMinutesSummary(_Body):
    """``flashMinutesSummary``: generation status (1 running, 2 done) and chapters."""

    status: int
    summary: list[ChapterView]


class FlashSummaryReply(_Body):
    """QueryFlashMinutesSummary response."""

    flash_minutes_summary: FlashMinutesSummary


class RecordUrlView(_Body):
    """``recordMinutesUrls`` item."""

    record_minutes_url: str
    task_uuid: str


class RecordUrlsReply(_Body):
    """QueryRecordMinutesUrl response."""

    record_minutes_urls: list[RecordUrlView]


class DocumentUrlReply(_Body):
    """GenerateFlashMinutesDocumentUrl response."""

    minutes_doc_url: str


class ChapterIn(_Body):
    """A chapter set through the control API."""

    headline: str
    summary: str
    start: int = 0
    end: int = 0


class SummaryBody(_Body, forbid_unknown_fields=True):
    """Control API: summary parts set explicitly (each wins over the derived one)."""

    full_summary: str | None = None
    paragraph_summary: str | None = None
    keywords: list[str] | None = None
    actions: list[str] | None = None
    chapters: list[ChapterIn] | None = None
    status: int | None = None
