"""Numbers a client writes: ASCII digits only, and few enough to be a number we keep.

``str.isdigit()`` admits superscripts and other scripts' digits ("²", "١"),
which ``int()`` then refuses with ValueError (or reads as a number nobody
wrote), and ``int()`` raises past 4,300 digits. Every integer parsed from a
client's text (a paging token, a signed link's expiry, a room code) is read
here instead, so none of these reaches the caller as a 500.
"""

__all__ = ["MAX_DIGITS", "ascii_digits", "digits_value"]

#: Digits of the largest value read here: every one fits a signed 64-bit integer.
MAX_DIGITS = 18


def ascii_digits(text: str) -> bool:
    """Whether ``text`` is one or more ASCII digits (and nothing else)."""
    return text.isascii() and text.isdigit()


def digits_value(text: str, max_digits: int = MAX_DIGITS) -> int | None:
    """The non-negative integer ``text`` spells in at most ``max_digits`` ASCII
    digits; None for anything else."""
    if len(text) <= max_digits and ascii_digits(text):
        return int(text)
    return None
