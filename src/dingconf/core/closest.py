"""Naming the closest valid value when a name given is unknown (a typo, most likely)."""

import difflib
from collections.abc import Collection

__all__ = ["close_lengths", "closest", "did_you_mean"]

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
