"""Which due feeds travel together in one feed-poll message: one host's feeds.

The fetch function polls at most PER_HOST feeds of one host at a time, but only within one
invocation; with one message per feed, N concurrent fetchers could open 2N connections to one
outlet. Grouping a host's due feeds into one message keeps each host in one invocation, so the
per-host limit holds across fetchers. A host with more than MAX_FEEDS_PER_MESSAGE due feeds is
split (a message must still finish within the fetch timeout when the host hangs), so for such a
host the bound is PER_HOST x the number of its messages. The message format itself is
`claimwatch.store.queues`.
"""

from __future__ import annotations

from collections.abc import Iterable

from claimwatch.feeds.poll import feed_host

# 10 feeds polled 2 at a time are 5 rounds: at the fetch function's 120 s timeout each round
# still gets 21 s, close to the client's 25 s per-feed deadline.
MAX_FEEDS_PER_MESSAGE = 10


def group_by_host(due: Iterable[tuple[str, str | None]], max_feeds: int = MAX_FEEDS_PER_MESSAGE) -> list[list[str]]:
    """The feed ids of (feed_id, url) pairs grouped so each group names one host's feeds only, at
    most `max_feeds` of them. A URL that cannot be read (a corrupt registry item) counts as host
    "", so those feeds are grouped apart and fail their own polls."""
    by_host: dict[str, list[str]] = {}
    for feed_id, url in due:
        by_host.setdefault(feed_host(url), []).append(feed_id)
    return [ids[start : start + max_feeds] for ids in by_host.values() for start in range(0, len(ids), max_feeds)]
