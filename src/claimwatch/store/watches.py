"""Watches in DynamoDB; each warm container loads them once into a matching index."""

from __future__ import annotations

import logging
import time

from claimwatch.store import aws
from claimwatch.store.codec import from_item, to_item
from claimwatch.watch.watchlist import Watch, WatchDiff, WatchlistError

log = logging.getLogger(__name__)

# Every watch item carries listed = LISTED, the key of the table's Listed index: listing the
# watches is then a Query (the claims API lists them on a request path, where nothing scans).
LISTED, LISTED_INDEX = "watch", "Listed"


class WatchStore:
    def __init__(self, table: str, dynamodb=None):
        self.table = (dynamodb or aws.resource("dynamodb")).Table(table)

    def put_watches(self, watches: list[Watch]) -> int:
        with self.table.batch_writer(overwrite_by_pkeys=["watch_id"]) as batch:
            for watch in watches:
                batch.put_item(Item=to_item({"watch_id": watch.id, "listed": LISTED, **watch.to_dict()}))
        return len(watches)

    def apply(self, diff: WatchDiff, watches: list[Watch]) -> None:
        """Store the added and changed watches, then delete the removed ones (a watch deleted
        from the file stops alerting)."""
        write = set(diff.added) | set(diff.changed)
        self.put_watches([w for w in watches if w.id in write])
        for watch_id in diff.removed:
            self.remove(watch_id)

    def remove(self, watch_id: str) -> None:
        self.table.delete_item(Key={"watch_id": watch_id})

    def all(self) -> list[Watch]:
        """Every readable watch. An item edited by hand into something that is no watch is logged
        and skipped: one bad item must not stop every other watch's alerts and digests."""
        watches = []
        for item in aws.scan_all(self.table):
            data = from_item(item)
            watch_id = data.pop("watch_id", None)
            data.pop("listed", None)
            try:
                watches.append(Watch.from_dict(data))
            except (WatchlistError, TypeError, ValueError, AttributeError) as exc:
                log.warning("skipping unreadable watch item %r: %s", watch_id, exc)
        return watches


class CachedWatches:
    """Watches reloaded at most every `ttl` seconds per container: edits reach warm functions
    within a minute without a scan per invocation."""

    def __init__(self, store: WatchStore, build, ttl: float = 60.0):
        self.store, self.build, self.ttl = store, build, ttl
        self._index, self._loaded = None, 0.0

    def index(self):
        now = time.monotonic()
        if self._index is None or now - self._loaded > self.ttl:
            self._index = self.build(self.store.all())
            self._loaded = now
        return self._index
