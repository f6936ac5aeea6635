"""Request parameters of the claims API: each one checked, with a 400 that says what is wrong."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

MAX_LIMIT, DEFAULT_LIMIT = 100, 20
MAX_TERM = 200
FORMATS = ("json", "geojson")
LIST_PARAMS = ("place", "actor", "source", "watch", "since", "until", "limit", "cursor", "format")
# Claim and cluster ids are 16 hex digits today; accept any short token so a longer id still works.
_ITEM_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_WATCH_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")  # as watchlist.py allows


class ApiError(Exception):
    def __init__(self, status: int, message: str, **details):
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details

    def body(self) -> dict:
        return {"error": self.message, "status": self.status, **self.details}


def bad(name: str, why: str, **details) -> ApiError:
    return ApiError(400, f"{name}: {why}", parameter=name, **details)


def item_id(value: str, what: str) -> str:
    if not _ITEM_ID.match(value or ""):
        raise bad(what, f"not a {what} (letters, digits, '-' or '_', at most 64), got {value[:80]!r}")
    return value


def watch_id(value: str) -> str:
    if not _WATCH_ID.match(value or ""):
        raise bad("watch", f"not a watch id (letters, digits, '-', '_', '.' or ':'), got {value[:80]!r}")
    return value


def term(params: dict, name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise bad(name, "empty; give a name or leave the parameter out")
    if len(value) > MAX_TERM:
        raise bad(name, f"longer than {MAX_TERM} characters")
    if "," in params[name] and name != "place":  # HTTP API joins a repeated parameter with commas
        raise bad(name, "give one value (the parameter appears twice or holds a comma)")
    return value


def time_bound(params: dict, name: str) -> tuple[str, bool] | None:
    """(UTC timestamp in the stored form "YYYY-MM-DDTHH:MM:SSZ" or a date, is_date)."""
    value = params.get(name)
    if value is None:
        return None
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value).isoformat(), True
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise bad(name, f"not a date or time: {value[:40]!r}; use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), False


def sort_bounds(params: dict) -> tuple[str | None, str | None]:
    """since/until as bounds on ``published#claim_id`` sort keys: ``lower <= sk < upper``."""
    since, until = time_bound(params, "since"), time_bound(params, "until")
    lower = since[0] if since else None
    upper = None
    if until:
        text, is_date = until
        # A date includes its whole day; a moment includes claims published at that second.
        upper = (date.fromisoformat(text) + timedelta(days=1)).isoformat() if is_date else text + "$"
    if lower and upper and lower >= upper:
        raise bad("since", f"must be before until ({params.get('since')} is not before {params.get('until')})")
    return lower, upper


def limit(params: dict) -> int:
    value = params.get("limit")
    if value is None:
        return DEFAULT_LIMIT
    if not re.fullmatch(r"\d{1,4}", value.strip()) or not 1 <= int(value) <= MAX_LIMIT:
        raise bad("limit", f"must be a whole number from 1 to {MAX_LIMIT}, got {value[:20]!r}")
    return int(value)


def output_format(params: dict) -> str:
    value = params.get("format", "json")
    if value not in FORMATS:
        raise bad("format", f"must be one of {', '.join(FORMATS)}, got {value[:20]!r}")
    return value


def unknown(params: dict, allowed: tuple) -> None:
    extra = sorted(set(params) - set(allowed))
    if extra:
        raise bad(extra[0], f"unknown parameter; this route takes {', '.join(allowed) or 'none'}")


def query_fingerprint(params: dict) -> str:
    """What a cursor is bound to: the filters, not the page size or format."""
    same = {k: params[k] for k in ("place", "actor", "source", "watch", "since", "until") if k in params}
    return hashlib.sha256(json.dumps(same, sort_keys=True).encode()).hexdigest()[:12]


def encode_cursor(sort_key: str, fingerprint: str) -> str:
    raw = json.dumps({"before": sort_key, "q": fingerprint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(params: dict, fingerprint: str) -> str | None:
    """The sort key a page starts below; a cursor of another query is refused."""
    value = params.get("cursor")
    if value is None:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        before, bound_to = data["before"], data["q"]
        if not isinstance(before, str) or not isinstance(bound_to, str):
            raise TypeError
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise bad("cursor", "not a cursor this API returned; pass next_cursor from the previous page") from None
    if bound_to != fingerprint:
        raise bad(
            "cursor",
            "belongs to a different query; keep place, actor, source, watch, since and until "
            "as they were, or drop the cursor",
        )
    return before


@dataclass
class ListRequest:
    place: str | None
    actor: str | None
    source: str | None
    watch: str | None
    lower: str | None
    upper: str | None
    limit: int
    format: str
    fingerprint: str
    before: str | None  # from the cursor

    @classmethod
    def parse(cls, params: dict | None, watch: str | None = None) -> ListRequest:
        params = dict(params or {})
        allowed = LIST_PARAMS if watch is None else tuple(p for p in LIST_PARAMS if p != "watch")
        unknown(params, allowed)
        if watch is not None:
            params["watch"] = watch
        lower, upper = sort_bounds(params)
        fingerprint = query_fingerprint(params)
        req = cls(
            place=term(params, "place"),
            actor=term(params, "actor"),
            source=term(params, "source"),
            watch=watch_id(params["watch"]) if params.get("watch") is not None else None,
            lower=lower,
            upper=upper,
            limit=limit(params),
            format=output_format(params),
            fingerprint=fingerprint,
            before=decode_cursor(params, fingerprint),
        )
        if not (req.place or req.actor or req.source or req.watch):
            raise ApiError(
                400,
                "give at least one of place, actor, source or watch (claims are read by what "
                "they are about, never by scanning the table)",
                parameter="place",
            )
        return req
