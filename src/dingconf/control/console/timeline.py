"""A meeting's timeline and who speaks now, for the web console, derived from what
the store keeps.

Nothing is recorded for the console's sake: joins and leaves come from the
stays (sessions), kicks from the members' state, recording and minutes from
their spans, lines from the utterances, and events from the outbox.

Speech has no duration of its own: an utterance lasts its words, each
:data:`~dingconf.content.transcript.WORD_MS` from the moment it was said (one
word at least per sentence), as QueryCloudRecordText and the minutes time it.
A person speaks now while one of their utterances lasts and they are inside.
"""

from collections import defaultdict
from collections.abc import Iterable

from dingconf.analytics.records import SessionRecord
from dingconf.content.records import Span, Utterance
from dingconf.content.service import MAX_TEXT
from dingconf.content.transcript import WORD_MS, sentences_of, words_of
from dingconf.control.console.records import Speaker, TimelineEntry
from dingconf.core.records import AttendStatus, Conference, Participant
from dingconf.events.records import Delivery
from dingconf.minutes.records import MINUTES_PAUSED
from dingconf.recording.service import PAUSED

__all__ = ["LONGEST_SPEECH_MS", "speaking", "speech_ms", "timeline"]

#: No utterance lasts longer: each character is at most one word.
LONGEST_SPEECH_MS = MAX_TEXT * WORD_MS

# Kinds sorted this way when two things happen in the same millisecond: the
# meeting starts before anyone joins, and people leave before it ends.
_ORDER = {
    k: i
    for i, k in enumerate(
        ("start", "join", "record", "minutes", "say", "leave", "kick", "end", "event")
    )
}


def _stays(
    conference: Conference, members: list[Participant], sessions: list[SessionRecord]
) -> list[TimelineEntry]:
    """Joins and leaves; a leave that was a kick (same time as the member's) says so."""
    kicked_at = {
        m.union_id: m.leave_ms
        for m in members
        if m.attend_status == AttendStatus.KICKED and m.leave_ms is not None
    }
    entries: list[TimelineEntry] = []
    for s in sessions:
        device = f"{s.device.device_type} {s.device.version}"
        who = f"{s.nick} ({s.union_id})"
        entries.append(TimelineEntry(s.join_ms, "join", f"{who} joined from {device}", s.union_id))
        if s.leave_ms is None:
            continue
        if kicked_at.get(s.union_id) == s.leave_ms:
            entries.append(TimelineEntry(s.leave_ms, "kick", f"{who} was removed", s.union_id))
        elif s.leave_ms == conference.end_time_ms:
            text = f"{who} left as the meeting closed"
            entries.append(TimelineEntry(s.leave_ms, "leave", text, s.union_id))
        else:
            entries.append(TimelineEntry(s.leave_ms, "leave", f"{who} left", s.union_id))
    return entries


def _spans(spans: list[Span], kind: str, label: str, paused: bool) -> list[TimelineEntry]:
    """Starts, pauses, resumptions and stops of the recording's (or minutes') takes.

    A take's last span closed when it stopped, unless the take is the latest and
    is ``paused`` now (every span of a paused take is closed).
    """
    takes: dict[int, list[Span]] = defaultdict(list)
    for s in spans:
        takes[s.take].append(s)
    latest = max(takes, default=0)
    entries: list[TimelineEntry] = []
    for take, parts in takes.items():
        for i, s in enumerate(parts):
            verb = "started" if i == 0 else "resumed"
            text = f"{label} {verb} by {s.owner} (take {take})"
            entries.append(TimelineEntry(s.start_ms, kind, text, s.owner))
            if s.end_ms is not None:
                last = i == len(parts) - 1
                stopped = last and not (paused and take == latest)
                ended = "stopped" if stopped else "paused"
                entries.append(TimelineEntry(s.end_ms, kind, f"{label} {ended} (take {take})"))
    return entries


def _events(deliveries: list[Delivery]) -> list[TimelineEntry]:
    """One entry per statusSeqNum: each event of that change (org-wide, and the
    ``_target_push`` one to the creating app), the apps it went to, how each stands."""
    by_seq: dict[int, dict[str, list[Delivery]]] = defaultdict(lambda: defaultdict(list))
    for d in deliveries:
        by_seq[d.event.seq][d.event.event_type].append(d)
    entries = []
    for seq, by_type in by_seq.items():
        parts = [
            f"{event_type} → " + ", ".join(f"{d.app_key} ({d.state})" for d in sent)
            for event_type, sent in by_type.items()
        ]
        born = min(d.event.born_ms for sent in by_type.values() for d in sent)
        entries.append(TimelineEntry(born, "event", f"Event #{seq}: " + "; ".join(parts)))
    return entries


def timeline(
    conference: Conference,
    members: list[Participant],
    sessions: list[SessionRecord],
    record_spans: list[Span],
    minutes_spans: list[Span],
    utterances: list[Utterance],
    deliveries: list[Delivery],
) -> tuple[TimelineEntry, ...]:
    """Everything that happened in the meeting, oldest first."""
    entries = [TimelineEntry(conference.start_time_ms, "start", "Meeting started")]
    entries += _stays(conference, members, sessions)
    entries += _spans(record_spans, "record", "Recording", conference.cloud_record_status == PAUSED)
    entries += _spans(
        minutes_spans, "minutes", "Minutes", conference.minutes_status == MINUTES_PAUSED
    )
    entries += [
        TimelineEntry(u.at_ms, "say", f"{u.nick} ({u.union_id}) said: {u.text}", u.union_id)
        for u in utterances
    ]
    entries += _events(deliveries)
    if conference.end_time_ms is not None:
        entries.append(TimelineEntry(conference.end_time_ms, "end", "Meeting closed"))
    return tuple(sorted(entries, key=lambda t: (t.at_ms, _ORDER[t.kind])))


def speech_ms(text: str) -> int:
    """How long saying ``text`` takes, as the transcripts time its words."""
    return WORD_MS * sum(len(words_of(s)) or 1 for s in sentences_of(text))


def speaking(utterances: Iterable[Utterance], inside: set[str], now_ms: int) -> list[Speaker]:
    """Each person of ``inside`` saying something at ``now_ms``, in the order they started."""
    found: dict[str, str] = {}
    for u in sorted(utterances, key=lambda u: (u.at_ms, u.seq)):
        if u.union_id in inside and u.at_ms <= now_ms < u.at_ms + speech_ms(u.text):
            found.setdefault(u.union_id, u.nick)
    return [Speaker(union_id, nick) for union_id, nick in found.items()]
