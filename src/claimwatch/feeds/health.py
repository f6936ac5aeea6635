"""Feed health: exponential backoff with jitter, parking with a reason, recovery.

A failing feed is retried after interval·2^(n-1) (capped), jittered so feeds that failed together
do not retry together. After ``park_after`` consecutive failures (or at once for failures that
retrying cannot fix: a refused address or scheme, HTTP 410) the feed is *parked*: it keeps a
human-readable reason and is still probed every ``park_probe_s``, so it comes back on its own
when the feed does. Nothing is dropped silently.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from claimwatch.feeds.errors import FetchError
from claimwatch.feeds.state import FeedState

PERMANENT_KINDS = frozenset({"blocked_address", "bad_scheme"})


@dataclass(frozen=True)
class HealthPolicy:
    max_backoff_s: float = 24 * 3600
    park_after: int = 8
    park_probe_s: float = 24 * 3600
    jitter: float = 0.2  # ± fraction applied to every delay


DEFAULT_POLICY = HealthPolicy()


def _jittered(seconds: float, policy: HealthPolicy, rng) -> timedelta:
    factor = 1.0 + rng.uniform(-policy.jitter, policy.jitter)
    return timedelta(seconds=max(1.0, seconds * factor))


def backoff_seconds(state: FeedState, policy: HealthPolicy = DEFAULT_POLICY) -> float:
    """Un-jittered delay before the next try after ``state.consecutive_failures`` failures."""
    exponent = max(0, state.consecutive_failures - 1)
    return min(policy.max_backoff_s, state.interval_s * (2 ** min(exponent, 30)))


def record_success(
    state: FeedState,
    now: datetime,
    *,
    status: int,
    etag: str | None = None,
    last_modified: str | None = None,
    policy: HealthPolicy = DEFAULT_POLICY,
    rng=random,
) -> FeedState:
    """A 2xx or 304: failures reset, park lifted, validators kept (a 304 keeps the old ones)."""
    state.last_poll = now
    state.last_success = now
    state.last_status = status
    state.consecutive_failures = 0
    state.last_error = state.last_error_kind = None
    state.parked_reason = state.parked_at = None
    if status != 304:
        state.etag = etag
        state.last_modified = last_modified
    state.next_poll = now + _jittered(state.interval_s, policy, rng)
    return state


def record_failure(
    state: FeedState, error: FetchError, now: datetime, *, policy: HealthPolicy = DEFAULT_POLICY, rng=random
) -> FeedState:
    state.last_poll = now
    state.last_status = error.status
    state.last_error = error.message
    state.last_error_kind = error.kind
    state.consecutive_failures += 1
    state.failures_by_kind[error.kind] = state.failures_by_kind.get(error.kind, 0) + 1
    reason = park_reason(state, error, policy)
    if reason:
        if not state.parked:
            state.parked_at = now
        state.parked_reason = reason
        state.next_poll = now + _jittered(policy.park_probe_s, policy, rng)
        return state
    delay = backoff_seconds(state, policy)
    if error.retry_after:
        delay = max(delay, min(error.retry_after, policy.max_backoff_s))
    state.next_poll = now + _jittered(delay, policy, rng)
    return state


def park_reason(state: FeedState, error: FetchError, policy: HealthPolicy = DEFAULT_POLICY) -> str | None:
    """The reason to park after this failure, or None to keep retrying with backoff."""
    if error.kind in PERMANENT_KINDS:
        return f"refused: {error.kind}: {error.message}"
    if error.status == 410:
        return "gone: the server answers 410 Gone"
    if state.consecutive_failures >= policy.park_after:
        return f"{state.consecutive_failures} consecutive failures, last {error.kind}: {error.message}"
    return None
