"""End to end on the seed article: served as an RSS feed on loopback, polled through the real fetch
path, extracted, stored in DynamoDB (moto), matched, alerted through SNS -> SQS."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from claimwatch.local.feedserver import FeedDirectory, FeedServer
from claimwatch.local.session import LocalRun

pytestmark = pytest.mark.slow

WATCHLIST = """
watches:
  - id: pokrovsk-front
    places: [Pokrovsk, Myrnohrad]
  - id: kostiantynivka
    places: [Kostiantynivka]
  - id: dpr-officials
    actors: [Kimakovsky]
"""


def rss_for(text: str, guid: str = "seed-000", link: str = "https://news.example/konstantinovka") -> bytes:
    """The seed article as one RSS item with its full text in content:encoded."""
    title, _, body = text.partition("\n")
    paras = "".join(f"<p>{html.escape(p.strip())}</p>" for p in body.split("\n") if p.strip())
    pub = format_datetime(datetime(2025, 11, 22, 9, 0, tzinfo=UTC))
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Seed Outlet</title><link>https://news.example/</link><description>seed</description>
<item><title>{html.escape(title.strip())}</title><link>{link}</link><guid>{guid}</guid>
<pubDate>{pub}</pubDate><description>{html.escape(title.strip())}</description>
<content:encoded><![CDATA[{paras}]]></content:encoded></item>
</channel></rss>""".encode()


@pytest.fixture
def seed_run(seed_article_text, tmp_path):
    feed = rss_for(seed_article_text)
    directory = FeedDirectory(extra={"seed": lambda round_: feed})
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(WATCHLIST)
    with FeedServer(directory) as server:
        run = LocalRun([(server.url("seed"), "Seed Outlet")], watchlist, allow_loopback=True)
        try:
            yield run, server
        finally:
            run.close()


def test_seed_article_alerts_name_the_speaker_and_the_place(seed_run):
    run, server = seed_run
    alerts = run.poll()
    assert alerts, "the seed article should fire the demo watches"
    by_watch: dict[str, list] = {}
    for a in alerts:
        for watch_id in a["attributes"]["watch_id"]:  # one message lists every watch its claim matched
            by_watch.setdefault(watch_id, []).append(a)
    # Kimakovsky's statements fire the actor watch; Konstantinovka fires the Kostiantynivka watch.
    assert "dpr-officials" in by_watch
    assert "kostiantynivka" in by_watch
    assert any("Kimakovsky" in a["text"] for a in by_watch["dpr-officials"])
    # The alert explains why: the transliteration that matched is named in the body.
    assert any("Konstantinovka" in a["text"] for a in by_watch["kostiantynivka"])

    rep = run.report()
    assert rep.articles >= 1
    assert rep.claims >= 8, f"expected most of the seed's attributed claims to be stored, got {rep.claims}"
    assert all(v == 0 for v in rep.dead_letters.values()), rep.dead_letters


def test_second_poll_is_304_and_alerts_nothing_new(seed_run):
    run, server = seed_run
    first = run.poll()
    claims_before = run.report().claims
    second = run.poll()
    assert first and second == []
    assert run.report().claims == claims_before
    feed = run.feed_store.list_feeds()[0]
    assert feed.last_status == 304


def test_replayed_article_message_creates_no_second_claim_or_alert(seed_run):
    run, server = seed_run
    pipe = run.pipe
    # Capture the article message the fetch function queued, before extract consumes it.
    pipe.tick("SchedulerFunction")
    pipe._deliver_sqs("FetchFunction", pipe.functions["FetchFunction"].events["FeedBatch"]["Properties"])
    msgs = pipe.sqs.receive_message(
        QueueUrl=pipe.stack.ref("ArticleQueue"), MaxNumberOfMessages=10, VisibilityTimeout=0
    )
    bodies = [m["Body"] for m in msgs["Messages"]]
    assert len(bodies) == 1
    pipe.pump()
    first_alerts = pipe.drain_alerts()
    claims_before = run.report().claims
    # Replay: the same message again, as SQS at-least-once delivery may do.
    pipe.sqs.send_message(QueueUrl=pipe.stack.ref("ArticleQueue"), MessageBody=bodies[0])
    pipe.pump()
    assert run.report().claims == claims_before
    assert pipe.drain_alerts() == []
    assert first_alerts
    assert json.loads(bodies[0])["content"]
