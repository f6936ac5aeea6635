"""The feed poll queue's messages: one host's due feeds travel together.

The fetch function polls at most PER_HOST feeds of one host at a time, but only within one
invocation; with one message per feed, N concurrent fetchers could open 2N connections to one
outlet. Grouping a host's due feeds into one message keeps each host in one invocation, so the
per-host limit holds across fetchers. A host with more than MAX_FEEDS_PER_MESSAGE due feeds is
split (a message must still finish within the fetch timeout when the host hangs), so for such a
host the bound is PER_HOST x the number of its messages.
"""

from __future__ import annotations

import json
from typing import Iterable

from claimwatch.feeds.poll import _host
from claimwatch.feeds.state import FeedState

# 10 feeds polled 2 at a time are 5 rounds: at the fetch function's 120 s timeout each round
# still gets 21 s, close to the client's 25 s per-feed deadline.
MAX_FEEDS_PER_MESSAGE = 10


def poll_messages(due: Iterable[FeedState], max_feeds: int = MAX_FEEDS_PER_MESSAGE) -> list[str]:
    """Message bodies for the due feeds: each names feeds of one host only, at most `max_feeds`."""
    by_host: dict[str, list[str]] = {}
    for state in due:
        by_host.setdefault(_host(state.url), []).append(state.feed_id)
    return [json.dumps({"feed_ids": ids[start : start + max_feeds]})
            for ids in by_host.values() for start in range(0, len(ids), max_feeds)]


def message_feed_ids(body: str) -> list[str]:
    """The feed ids of one message: {"feed_ids": [...]} or, as queued before, {"feed_id": ...}.
    Raises ValueError/KeyError/TypeError for a malformed body."""
    message = json.loads(body)
    ids = message["feed_ids"] if "feed_ids" in message else [message["feed_id"]]
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise TypeError(f"feed ids must be strings: {ids!r}")
    return ids
