"""Naming the closest valid value when a name given is unknown (a typo, most likely)."""

import difflib
from collections.abc import Collection, Iterable

__all__ = ["close_lengths", "closest", "closest_route", "did_you_mean"]

#: Up to this many valid values are listed when none is close to the one given.
_LISTED = 8


def close_lengths(value: str) -> tuple[int, int]:
    """The shortest and longest a value close to ``value`` can be: any other length
    fails difflib's first test (twice the shorter length over both lengths at
    least 0.6, its cutoff), so no value of it is close."""
    n = len(value)
    return -(-3 * n // 7), 7 * n // 3


def closest(value: str, valid: Collection[str]) -> str | None:
    """The valid value closest to ``value``, if any is close (difflib's measure)."""
    shortest, longest = close_lengths(value)
    candidates = [v for v in valid if shortest <= len(v) <= longest]
    close = difflib.get_close_matches(value, candidates, n=1) if candidates else []
    return close[0] if close else None


def did_you_mean(value: str, valid: Collection[str]) -> str:
    """The end of an error message: `` (did you mean 'X'?)`` for the valid value
    closest to ``value``; when none is close, the valid values if they are few,
    else nothing."""
    near = closest(value, valid)
    if near is not None:
        return f" (did you mean {near!r}?)"
    if 0 < len(valid) <= _LISTED:
        return f" (one of {', '.join(repr(v) for v in sorted(valid))})"
    return ""


def _segments(path: str) -> list[str]:
    return path.strip("/").split("/")


def _fits(template: list[str], segments: list[str]) -> bool:
    """Whether ``segments`` is a path ``template`` (``{name}`` for any segment) describes."""
    return len(template) == len(segments) and all(
        t == s or (t.startswith("{") and t.endswith("}") and s != "")
        for t, s in zip(template, segments, strict=True)
    )


def _filled(template: list[str], segments: list[str]) -> str:
    """``template`` with each ``{name}`` given the request's segment there: only the
    literal parts of a route then tell it from the path asked for."""
    return "/" + "/".join(
        segments[i] if t.startswith("{") and i < len(segments) else t
        for i, t in enumerate(template)
    )


def closest_route(
    method: str, path: str, routes: Iterable[tuple[str, str]], same_method_first: bool = False
) -> tuple[str, str] | None:
    """The route (method, path template) closest to a request no route answers.

    A path some route describes, asked with another method, gets that route
    (the one with the most literal segments alike, then the first declared:
    ``GET /videoConferences/{conferenceId}`` before ``PUT`` on it); any other
    path, the route whose path is most alike (difflib's measure, 0.6 at
    least), the same method winning a tie (``same_method_first``: winning if
    close at all, as for a browser, which only ever GETs). None when nothing is close.
    """
    asked = _segments(path)
    fitting: list[tuple[int, str, str]] = []
    scored: list[tuple[float, bool, str, str]] = []
    for route_method, template in routes:
        parts = _segments(template)
        if _fits(parts, asked):
            fitting.append(
                (sum(t == s for t, s in zip(parts, asked, strict=True)), route_method, template)
            )
        ratio = difflib.SequenceMatcher(None, path, _filled(parts, asked)).ratio()
        scored.append((ratio, route_method == method, route_method, template))
    if fitting:  # the most literal segments alike; the first declared of equals
        _, route_method, template = max(fitting, key=lambda f: f[0])
        return route_method, template
    own = [s for s in scored if s[1] and s[0] >= _CUTOFF] if same_method_first else []
    best = max(own or scored, key=lambda s: (s[0], s[1]), default=None)
    if best is None or best[0] < _CUTOFF:
        return None
    return best[2], best[3]


#: difflib's own cut-off for "close".
_CUTOFF = 0.6
