"""Polling feeds: one feed never raises, many feeds run concurrently with a per-host limit."""

from __future__ import annotations

import logging
import random
import time
from collections import Counter, deque
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from claimwatch.feeds.errors import FetchError
from claimwatch.feeds.health import DEFAULT_POLICY, HealthPolicy, record_failure, record_success
from claimwatch.feeds.http import FEED_ACCEPT
from claimwatch.feeds.parse import parse_feed
from claimwatch.feeds.state import FeedState

log = logging.getLogger(__name__)


@dataclass
class PollResult:
    state: FeedState  # updated copy: health, validators, next poll
    articles: list = field(default_factory=list)  # list[model.Article], every entry in the feed
    not_modified: bool = False
    error: FetchError | None = None
    bozo: bool = False  # malformed feed that still yielded entries
    bozo_message: str | None = None
    elapsed_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def poll_feed(
    state: FeedState,
    client,
    now: datetime,
    *,
    deadline_s: float | None = None,
    policy: HealthPolicy = DEFAULT_POLICY,
    rng=random,
) -> PollResult:
    """Conditional GET, parse, and health update for one feed. Never raises for a bad feed:
    every failure becomes ``PollResult.error`` and is recorded in the returned state."""
    state = state.copy()
    started = time.monotonic()
    try:
        response = client.get(
            state.url, etag=state.etag, last_modified=state.last_modified, accept=FEED_ACCEPT, deadline_s=deadline_s
        )
        if response.not_modified:  # a 304 costs no parsing
            record_success(state, now, status=304, policy=policy, rng=rng)
            return PollResult(state, not_modified=True, elapsed_s=time.monotonic() - started)
        parsed = parse_feed(
            response.body, url=response.url, headers=response.headers, feed_id=state.feed_id, outlet=state.title
        )
    except FetchError as exc:
        error = exc
    except Exception as exc:  # an unforeseen failure of one feed must not stop the batch
        log.exception("unexpected failure polling %s", state.url)
        error = FetchError("parse", f"unexpected {type(exc).__name__}: {exc}", url=state.url)
    else:
        record_success(
            state,
            now,
            status=response.status,
            etag=response.etag,
            last_modified=response.last_modified,
            policy=policy,
            rng=rng,
        )
        state.title = state.title or parsed.title
        state.articles_seen += len(parsed.articles)
        if parsed.bozo:
            state.bozo_count += 1
            log.warning("malformed feed %s (%d entries kept): %s", state.url, len(parsed.articles), parsed.bozo_message)
        return PollResult(
            state,
            parsed.articles,
            bozo=parsed.bozo,
            bozo_message=parsed.bozo_message,
            elapsed_s=time.monotonic() - started,
        )
    record_failure(state, error, now, policy=policy, rng=rng)
    log.info("feed %s failed (%s): %s", state.url, error.kind, error.message)
    return PollResult(state, error=error, elapsed_s=time.monotonic() - started)


def feed_host(url: object) -> str:
    """The host a feed URL names, lower-case; "" for anything that is no readable URL (a corrupt
    registry value), so such feeds share one host bucket and fail their own polls."""
    if not isinstance(url, str):
        return ""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def poll_many(
    states: Sequence[FeedState],
    client,
    now: datetime,
    max_workers: int = 16,
    per_host: int = 2,
    *,
    feed_deadline_s: float | None = None,
    policy: HealthPolicy = DEFAULT_POLICY,
    rng=random,
) -> list[PollResult]:
    """Poll feeds concurrently; results in the order of ``states``.

    At most ``per_host`` requests run against one host at a time, and a feed only occupies a
    worker while it is actually being fetched (hosts are served round-robin), so one slow site
    neither gets hammered nor starves the others. ``feed_deadline_s`` bounds each feed
    (default: the client's deadline).
    """
    results: list[PollResult | None] = [None] * len(states)
    queues: dict[str, deque] = {}
    for index, state in enumerate(states):
        queues.setdefault(feed_host(state.url), deque()).append(index)
    active: Counter = Counter()
    with ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="poll") as pool:
        running: dict = {}

        def fill() -> None:
            for host, queue in queues.items():
                while queue and active[host] < per_host and len(running) < max_workers:
                    index = queue.popleft()
                    future = pool.submit(
                        poll_feed, states[index], client, now, deadline_s=feed_deadline_s, policy=policy, rng=rng
                    )
                    running[future] = (index, host)
                    active[host] += 1

        fill()
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                index, host = running.pop(future)
                active[host] -= 1
                results[index] = future.result()  # poll_feed does not raise
            fill()
    return [r for r in results if r is not None]  # every slot is filled: one result per state


def summarize(results: Sequence[PollResult]) -> dict:
    """Counts for logs and metrics: failures by kind is the 'failures' metric's dimension."""
    failures = Counter(r.error.kind for r in results if r.error)
    return {
        "polled": len(results),
        "ok": sum(1 for r in results if r.ok and not r.not_modified),
        "not_modified": sum(1 for r in results if r.not_modified),
        "failed": sum(failures.values()),
        "parked": sum(1 for r in results if r.state.parked),
        "bozo": sum(1 for r in results if r.bozo),
        "articles": sum(len(r.articles) for r in results),
        "failures_by_kind": dict(failures),
    }
