"""Pure helpers behind ``claimwatch feeds list|add|import|export`` (argparse is wired in
``claimwatch.cli``). ``store`` is anything with FeedStore's ``add_feed``/``list_feeds``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from claimwatch.feeds.errors import FetchError
from claimwatch.feeds.http import validate_feed_url
from claimwatch.feeds.opml import FeedSpec, export_opml, parse_opml
from claimwatch.feeds.state import FeedState

_HEALTH_ORDER = {"parked": 0, "failing": 1, "new": 2, "ok": 3}


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "never"
    seconds = (now - when).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            text = f"{int(seconds // size)}{unit}"
            break
    else:
        text = f"{int(seconds)}s"
    return f"in {text}" if future else f"{text} ago"


def format_feed_health(states: Sequence[FeedState], now: datetime | None = None) -> str:
    """A table of feeds, worst health first, with the reason under every failing/parked feed."""
    now = now or datetime.now(UTC)
    if not states:
        return "no feeds registered (claimwatch feeds add URL, or feeds import FILE.opml)"
    rows = [("HEALTH", "FAILS", "STATUS", "LAST OK", "NEXT POLL", "FEED")]
    notes: dict[int, str] = {}
    ordered = sorted(states, key=lambda s: (_HEALTH_ORDER[s.health], (s.title or s.url).lower()))
    for state in ordered:
        label = f"{state.title} <{state.url}>" if state.title else state.url
        rows.append(
            (
                state.health,
                str(state.consecutive_failures),
                str(state.last_status or "-"),
                _ago(state.last_success, now),
                "due" if state.is_due(now) else _ago(state.next_poll, now),
                label,
            )
        )
        if state.parked_reason:
            notes[len(rows) - 1] = f"parked: {state.parked_reason}"
        elif state.last_error:
            notes[len(rows) - 1] = f"last error ({state.last_error_kind}): {state.last_error}"
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5])
        if index in notes:
            lines.append(" " * 4 + notes[index])
    counts = {h: sum(1 for s in states if s.health == h) for h in _HEALTH_ORDER}
    kinds: dict[str, int] = {}
    for state in states:
        for kind, n in state.failures_by_kind.items():
            kinds[kind] = kinds.get(kind, 0) + n
    lines.append("")
    lines.append(", ".join(f"{n} {h}" for h, n in counts.items() if n) + f" ({len(states)} feeds)")
    if kinds:
        lines.append("failures by kind: " + ", ".join(f"{k}={n}" for k, n in sorted(kinds.items())))
    return "\n".join(lines)


def format_feed_added(state: FeedState, created: bool) -> str:
    verb = "added" if created else "already registered"
    return f"{verb}: {state.feed_id}  {state.title or ''} <{state.url}>".replace("  <", " <")


@dataclass
class ImportSummary:
    added: list = field(default_factory=list)  # FeedState
    existing: list = field(default_factory=list)  # FeedState
    rejected: list = field(default_factory=list)  # (url, reason)

    def format(self) -> str:
        head = f"imported {len(self.added)} new feeds, {len(self.existing)} already registered"
        if self.rejected:
            head += f", {len(self.rejected)} rejected"
        return "\n".join([head] + [f"  rejected {url}: {reason}" for url, reason in self.rejected])


def import_feeds(store, specs: Iterable[FeedSpec], allow_loopback: bool = False) -> ImportSummary:
    """Register every feed of an OPML file (idempotent: re-importing changes nothing); a URL the
    fetcher would refuse (scheme, port, a private or metadata address) is rejected, not stored."""
    known = {state.feed_id for state in store.list_feeds()}
    summary = ImportSummary()
    for spec in specs:
        try:
            url = validate_feed_url(spec.url, allow_loopback=allow_loopback)
        except FetchError as exc:
            summary.rejected.append((spec.url, exc.message))
            continue
        state = store.add_feed(url, spec.title)
        (summary.existing if state.feed_id in known else summary.added).append(state)
        known.add(state.feed_id)
    return summary


def import_opml(store, data: bytes, allow_loopback: bool = False) -> ImportSummary:
    return import_feeds(store, parse_opml(data), allow_loopback=allow_loopback)


def export_feeds(store) -> bytes:
    return export_opml(store.list_feeds())
