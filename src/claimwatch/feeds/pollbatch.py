"""One fetch invocation's polls: the feeds of a batch of poll messages polled concurrently within
the time the invocation has left, their results then stored message by message.

The fetch function polls every feed of the batch at once (one thread pool, PER_HOST requests per
host) before storing any of them, so the results are kept here, keyed by feed id, until each
message's record handler stores its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from claimwatch.feeds.poll import PollResult, feed_host, poll_many
from claimwatch.feeds.state import FeedState

PER_HOST = 2  # concurrent requests to one host (the scheduler queues one host's feeds in one message)
POLL_WORKERS = 16  # concurrent requests in all
STORE_RESERVE_S = 15.0  # time kept back for storing states and queueing articles


def feed_deadline(states: Sequence[FeedState], remaining_s: float, client_deadline_s: float) -> float:
    """Per-feed deadline such that the slowest host's feeds, polled PER_HOST at a time, all finish
    before the function times out (ten feeds of one hanging host must not time the batch out)."""
    per_host: dict[str, int] = {}
    for state in states:
        host = feed_host(state.url)
        per_host[host] = per_host.get(host, 0) + 1
    rounds = max(-(-max(per_host.values(), default=1) // PER_HOST), -(-len(states) // POLL_WORKERS))
    return max(1.0, min(client_deadline_s, (remaining_s - STORE_RESERVE_S) / rounds))


class PolledBatch:
    """This invocation's poll results by feed id, or the error reading the feed's state."""

    def __init__(self, results: Mapping[str, PollResult | Exception]):
        self._results = dict(results)

    @classmethod
    def poll(
        cls, loaded: Mapping[str, FeedState | Exception | None], client, now: datetime, remaining_s: float
    ) -> PolledBatch:
        """Poll the feeds of ``loaded`` (feed id -> its state, the error reading it, or None for
        a feed no longer registered) within ``remaining_s`` seconds."""
        states = [s for s in loaded.values() if isinstance(s, FeedState)]
        results: dict[str, PollResult | Exception] = {fid: s for fid, s in loaded.items() if isinstance(s, Exception)}
        polled = poll_many(
            states,
            client,
            now,
            max_workers=POLL_WORKERS,
            per_host=PER_HOST,
            feed_deadline_s=feed_deadline(states, remaining_s, client.deadline_s),
        )
        results.update({res.state.feed_id: res for res in polled})
        return cls(results)

    def result(self, feed_id: str) -> PollResult | None:
        """The feed's poll result; None for an unknown or deleted feed (nothing to poll, nothing to
        retry); raises the error that kept the feed from being read."""
        result = self._results.get(feed_id)
        if isinstance(result, Exception):
            raise result
        return result
