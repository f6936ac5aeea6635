"""Per-feed state: the registry entry, conditional-GET validators and health.

Times are timezone-aware UTC datetimes in the dataclass and ISO 8601 strings with a ``Z``
suffix and fixed-width microseconds in ``to_dict`` (so they sort as strings in DynamoDB filters).
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from typing import Optional

from claimwatch.feeds.identity import feed_id_for

_TIME_FIELDS = ("added_at", "last_poll", "last_success", "next_poll", "parked_at")
_INT_FIELDS = ("last_status", "consecutive_failures", "bozo_count", "articles_seen", "interval_s")


def format_time(value: Optional[datetime]) -> Optional[str]:
    if value is None:
        return None
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # fixed width: sorts as text


def parse_time(value) -> Optional[datetime]:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


@dataclass
class FeedState:
    feed_id: str
    url: str
    title: Optional[str] = None
    etag: Optional[str] = None
    last_modified: Optional[str] = None  # the server's Last-Modified string, sent back verbatim
    added_at: Optional[datetime] = None
    last_poll: Optional[datetime] = None
    last_success: Optional[datetime] = None
    last_status: Optional[int] = None  # HTTP status of the last answer (304 included)
    last_error: Optional[str] = None
    last_error_kind: Optional[str] = None
    consecutive_failures: int = 0
    next_poll: Optional[datetime] = None
    parked_reason: Optional[str] = None  # set when polling stopped being regular; never silent
    parked_at: Optional[datetime] = None
    failures_by_kind: dict = field(default_factory=dict)  # FetchError.kind -> count (lifetime)
    bozo_count: int = 0  # polls whose feed was malformed but still yielded entries
    articles_seen: int = 0  # entries parsed over the feed's lifetime (new or not)
    interval_s: int = 900  # regular polling interval when healthy

    @classmethod
    def new(cls, url: str, title: Optional[str] = None, now: Optional[datetime] = None) -> "FeedState":
        now = now or datetime.now(timezone.utc)
        url = url.strip()
        return cls(feed_id=feed_id_for(url), url=url, title=title, added_at=now, next_poll=now)

    @property
    def parked(self) -> bool:
        return self.parked_reason is not None

    @property
    def health(self) -> str:
        """new | ok | failing | parked"""
        if self.parked:
            return "parked"
        if self.consecutive_failures:
            return "failing"
        return "ok" if self.last_success else "new"

    def is_due(self, now: datetime) -> bool:
        return self.next_poll is None or self.next_poll <= now

    def copy(self) -> "FeedState":
        return copy.deepcopy(self)

    def to_dict(self) -> dict:
        d = asdict(self)
        for name in _TIME_FIELDS:
            d[name] = format_time(d[name])
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "FeedState":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in d.items() if k in known}
        for name in _TIME_FIELDS:
            if name in values:
                values[name] = parse_time(values[name])
        for name in _INT_FIELDS:
            if values.get(name) is not None:
                values[name] = int(values[name])  # DynamoDB gives Decimals
        values["failures_by_kind"] = {k: int(v) for k, v in (values.get("failures_by_kind") or {}).items()}
        return cls(**values)
