"""Naming the closest valid value when a name given is unknown (a typo, most likely)."""

import difflib
from collections.abc import Collection

__all__ = ["closest", "did_you_mean"]

#: Up to this many valid values are listed when none is close to the one given.
_LISTED = 8


def closest(value: str, valid: Collection[str]) -> str | None:
    """The valid value closest to ``value``, if any is close (difflib's measure)."""
    close = difflib.get_close_matches(value, list(valid), n=1)
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
