"""Per-feed state: the registry entry, conditional-GET validators and health.

Times are timezone-aware UTC datetimes in the dataclass and ISO 8601 strings with a ``Z``
suffix and fixed-width microseconds in ``to_dict`` (so they sort as strings in DynamoDB filters).
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime

from claimwatch.feeds.identity import feed_id_for

_TIME_FIELDS = ("added_at", "last_poll", "last_success", "next_poll", "parked_at")
_INT_FIELDS = ("last_status", "consecutive_failures", "bozo_count", "articles_seen", "interval_s")


def format_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # fixed width: sorts as text


def parse_time(value) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class FeedState:
    feed_id: str
    url: str
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None  # the server's Last-Modified string, sent back verbatim
    added_at: datetime | None = None
    last_poll: datetime | None = None
    last_success: datetime | None = None
    last_status: int | None = None  # HTTP status of the last answer (304 included)
    last_error: str | None = None
    last_error_kind: str | None = None
    consecutive_failures: int = 0
    next_poll: datetime | None = None
    parked_reason: str | None = None  # set when polling stopped being regular; never silent
    parked_at: datetime | None = None
    failures_by_kind: dict = field(default_factory=dict)  # FetchError.kind -> count (lifetime)
    bozo_count: int = 0  # polls whose feed was malformed but still yielded entries
    articles_seen: int = 0  # entries parsed over the feed's lifetime (new or not)
    interval_s: int = 900  # regular polling interval when healthy

    @classmethod
    def new(cls, url: str, title: str | None = None, now: datetime | None = None) -> FeedState:
        now = now or datetime.now(UTC)
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

    def copy(self) -> FeedState:
        return copy.deepcopy(self)

    def to_dict(self) -> dict:
        d = asdict(self)
        for name in _TIME_FIELDS:
            d[name] = format_time(d[name])
        return d

    @classmethod
    def from_dict(cls, d: dict) -> FeedState:
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
