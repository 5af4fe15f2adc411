"""The declaration of a table whose rows belong to one organisation."""

from typing import NamedTuple

__all__ = ["Table"]


class Table(NamedTuple):
    """A table whose rows belong to one organisation."""

    name: str
    #: Its key in an organisation of the document.
    key: str
    columns: tuple[str, ...]
    primary_key: tuple[str, ...]
    #: True: rows hang off a meeting (``conference_id``); False: carry ``corp_id``.
    by_conference: bool
