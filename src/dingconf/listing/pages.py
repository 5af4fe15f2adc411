"""Pages of an organisation's meetings, with totals that cost nothing per page."""

from collections import OrderedDict

from dingconf.core.records import Conference
from dingconf.db.snapshot import SnapshotCache
from dingconf.db.store import Store
from dingconf.listing.records import ConferenceFilter
from dingconf.listing.tables import ListingTables, OrgListing

__all__ = ["ConferencePages"]


class ConferencePages:
    """One process's pages of org meeting listings and their totals.

    A status-only listing's total is the organisation's count, kept by the
    writes. Any other is counted (a COUNT over 100,000 meetings takes ~12 ms)
    once per listing generation: the total stays valid through every join
    and leave, and is void as soon as any process commits a change to what
    the listing holds.
    """

    def __init__(self, store: Store, limit: int = 1_000) -> None:
        """Pages read from ``store``; its commits in this process forget the rows kept."""
        self._store = store
        self._limit = limit
        self._totals: OrderedDict[tuple[str, ConferenceFilter], tuple[int, int]] = OrderedDict()
        # The organisations' rows, re-read once anything commits.
        self._listings: SnapshotCache[str, OrgListing] = SnapshotCache(limit)
        store.on_commit(self._listings.clear)

    async def page(
        self,
        corp_id: str,
        where: ConferenceFilter,
        offset: int,
        limit: int,
        after: tuple[int, str] | None = None,
    ) -> tuple[list[Conference], int]:
        """One page of ``corp_id``'s meetings matching ``where``, by startTime, and how
        many match in all, cut by the database.

        ``after`` is the ``(startTime, conferenceId)`` the previous page ended
        with: the page then starts right after it, found through the index,
        and ``offset`` is not skipped.
        """
        tables = ListingTables(self._store.reader)
        window = (0 if after else offset, limit)
        page = await tables.list_conferences(corp_id, where, window, after)
        return page, await self._total(tables, corp_id, where)

    async def _total(self, tables: ListingTables, corp_id: str, where: ConferenceFilter) -> int:
        """How many meetings of ``corp_id`` match ``where``."""
        # The generation is read before counting: a total kept under a
        # generation is then never older than that generation's writes.
        marker = await self._store.change_marker()
        listing = self._listings.get(marker, corp_id)
        if listing is None:
            listing = await tables.org_listing(corp_id)
            self._listings.keep(marker, corp_id, listing)
        if where.status is not None and where == ConferenceFilter(status=where.status):
            return listing.counts[where.status]
        generation = listing.generation
        key = (corp_id, where)
        kept = self._totals.get(key)
        if kept is not None and kept[0] == generation:
            self._totals.move_to_end(key)
            return kept[1]
        total = await tables.count_conferences(corp_id, where)
        if len(self._totals) >= self._limit and key not in self._totals:
            self._totals.popitem(last=False)
        self._totals[key] = (generation, total)
        return total
