"""The test toolkit's state: reset to the baseline, export and import, fresh organisations.

The *baseline* is a state document stored in the database when a server
starts with a seed (or an imported document), so every process sharing the
database resets to the same thing; it holds secret hashes, never secrets.
State documents are described in docs/state-format.md.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dingconf.auth.provisioning import DEFAULT_SCOPES, ProvisioningService
from dingconf.auth.tables import OrgTables
from dingconf.control.state_records import StateDump
from dingconf.control.state_tables import ORG_TABLES, StateTables
from dingconf.core import errors
from dingconf.core.rng import random_hex, random_urlsafe
from dingconf.db.store import RoomCodeTaken, StorageUnavailable, Store

__all__ = ["FORMAT", "VERSION", "NewOrg", "StateService"]

FORMAT = "dingconf-state"
VERSION = 1

#: The users of a fresh organisation when none are asked for.
_DEFAULT_USERS = (("u-host", "Host"), ("u-alice", "Alice"), ("u-bob", "Bob"), ("u-carol", "Carol"))
#: What a baseline without meetings keeps of each organisation.
_ACCOUNT_KEYS = ("corpId", "name", "users", "apps")


@dataclass(frozen=True, slots=True)
class NewOrg:
    """A fresh organisation; the app's secret is known only here."""

    corp_id: str
    name: str
    app_key: str
    app_secret: str
    scopes: tuple[str, ...]
    users: tuple[tuple[str, str], ...]


def _scalar_rows(rows: object, where: str) -> None:
    if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
        raise errors.invalid_state(f"{where} must be a list of objects")
    for row in rows:
        for column, value in row.items():
            if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
                raise errors.invalid_state(
                    f"{where}: {column} must be a string, an integer or null"
                )


def _check_columns(dump: StateDump) -> None:
    """Refuse, before anything is written, a key that names no table or column.

    Raises:
        ValueError: naming the organisation and the keys.
    """
    known = {t.key: frozenset(t.columns) for t in ORG_TABLES}
    for org in dump["orgs"]:
        corp_id = org["corpId"]
        unknown = set(org) - {"corpId", "name", *known}
        if unknown:
            raise ValueError(f"{corp_id}: unknown keys {sorted(unknown)}")
        for key, columns in known.items():
            for row in org.get(key, []):
                if set(row) - columns:
                    raise ValueError(
                        f"{corp_id}.{key}: unknown columns {sorted(set(row) - columns)}"
                    )


def parse_document(document: object) -> StateDump:
    """The dump inside a state document, its envelope and shapes checked.

    Raises:
        InvalidRequest: ``invalidState`` naming what is wrong.
    """
    if not isinstance(document, Mapping):
        raise errors.invalid_state("a state document is a JSON object")
    if document.get("format") != FORMAT:
        raise errors.invalid_state(f'"format" must be "{FORMAT}"')
    if document.get("version") != VERSION:
        raise errors.invalid_state(
            f'"version" {document.get("version")!r} is not supported (only {VERSION})'
        )
    orgs, suites = document.get("orgs", []), document.get("suites", [])
    if not isinstance(orgs, list) or not isinstance(suites, list):
        raise errors.invalid_state('"orgs" and "suites" must be lists')
    seen: set[str] = set()
    for i, org in enumerate(orgs):
        if not isinstance(org, Mapping) or not isinstance(org.get("corpId"), str):
            raise errors.invalid_state(f"orgs[{i}] must be an object with a corpId")
        if org["corpId"] in seen or not org["corpId"]:
            raise errors.invalid_state(f"orgs[{i}]: corpId {org['corpId']!r} is empty or repeated")
        seen.add(org["corpId"])
        if not isinstance(org.get("name"), str):
            raise errors.invalid_state(f"orgs[{i}]: name must be a string")
        for key, rows in org.items():
            if key not in ("corpId", "name"):
                _scalar_rows(rows, f"orgs[{i}].{key}")
    _scalar_rows([{k: v for k, v in s.items() if k != "corps"} for s in suites], "suites")
    for i, suite in enumerate(suites):
        corps = suite.get("corps", [])
        if not isinstance(corps, list) or not all(isinstance(c, str) for c in corps):
            raise errors.invalid_state(f"suites[{i}].corps must be a list of corpIds")
        if not all(isinstance(suite.get(k), str) for k in ("suite_key", "secret_hash", "scopes")):
            raise errors.invalid_state(f"suites[{i}] needs suite_key, secret_hash and scopes")
    return {"orgs": [dict(o) for o in orgs], "suites": [dict(s) for s in suites]}


def _document(dump: StateDump) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, **dump}


