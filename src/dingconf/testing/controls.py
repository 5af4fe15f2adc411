"""The pytest plugin's helpers for the simulated world: the clock, participants, events, state.

Reached as attributes of :class:`~dingconf.testing.plugin.DingconfServer`::

    server.participants.join(cid, "u-alice")
    server.clock.advance(60_000)
    server.events.wait_for("test-app", "meeting_member_status_change")
    server.state.reset()
"""

import time
import urllib.parse
from typing import Any

from dingconf.testing.toolkit import ControlHelper

__all__ = ["Clock", "Events", "Participants", "State"]


class Clock(ControlHelper):
    """The server's clock (``/_dingconf/clock``), the database's: every process on it moves."""

    def advance(self, ms: int) -> int:
        """Move the clock forward; return its new time (epoch ms)."""
        return self.move(advance_ms=ms)

    def move(
        self,
        *,
        advance_ms: int | None = None,
        set_ms: int | None = None,
        freeze: bool | None = None,
    ) -> int:
        """Advance, set (never backwards) and freeze or unfreeze the clock; return its time."""
        given = {"advanceMs": advance_ms, "setMs": set_ms, "freeze": freeze}
        body = {k: v for k, v in given.items() if v is not None}
        now: int = self._ok("POST", "/_dingconf/clock", body)["now"]
        return now


class Participants(ControlHelper):
    """People in meetings: joining, leaving, speaking, declining, their network."""

    def _post(self, conference_id: str, what: str, body: dict[str, Any]) -> Any:
        return self._ok("POST", f"/_dingconf/conferences/{conference_id}/{what}", body)

    def join(
        self,
        conference_id: str,
        union_id: str,
        nick: str | None = None,
        *,
        device_type: str | None = None,
        version: str | None = None,
        camera_on: bool | None = None,
        samples: list[dict[str, int]] | None = None,
        outsider: bool = False,
    ) -> None:
        """A participant joins a meeting, from a client when any client field is given.

        ``samples`` are network samples (``atMs`` or ``offsetMs``, ``rtt``,
        ``lossRate``, ``jitter``, ``sendBitRate``, ``recvBitRate``); the server
        fills in what is left out, and records one default sample when None.
        An unknown unionId close to a user's is refused as a typo unless
        ``outsider`` says it is someone from outside the organisation.
        """
        body: dict[str, Any] = {"unionId": union_id} | ({"nick": nick} if nick else {})
        if outsider:
            body["outsider"] = True
        given = {"deviceType": device_type, "version": version, "cameraOn": camera_on}
        device: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        if samples is not None:
            device["samples"] = samples
        if device:
            body["device"] = device
        self._post(conference_id, "join", body)

    def leave(self, conference_id: str, union_id: str) -> None:
        """A participant leaves a meeting."""
        self._post(conference_id, "leave", {"unionId": union_id})

    def say(
        self, conference_id: str, union_id: str, text: str, offset_ms: int | None = None
    ) -> dict[str, Any]:
        """A participant inside the meeting says ``text``, now or ``offset_ms`` after its start.

        Returns the stored utterance (``seq``, ``unionId``, ``nick``, ``text``, ``time``).
        """
        body: dict[str, Any] = {"unionId": union_id, "text": text}
        if offset_ms is not None:
            body["offsetMs"] = offset_ms
        said: dict[str, Any] = self._post(conference_id, "say", body)
        return said

    def report_network(
        self, conference_id: str, union_id: str, samples: list[dict[str, int]]
    ) -> None:
        """A participant's client reports network samples (as :meth:`join` takes them)."""
        self._post(conference_id, "network", {"unionId": union_id, "samples": samples})

    def decline(self, conference_id: str, union_id: str, reason: str | None = None) -> None:
        """An invitee declines the call ringing them."""
        body = {"unionId": union_id} | ({"reason": reason} if reason else {})
        self._post(conference_id, "decline", body)


class Events(ControlHelper):
    """Events owed to apps (``/_dingconf/events``): call it to list an app's events."""

    def __call__(self, app_key: str, state: str | None = None) -> list[dict[str, Any]]:
        """An app's events with their delivery state and attempts (every page)."""
        found: list[dict[str, Any]] = []
        token = ""
        while True:
            params = {"appKey": app_key, "nextToken": token} | ({"state": state} if state else {})
            page = self._ok("GET", f"/_dingconf/events?{urllib.parse.urlencode(params)}")
            found += page["events"]
            token = page["nextToken"]
            if not token:
                return found

    def wait_for(
        self,
        app_key: str,
        event_type: str,
        *,
        change_scene: str | None = None,
        state: str | None = None,
        timeout_s: float = 10,
    ) -> dict[str, Any]:
        """The first event of ``event_type`` (and ``changeScene``) for an app, once it exists.

        ``state`` waits until it is ``delivered``, ``pending`` or ``dead``.
        """
        deadline = time.monotonic() + timeout_s
        while True:
            for event in self(app_key, state):
                scene = event["data"].get("changeScene")
                if event["eventType"] == event_type and change_scene in (None, scene):
                    return event
            if time.monotonic() >= deadline:
                raise AssertionError(f"no {event_type} ({change_scene}) event for {app_key}")
            time.sleep(0.05)


class State(ControlHelper):
    """The whole state (``/_dingconf/state``, docs/state-format.md) and the reset to the seed."""

    def reset(self, corp_id: str | None = None) -> None:
        """Go back to the seed the server started with (every organisation, or one)."""
        self._ok("POST", "/_dingconf/reset", {"corpId": corp_id} if corp_id else {})

    def export(self, corp_id: str | None = None) -> dict[str, Any]:
        """The state document of everything, or of one organisation."""
        query = f"?corpId={urllib.parse.quote(corp_id)}" if corp_id else ""
        document: dict[str, Any] = self._ok("GET", f"/_dingconf/state{query}")
        return document

    def load(self, document: dict[str, Any]) -> None:
        """Import a state document; its organisations replace those with the same corpId."""
        self._ok("PUT", "/_dingconf/state", document)
