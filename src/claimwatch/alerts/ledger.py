"""The alert ledger: the AlertStore protocol and its in-memory implementation.

One record per (watch, key), key = ``<cluster id>#<kind>`` (or ``digest#<period>``). Sending is
two-phase so that exactly-once holds without losing alerts:

1. ``try_claim`` is a conditional put: it succeeds for exactly one caller, whether the rivals
   are retries of the same stream batch, redelivered records or concurrent invocations. A claim
   left ``pending`` by a caller that died before publishing can be taken over after its lease.
2. after a successful publish, ``mark_sent``; after a failed publish, ``release`` (the record is
   deleted, so the retried record can send it).

Digest items wait under their own partition until the scheduled digest sends them.
``store/dynamo_alert_ledger.py`` implements the same protocol on DynamoDB.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Protocol

PENDING = "pending"
SENT = "sent"
INCLUDED = "included"  # a development folded into another message: never sent on its own


class AlertStore(Protocol):
    def try_claim(self, watch_id: str, key: str, now: datetime, lease: timedelta) -> bool: ...

    def mark_sent(self, watch_id: str, key: str, message_id: str | None, now: datetime, status: str = SENT) -> None: ...

    def release(self, watch_id: str, key: str) -> None: ...

    def status(self, watch_id: str, key: str) -> str | None: ...  # pending | sent | included | None

    def add_pending(self, watch_id: str, item_key: str, item: dict) -> None: ...

    def pending(self, watch_id: str) -> dict: ...  # item_key -> item

    def remove_pending(self, watch_id: str, item_keys) -> None: ...


class InMemoryAlertStore:
    def __init__(self):
        self._lock = threading.Lock()
        self.records: dict = {}  # (watch_id, key) -> {"status", "lease_until", "message_id", ...}
        self._pending: dict = {}  # watch_id -> {item_key: item}

    def try_claim(self, watch_id, key, now, lease) -> bool:
        with self._lock:
            rec = self.records.get((watch_id, key))
            if rec and not (rec["status"] == PENDING and rec["lease_until"] < now):
                return False
            self.records[(watch_id, key)] = {"status": PENDING, "lease_until": now + lease}
            return True

    def mark_sent(self, watch_id, key, message_id, now, status=SENT) -> None:
        with self._lock:
            self.records[(watch_id, key)] = {"status": status, "message_id": message_id, "sent_at": now}

    def release(self, watch_id, key) -> None:
        with self._lock:
            rec = self.records.get((watch_id, key))
            if rec and rec["status"] == PENDING:
                del self.records[(watch_id, key)]

    def status(self, watch_id, key) -> str | None:
        with self._lock:
            rec = self.records.get((watch_id, key))
            return rec["status"] if rec else None

    def add_pending(self, watch_id, item_key, item) -> None:
        with self._lock:
            self._pending.setdefault(watch_id, {})[item_key] = dict(item)

    def pending(self, watch_id) -> dict:
        with self._lock:
            return {k: dict(v) for k, v in self._pending.get(watch_id, {}).items()}

    def remove_pending(self, watch_id, item_keys) -> None:
        with self._lock:
            for key in item_keys:
                self._pending.get(watch_id, {}).pop(key, None)
