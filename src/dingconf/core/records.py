"""Plain, immutable records: what the store returns and the services reason about.

The records every request builds are NamedTuples: as immutable as frozen
dataclasses but about seven times cheaper to build. Bookings, read far less
often, are frozen dataclasses.
"""

from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple

__all__ = [
    "App",
    "AttendStatus",
    "Booking",
    "BookingSettings",
    "Conference",
    "ConferenceStatus",
    "ExtensionApp",
    "Invitation",
    "Org",
    "Participant",
    "Principal",
    "Suite",
    "TokenRecord",
    "User",
]


#: ``(union_id, nick)`` of one invitee.
Invitation = tuple[str, str]


class ConferenceStatus(IntEnum):
    """``confInfo.status`` (spec §6): 0 initialised, 1 ended, 2 started."""

    INITIALISED = 0
    ENDED = 1
    STARTED = 2


class AttendStatus(IntEnum):
    """A member's ``attendStatus`` (spec §4.5.1)."""

    INITIALISED = 1
    CALLING = 2
    ACTIVE = 3
    JOIN_FAILED = 4
    KICKED = 5
    LEFT = 6


class Org(NamedTuple):
    """An organisation (a DingTalk corp)."""

    corp_id: str
    name: str


class User(NamedTuple):
    """A person in an organisation, known by ``unionId``."""

    corp_id: str
    union_id: str
    nick: str
    user_id: str | None = None
    job_number: str | None = None
    #: The person's department (GetHistoryConfDataList ``deptName``).
    dept_name: str | None = None


class App(NamedTuple):
    """An internal app of one organisation; its secret is stored only as a hash."""

    app_key: str
    corp_id: str
    secret_hash: str
    scopes: frozenset[str]


class Suite(NamedTuple):
    """A third-party app (suite) and the organisations that authorised it."""

    suite_key: str
    secret_hash: str
    scopes: frozenset[str]
    authorized_corps: frozenset[str]


class TokenRecord(NamedTuple):
    """A stored access token: its hash, who it acts for, and when it expires."""

    token_hash: str
    client_kind: str  # "app" or "suite"
    client_key: str
    corp_id: str
    expires_at_ms: int
    #: Random input from which an internal app's token is re-derived (see auth.service).
    nonce: str


class Principal(NamedTuple):
    """Who is calling: the organisation, the app, and the scopes it holds now."""

    corp_id: str
    client_key: str
    scopes: frozenset[str]


class ExtensionApp(NamedTuple):
    """A meeting-level extension ("cool") app setting (spec §6).

    ``client_id`` is the key of the app that set it (QueryScheduleConfSettings'
    ``clientId``); QueryConferenceInfo's ``appId`` is that app's AgentId
    (:func:`dingconf.core.ids.agent_id`).
    """

    app_code: str
    client_id: str
    auto_open_mode: int
    biz_data: str


class Conference(NamedTuple):
    """One meeting instance, with the counters kept in step with its participants."""

    conference_id: str
    corp_id: str
    title: str
    biz_type: str
    status: ConferenceStatus
    room_code: str
    external_link_url: str
    creator_id: str
    creator_nick: str
    host_id: str
    start_time_ms: int
    end_time_ms: int | None
    schedule_conference_id: str | None
    active_num: int
    attend_num: int
    invited_num: int
    cloud_record_status: int
    cloud_record_owner: str | None
    extension_apps: tuple[ExtensionApp, ...]
    #: In-meeting controls (spec §4.5): co-hosts, lock, mute-all (0 off, 1 on, 2 forced).
    cohost_ids: tuple[str, ...] = ()
    locked: bool = False
    mute_all: int = 0
    internal_only: bool = False
    #: Recording auto-start copied from a booking: the trigger type (spec §4.4.1
    #: ``recordAutoStartType``), or None when off, and the recording's owner.
    auto_record_type: int | None = None
    auto_record_owner: str | None = None
    #: Minutes (闪记): ``minutesStatus`` (minutes.records) and the owner of the latest start.
    minutes_status: int = 0
    minutes_owner: str | None = None

    @property
    def ended(self) -> bool:
        """The meeting has ended (closed, or its last member left a booked one)."""
        return self.status == ConferenceStatus.ENDED

    @property
    def ended_at_ms(self) -> int | None:
        """When the meeting ended; None while it has not."""
        return self.end_time_ms if self.status == ConferenceStatus.ENDED else None


class Participant(NamedTuple):
    """A member of a meeting and their current state."""

    conference_id: str
    union_id: str
    nick: str
    attend_status: AttendStatus
    first_join_ms: int | None
    last_join_ms: int | None
    leave_ms: int | None
    duration_ms: int
    muted: bool = False
    rejoin_forbidden: bool = False
    #: Not a user of the meeting's organisation (``outerOrgMember``).
    outer_org: bool = False
    #: The organisation's job number of the person, when they are a user of it.
    job_number: str | None = None
    #: Why an invitee declined the call, if they said (``rejectDescription``).
    reject_description: str | None = None


@dataclass(frozen=True, slots=True)
class BookingSettings:
    """``scheduleConfSettingModel`` of a booking (spec §4.4.1); None = not set."""

    host_id: str | None = None
    cohost_ids: tuple[str, ...] | None = None
    conf_allowed_corp_id: str | None = None
    lock_room: int | None = None
    mute_on_join: int | None = None
    screen_share_forbidden: int | None = None
    waiting_room: int | None = None
    join_before_host: int | None = None
    enable_chat: int | None = None
    lock_nick: int | None = None
    lock_media_status_mic_mute: int | None = None
    enable_web_anonymous_join: bool | None = None
    extension_apps: tuple[ExtensionApp, ...] | None = None
    cloud_record_owner: str | None = None
    minutes_owner: str | None = None
    minutes_summary_template_type: str | None = None
    record_auto_start: int | None = None
    record_auto_start_type: int | None = None
    record_mode: str | None = None
    record_restrict_share_summary: int | None = None
    #: ``aiAgentSummarySetting``: ``value``, ``receiverType``,
    #: ``allowAllParticipantsStart``, ``restrictShareMinutesSummaryOnly``.
    ai_summary: str | None = None
    ai_receiver_type: int | None = None
    ai_allow_all_start: int | None = None
    ai_restrict_share_summary: int | None = None


@dataclass(frozen=True, slots=True)
class Booking:
    """A booked ("scheduled") meeting: it owns a roomCode and its meeting instances."""

    schedule_conference_id: str
    corp_id: str
    creator_id: str
    title: str
    start_time_ms: int
    end_time_ms: int
    room_code: str
    url: str
    cancelled: bool
    settings: BookingSettings
