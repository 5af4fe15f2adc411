"""The minutes' summary and document, derived from what was said (pure functions).

Summaries are bounded: at most :data:`SUMMARY_ITEMS` items per list and
:data:`SUMMARY_TEXT` characters per text. Parts set through the control API
(``explicit``) win over the derived ones, bounded alike.
"""

from dataclasses import dataclass
from typing import Any, NamedTuple

from dingconf.core.records import Conference
from dingconf.minutes import derive
from dingconf.minutes.records import MINUTES_RUNNING

__all__ = [
    "SUMMARY_ITEMS",
    "SUMMARY_TEXT",
    "SUMMARY_TYPES",
    "ActionItem",
    "MinutesSummary",
    "document",
    "summarise",
]

#: ``summaryTypeList`` values (QueryMinutesSummary), named after the answer's parts.
SUMMARY_TYPES = (
    "actions",
    "autoChapters",
    "conversationalSummary",
    "keySentences",
    "keywords",
    "paragraphSummary",
    "questionsAnsweringSummary",
)
#: A summary's bounds (DingTalk documents none): items per list, characters per text.
SUMMARY_ITEMS, SUMMARY_TEXT = 100, 500


class ActionItem(NamedTuple):
    """A todo of the minutes; explicit ones (control API) point at no sentence (0)."""

    action_id: int
    text: str
    sentence_id: int
    start_ms: int
    end_ms: int


@dataclass(frozen=True, slots=True)
class MinutesSummary:
    """Every part of the minutes' summary, explicit parts already applied."""

    status: int
    paragraph: str
    full: str
    keywords: list[str]
    actions: list[ActionItem]
    chapters: list[derive.Chapter]
    key_sentences: list[derive.Sentence]
    conversational: list[tuple[str, str, str]]
    questions: list[tuple[derive.Sentence, derive.Sentence]]


def _chapter(i: int, raw: dict[str, Any]) -> derive.Chapter:
    return derive.Chapter(
        i + 1,
        str(raw.get("headline", "")),
        str(raw.get("summary", "")),
        int(raw.get("start", 0)),
        int(raw.get("end", 0)),
    )


def document(conference: Conference, explicit: dict[str, Any], said: list[derive.Sentence]) -> str:
    """The minutes as a Markdown document: summary, chapters, actions, transcript."""
    return _markdown(conference, summarise(conference, explicit, said), said)


def _clip(text: str) -> str:
    return text if len(text) <= SUMMARY_TEXT else text[: SUMMARY_TEXT - 1] + "…"


def summarise(
    conference: Conference, explicit: dict[str, Any], said: list[derive.Sentence]
) -> MinutesSummary:
    """The summary of ``said``; the parts set explicitly (``explicit``) win."""
    actions = [
        ActionItem(i + 1, s.text, s.sentence_id, s.start_ms, s.end_ms)
        for i, s in enumerate(derive.actions(said))
    ]
    if "actions" in explicit:
        actions = [ActionItem(i + 1, str(t), 0, 0, 0) for i, t in enumerate(explicit["actions"])]
    chapters = derive.chapters(derive.paragraphs(said))
    if "chapters" in explicit:
        chapters = [_chapter(i, c) for i, c in enumerate(explicit["chapters"])]
    derived = derive.keywords(s.text for s in said)
    paragraph = str(explicit.get("paragraphSummary", derive.summary_text(said, derived)))
    keywords = explicit.get("keywords", derived)
    running = conference.minutes_status == MINUTES_RUNNING
    top = SUMMARY_ITEMS
    return MinutesSummary(
        status=int(explicit.get("status", 1 if running else 2)),
        paragraph=_clip(paragraph),
        full=_clip(str(explicit.get("fullSummary", paragraph))),
        keywords=[_clip(str(k)) for k in keywords[:top]],
        actions=[a._replace(text=_clip(a.text)) for a in actions[:top]],
        chapters=[
            c._replace(headline=_clip(c.headline), summary=_clip(c.summary)) for c in chapters[:top]
        ],
        key_sentences=[
            s._replace(text=_clip(s.text)) for s in derive.key_sentences(said, top_terms=derived)
        ],
        conversational=[
            (uid, nick, _clip(f"{nick}: " + " ".join(s.text for s in lines)))
            for uid, nick, lines in derive.speakers(said)[:top]
        ],
        questions=[
            (q._replace(text=_clip(q.text)), a._replace(text=_clip(a.text)))
            for q, a in derive.questions(said)[:top]
        ],
    )


def _clock_text(offset_ms: int) -> str:
    seconds = max(0, offset_ms) // 1000
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _markdown(conference: Conference, summary: MinutesSummary, said: list[derive.Sentence]) -> str:
    origin = said[0].start_ms if said else 0
    lines = [f"# {conference.title}: minutes", "", "## Summary", "", summary.full]
    lines += ["", "## Keywords", "", ", ".join(summary.keywords) or "-"]
    lines += ["", "## Chapters", ""]
    lines += [f"- **{c.headline}**: {c.summary}" for c in summary.chapters] or ["- none"]
    lines += ["", "## Actions", ""]
    lines += [f"- [ ] {a.text}" for a in summary.actions] or ["- none"]
    lines += ["", "## Transcript", ""]
    lines += [f"**{s.nick}** ({_clock_text(s.start_ms - origin)}): {s.text}" for s in said]
    return "\n".join(lines) + "\n"
