"""The values a booking's settings may take: the lists on DingTalk's pages.

``create-appointment-meeting`` and ``api-updatescheduleconfsettings`` list
them for every enumerated field; a value outside its list is refused (with
each API's parameter error) rather than stored.
"""

from collections.abc import Iterator

from dingconf.core.records import BookingSettings

__all__ = ["bad_setting"]

_OFF_ON = (0, 1)
#: Recording layouts (``moziConfOpenRecordSetting.mode``).
_RECORD_MODES = (
    "grid",
    "speech",
    "full_screen",
    "auto_grid",
    "screen_cast",
    "p2p",
    "full_screen_and_speaker",
)

#: Field of :class:`BookingSettings`, its wire name, its allowed values.
_LISTS: tuple[tuple[str, str, tuple[object, ...]], ...] = (
    ("lock_room", "lockRoom", _OFF_ON),
    ("screen_share_forbidden", "screenShareForbidden", _OFF_ON),
    ("mute_on_join", "muteOnJoin", (-1, 0, 6)),
    # The create page lists 1 on / 2 off (its own example sends 0), the update
    # and query pages 0 off / 1 on: each is accepted.
    ("waiting_room", "waitingRoom", (0, 1, 2)),
    ("join_before_host", "joinBeforeHost", _OFF_ON),
    ("enable_chat", "enableChat", _OFF_ON),
    ("lock_nick", "lockNick", _OFF_ON),
    ("lock_media_status_mic_mute", "lockMediaStatusMicMute", _OFF_ON),
    ("minutes_summary_template_type", "minutesSummaryTemplateType", ("0", "1")),
    ("record_auto_start", "recordAutoStart", _OFF_ON),
    ("record_auto_start_type", "recordAutoStartType", (0, 1, 2)),
    ("record_mode", "mode", _RECORD_MODES),
    ("record_restrict_share_summary", "restrictShareMinutesSummaryOnly", _OFF_ON),
    ("ai_summary", "aiAgentSummarySetting.value", ("disable", "enable")),
    ("ai_receiver_type", "receiverType", _OFF_ON),
    ("ai_allow_all_start", "allowAllParticipantsStart", _OFF_ON),
    ("ai_restrict_share_summary", "aiAgentSummarySetting.restrictShareMinutesSummaryOnly", _OFF_ON),
)


def _problems(settings: BookingSettings) -> Iterator[str]:
    for field, name, allowed in _LISTS:
        value = getattr(settings, field)
        if value is not None and value not in allowed:
            yield f"{name} must be one of {', '.join(map(str, allowed))}"
    for app in settings.extension_apps or ():
        if app.auto_open_mode not in (0, 1, 2):
            yield "autoOpenMode must be one of 0, 1, 2"


def bad_setting(settings: BookingSettings) -> str | None:
    """Why ``settings`` cannot be stored (the first value outside its list), or None."""
    return next(_problems(settings), None)
