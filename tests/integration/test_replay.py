"""`claimwatch replay` on the three failure queues, on moto: --dry-run lists and changes nothing,
a replay sends the messages back through the pipeline (issue 16)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from claimwatch.cli import main
from claimwatch.local.feedserver import FeedDirectory, FeedServer
from claimwatch.local.session import DEMO_FEEDS
from claimwatch.store import replay
from claimwatch.store.claims import ClaimStore
from claimwatch.store.feeds import FeedStore
from claimwatch.store.watches import WatchStore
from claimwatch.watch.watchlist import load_watchlist

from lambda_events import load_event

pytestmark = pytest.mark.slow


@pytest.fixture
def pipe(local_pipeline, monkeypatch):
    for output, variable in {
        "FeedPollDLQ": "FEED_DLQ_URL",
        "AlertFailureQueue": "ALERT_FAILURE_QUEUE_URL",
        "ArticleDLQ": "ARTICLE_DLQ_URL",
        "ArticleQueue": "ARTICLE_QUEUE_URL",
        "FeedPollQueue": "FEED_QUEUE_URL",
    }.items():
        monkeypatch.setenv(variable, local_pipeline.stack.ref(output))
    return local_pipeline


def waiting(pipe, logical: str) -> int:
    """Messages visible now (a dry run must leave them visible, not merely in flight)."""
    attrs = pipe.sqs.get_queue_attributes(
        QueueUrl=pipe.stack.ref(logical), AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"])


def test_article_dead_letters_are_listed_by_a_dry_run_and_extracted_after_a_replay(pipe, capsys):
    body = load_event("extract/article_batch.json")["Records"][0]["body"]
    pipe.sqs.send_message(QueueUrl=pipe.stack.ref("ArticleDLQ"), MessageBody=body)  # failed in an outage

    assert main(["replay", "articles", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "ArticleDLQ: 1 message(s), would replay 1" in out
    assert waiting(pipe, "ArticleDLQ") == 1 and pipe.queue_depth("ArticleQueue") == 0

    assert main(["replay", "articles"]) == 0
    assert "replayed 1" in capsys.readouterr().out
    assert pipe.queue_depth("ArticleDLQ") == 0
    pipe.pump()
    claims = ClaimStore(pipe.env["CLAIMS_TABLE"], pipe.env["MENTIONS_TABLE"]).scan_claims()
    assert {c.provenance.article_id for c in claims} == {json.loads(body)["article_id"]}


def test_feed_dead_letters_are_polled_again_after_a_replay(pipe, capsys):
    store = FeedStore(pipe.env["FEEDS_TABLE"], pipe.env["ARTICLES_TABLE"])
    with FeedServer(FeedDirectory(DEMO_FEEDS)) as server:
        feed = store.add_feed(server.url("donbas-wire"))
        pipe.sqs.send_message(
            QueueUrl=pipe.stack.ref("FeedPollDLQ"), MessageBody=json.dumps({"feed_ids": [feed.feed_id]})
        )

        assert main(["replay", "feeds", "--dry-run"]) == 0
        assert feed.feed_id in capsys.readouterr().out
        assert waiting(pipe, "FeedPollDLQ") == 1 and pipe.queue_depth("FeedPollQueue") == 0

        assert main(["replay", "feeds"]) == 0
        pipe.pump()
    assert pipe.queue_depth("FeedPollDLQ") == 0
    assert store.get(feed.feed_id).last_status == 200


def fail_an_alert_batch(pipe) -> None:
    """A claim whose alert could not be published: its batch ends in AlertFailureQueue."""
    WatchStore(pipe.env["WATCHES_TABLE"]).put_watches(
        load_watchlist("watches:\n  - id: kostiantynivka\n    places: [Kostiantynivka]\n")
    )
    sns = pipe.session.client("sns")
    sns.delete_topic(TopicArn=pipe.stack.ref("AlertTopic"))
    pipe.sqs.send_message(
        QueueUrl=pipe.stack.ref("ArticleQueue"),
        MessageBody=load_event("extract/article_batch.json")["Records"][0]["body"],
    )
    pipe.pump()
    assert pipe.queue_depth("AlertFailureQueue") == 1
    # The topic is back (same name, same ARN), with the test's subscriber.
    assert sns.create_topic(Name=pipe.stack.ref("AlertTopic").rsplit(":", 1)[1])["TopicArn"] == pipe.stack.ref(
        "AlertTopic"
    )
    sink_arn = pipe.sqs.get_queue_attributes(QueueUrl=pipe.alert_sink_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=pipe.stack.ref("AlertTopic"), Protocol="sqs", Endpoint=sink_arn)


def test_failed_alert_batches_are_read_back_from_the_stream_and_alert_after_a_replay(pipe, capsys):
    fail_an_alert_batch(pipe)
    assert pipe.drain_alerts() == []

    assert main(["replay", "alerts", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would replay 1" in out and "new claim(s)" in out
    assert waiting(pipe, "AlertFailureQueue") == 1

    report = replay.replay_stream_failures(
        pipe.sqs,
        replay.streams_client(),
        pipe.stack.ref("AlertFailureQueue"),
        lambda event: pipe.invoke("AlertFunction", event),
        dry_run=False,
    )
    assert report.count("replayed") == 1, report.format()
    (alert,) = pipe.drain_alerts()
    assert "kostiantynivka" in alert["attributes"]["watch_id"]
    assert pipe.queue_depth("AlertFailureQueue") == 0


def test_a_failed_batch_older_than_the_streams_retention_is_reported_and_kept(pipe, capsys):
    fail_an_alert_batch(pipe)
    calls = []
    later = datetime.now(UTC) + timedelta(hours=25)
    report = replay.replay_stream_failures(
        pipe.sqs, replay.streams_client(), pipe.stack.ref("AlertFailureQueue"), calls.append, dry_run=False, now=later
    )
    (outcome,) = report.outcomes
    assert outcome.status == "not retained" and "24-hour retention" in outcome.detail
    assert calls == [] and waiting(pipe, "AlertFailureQueue") == 1
    assert "1 left in the queue" in report.format()


def test_a_batch_that_fails_again_stays_in_the_queue_and_the_others_go_on(pipe):
    fail_an_alert_batch(pipe)

    def still_failing(event):
        raise RuntimeError("AlertFunction failed: topic unreachable")

    report = replay.replay_stream_failures(
        pipe.sqs, replay.streams_client(), pipe.stack.ref("AlertFailureQueue"), still_failing, dry_run=False
    )
    (outcome,) = report.outcomes
    assert outcome.status == "failed again" and "topic unreachable" in outcome.detail
    assert waiting(pipe, "AlertFailureQueue") == 1  # visible again at once, for the next replay