class StateService:
    """Reset, export, import, and organisations made for one test."""

    def __init__(self, store: Store, provisioning: ProvisioningService) -> None:
        self._store = store
        self._provisioning = provisioning

    async def export(self, corp_id: str | None = None) -> dict[str, Any]:
        """The state document of every organisation, or of ``corp_id``'s.

        Raises:
            InvalidRequest: ``unknownOrg`` for an organisation that does not exist.
        """
        if corp_id is not None and await OrgTables(self._store.reader).get_org(corp_id) is None:
            raise errors.unknown_org(f"no organisation {corp_id!r}")
        return _document(await StateTables(self._store.reader).dump_state(corp_id))

    async def _load(self, dump: StateDump, corp_ids: list[str] | None, whole: bool) -> None:
        try:
            _check_columns(dump)
            async with self._store.write() as tx:
                state = StateTables(tx.conn)
                await state.delete_orgs(corp_ids)
                if whole:
                    await state.delete_suites()
                await state.load_state(dump, replace_suites=True)
        except ValueError as error:
            raise errors.invalid_state(str(error)) from error
        except (RoomCodeTaken, StorageUnavailable) as error:
            # A document that breaks the schema's rules (a missing NOT NULL column,
            # a row of a meeting it does not hold, a live roomCode used twice).
            raise errors.invalid_state(f"the database refused the document: {error}") from error

    async def import_state(self, document: object, *, replace_all: bool = False) -> int:
        """Load a state document; return how many organisations it held.

        The organisations it holds replace those with the same corpId, and its
        suites replace theirs; other organisations stay (all go when ``replace_all``).

        Raises:
            InvalidRequest: ``invalidState`` for a malformed document.
        """
        dump = parse_document(document)
        corp_ids = None if replace_all else [o["corpId"] for o in dump["orgs"]]
        await self._load(dump, corp_ids, replace_all)
        return len(dump["orgs"])

    async def capture_baseline(self, *, with_meetings: bool = False) -> None:
        """Store what the database holds now as the state a reset goes back to.

        Only organisations, users, apps and suites, unless ``with_meetings``.
        """
        dump = await StateTables(self._store.reader).dump_state(None)
        if not with_meetings:
            dump["orgs"] = [{k: o[k] for k in _ACCOUNT_KEYS} for o in dump["orgs"]]
        async with self._store.write() as tx:
            await StateTables(tx.conn).set_baseline(json.dumps(_document(dump), sort_keys=True))

    async def reset(self, corp_id: str | None = None) -> None:
        """Go back to the baseline: every organisation, or ``corp_id``'s alone.

        Everything of the organisations goes (meetings and all that hangs off
        them, bookings, tokens, users and apps added since) and the baseline's
        are loaded again. An organisation the baseline lacks is deleted.

        Raises:
            InvalidRequest: ``unknownOrg`` for an organisation neither in the
                database nor in the baseline; ``noBaseline`` before any was taken.
        """
        stored = await StateTables(self._store.reader).baseline()
        if stored is None:
            # Never taken (no server started on this database yet): resetting
            # would delete everything, surely not what was meant.
            raise errors.no_baseline()
        baseline = parse_document(json.loads(stored))
        if corp_id is None:
            await self._load(baseline, None, True)
            return
        orgs = [o for o in baseline["orgs"] if o["corpId"] == corp_id]
        if not orgs and await OrgTables(self._store.reader).get_org(corp_id) is None:
            raise errors.unknown_org(f"no organisation {corp_id!r}")
        suites = [
            {**s, "corps": [corp_id]} for s in baseline["suites"] if corp_id in s.get("corps", [])
        ]
        # Suites are shared: only this organisation's authorisations come back.
        try:
            _check_columns({"orgs": orgs, "suites": suites})
            async with self._store.write() as tx:
                state = StateTables(tx.conn)
                await state.delete_orgs([corp_id])
                await state.load_state({"orgs": orgs, "suites": suites}, replace_suites=False)
        except (ValueError, StorageUnavailable) as error:
            raise errors.invalid_state(f"the baseline cannot be loaded: {error}") from error

    async def create_org(
        self,
        corp_id: str | None = None,
        name: str | None = None,
        users: Sequence[tuple[str, str]] | None = None,
        app_key: str | None = None,
        scopes: Sequence[str] | None = None,
    ) -> NewOrg:
        """A new organisation with users and an internal app (Read and Write by default).

        Identifiers left out are generated. The app's secret is generated and
        answered once; only its hash is stored.

        Raises:
            InvalidRequest: ``paramError`` when the corpId or appKey is taken.
        """
        corp = corp_id or f"ding{random_hex(8)}"
        key = app_key or f"{corp}-app"
        if await OrgTables(self._store.reader).get_org(corp) is not None:
            raise errors.param_error(f"organisation {corp!r} exists")
        if await OrgTables(self._store.reader).get_app(key) is not None:
            raise errors.param_error(f"appKey {key!r} is taken")
        people = tuple(users) if users is not None else _DEFAULT_USERS
        granted = tuple(scopes) if scopes is not None else DEFAULT_SCOPES
        secret = random_urlsafe(18)
        org = await self._provisioning.provision_org(
            corp, name or corp, people, key, secret, granted
        )
        return NewOrg(corp, org.name, key, secret, granted, people)
