"""Per-watch delivery policy: what one matched claim means for one watch.

- ``delivery: instant`` (default): one alert per (watch, cluster), the first time any claim of
  the cluster matches the watch; restatements by other outlets are the same cluster, so silent.
- ``corroborated: N``: one alert per (watch, cluster) when the cluster has reached N outlets.
- ``delivery: digest``: the claim waits for the scheduled digest.
- a claim that brings a development to its cluster (a denial, a confirmation by a second
  source) gives instant/corroborated watches one more alert per (cluster, kind, source), unless
  the watch's first alert for the cluster goes out in the same message anyway.

Ledger keys (AlertsTable ``sk``) are ``<cluster id>#<kind>``: the conditional put on that key is
the exactly-once guard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from claimwatch.model import Claim

INSTANT, CORROBORATED, DEVELOPMENT, DIGEST = "instant", "corroborated", "development", "digest"


@dataclass(frozen=True)
class Decision:
    kind: str
    key: str  # ledger key for the exactly-once guard ("" for digest items)
    main_key: str | None = None  # developments: the watch's first alert for this cluster


def delivery_of(watch) -> str:
    return (getattr(watch, "delivery", None) or INSTANT) if watch is not None else INSTANT


def corroboration_of(watch) -> int | None:
    n = getattr(watch, "corroborated", None) if watch is not None else None
    return int(n) if n else None


def decide(watch, claim: Claim, cluster) -> list:
    """The deliveries this (watch, claim) pair asks for, given the claim's cluster."""
    if delivery_of(watch) == DIGEST:
        return [Decision(DIGEST, "")]
    needed = corroboration_of(watch)
    decisions = []
    if needed and needed > 1:
        main_key = f"{cluster.cluster_id}#{CORROBORATED}"
        if cluster.outlets >= needed:
            decisions.append(Decision(CORROBORATED, main_key))
    else:
        main_key = f"{cluster.cluster_id}#{INSTANT}"
        decisions.append(Decision(INSTANT, main_key))
    for dev in cluster.developments:
        if dev.get("claim_id") == claim.id:
            key = f"{cluster.cluster_id}#{DEVELOPMENT}#{dev.get('kind')}#{dev.get('source_key') or ''}"
            decisions.append(Decision(DEVELOPMENT, key, main_key))
    return decisions


def severity(claim: Claim, cluster, kind: str) -> str:
    """high: a development, or a claim carried by 3+ outlets; low: hedged or unattributed;
    medium otherwise."""
    if kind == DEVELOPMENT or (cluster is not None and cluster.outlets >= 3):
        return "high"
    if (
        claim.hedged
        or claim.source.type in ("anonymous", "unknown")
        or not (claim.source.name or claim.source.actor_id)
    ):
        return "low"
    return "medium"


_RATE = re.compile(r"rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)")


def digest_period(schedule_expression: str | None) -> timedelta:
    """The digest period of a watch from the digest schedule (`DigestRate`): `rate(1 hour)` sends
    one digest per watch per hour. A cron expression or none means one per day."""
    m = _RATE.fullmatch((schedule_expression or "").strip())
    if not m:
        return timedelta(days=1)
    unit = m.group(2).rstrip("s")
    return timedelta(**{f"{unit}s": int(m.group(1))})
