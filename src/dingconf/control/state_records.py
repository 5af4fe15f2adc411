"""Dumps of whole organisations (the test toolkit's state documents)."""

from typing import Any

__all__ = ["StateDump"]

#: ``{"orgs": [...], "suites": [...]}`` as the store reads and loads it: each org
#: a mapping with ``corpId``, ``name`` and one list of rows per table, each row
#: a mapping of column name to text, integer or null (docs/state-format.md).
StateDump = dict[str, Any]
