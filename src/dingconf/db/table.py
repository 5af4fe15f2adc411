"""The declaration of a table: its name and columns, written once by the feature owning it."""

from typing import NamedTuple

__all__ = ["Table"]


class Table(NamedTuple):
    """A table's columns in their one order, as a feature declares them.

    The same declaration builds the feature's SELECT and INSERT lists and
    carries the table in and out of a state document (control.state_tables).
    """

    name: str
    #: Its key in an organisation of a state document.
    key: str
    columns: tuple[str, ...]
    primary_key: tuple[str, ...]
    #: True: rows hang off a meeting (``conference_id``); False: carry ``corp_id``.
    by_conference: bool
