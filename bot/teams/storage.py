"""botbuilder `Storage` on SQL, with eTag optimistic concurrency like botbuilder's MemoryStorage.

Items are dicts (or objects with `__dict__`); a stored item comes back with an `e_tag`. Writing an
item whose `e_tag` is set and differs from the stored one raises; `*` or no `e_tag` overwrites;
an empty `e_tag` is refused.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import Storage, StoreItem

from bot.core.domain.errors import Conflict
from integrations.db.dialog_state import SqlDialogStateStore


class StorageConflictError(KeyError):
    """Raised on an eTag mismatch (KeyError, as MemoryStorage raises)."""


def _as_dict(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return dict(item)
    if isinstance(item, StoreItem) or hasattr(item, "__dict__"):
        return dict(vars(item))
    raise TypeError(f"cannot store {type(item).__name__}")


class SqlStorage(Storage):
    def __init__(self, store: SqlDialogStateStore) -> None:
        super().__init__()
        self._store = store

    async def read(self, keys: list[str]) -> dict[str, Any]:
        if keys is None:
            raise TypeError("Keys are required when reading")
        found = await self._store.read(list(keys))
        result: dict[str, Any] = {}
        for key, (data, etag) in found.items():
            data["e_tag"] = etag
            result[key] = data
        return result

    async def write(self, changes: dict[str, Any]) -> None:
        if changes is None:
            raise TypeError("Changes are required when writing")
        if not changes:
            return
        items: dict[str, tuple[dict[str, Any], str | None]] = {}
        for key, change in changes.items():
            data = _as_dict(change)
            expected = data.pop("e_tag", None)
            if expected == "":
                raise ValueError("SqlStorage.write(): eTag missing")
            items[key] = (data, expected)
        try:
            new_etags = await self._store.write(items)
        except Conflict as error:
            raise StorageConflictError(str(error)) from error
        # Like MemoryStorage, the caller's objects learn their new eTag.
        for key, change in changes.items():
            if isinstance(change, dict):
                change["e_tag"] = new_etags[key]
            elif hasattr(change, "e_tag"):
                change.e_tag = new_etags[key]

    async def delete(self, keys: list[str]) -> None:
        await self._store.delete(list(keys))
