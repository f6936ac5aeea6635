"""The fetch function polls every feed a host-grouped message names (issue 16)."""

from __future__ import annotations

import json

import pytest

from claimwatch.local.feedserver import FeedDirectory, FeedServer
from claimwatch.local.session import DEMO_FEEDS
from claimwatch.store.feeds import FeedStore

from lambda_events import load_event

pytestmark = pytest.mark.slow


def test_one_message_with_a_hosts_feeds_polls_each_of_them(local_pipeline):
    pipe = local_pipeline
    store = FeedStore(pipe.env["FEEDS_TABLE"], pipe.env["ARTICLES_TABLE"])
    with FeedServer(FeedDirectory(DEMO_FEEDS)) as server:  # one host: 127.0.0.1
        good = store.add_feed(server.url("donbas-wire"))
        broken = store.add_feed(server.url("no-such-feed"))
        event = load_event("fetch/feed_batch.json")
        event["Records"] = event["Records"][:1]
        event["Records"][0]["body"] = json.dumps({"feed_ids": [good.feed_id, broken.feed_id]})
        assert pipe.invoke("FetchFunction", event)["batchItemFailures"] == []
    assert store.get(good.feed_id).last_status == 200
    assert store.get(broken.feed_id).consecutive_failures == 1
    assert pipe.queue_depth("ArticleQueue") >= 2
