"""Each handler invoked with its fixture from events/ (the files `sam local invoke -e` takes),
against the template's resources on moto."""

from __future__ import annotations

import copy
import json

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from claimwatch.feeds.identity import feed_id_for
from claimwatch.local.feedserver import FeedDirectory, FeedServer
from claimwatch.local.session import DEMO_FEEDS
from claimwatch.store.claims import ClaimStore
from claimwatch.store.feeds import FeedStore
from claimwatch.store.watches import WatchStore
from claimwatch.watch.watchlist import load_watchlist

from lambda_events import load_event

pytestmark = pytest.mark.slow


def feed_store(pipe) -> FeedStore:
    return FeedStore(pipe.env["FEEDS_TABLE"], pipe.env["ARTICLES_TABLE"])


def claim_store(pipe) -> ClaimStore:
    return ClaimStore(pipe.env["CLAIMS_TABLE"], pipe.env["MENTIONS_TABLE"])


def queued_bodies(pipe, logical: str) -> list[str]:
    bodies = []
    while True:
        msgs = pipe.sqs.receive_message(
            QueueUrl=pipe.stack.ref(logical), MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not msgs:
            return bodies
        bodies += [m["Body"] for m in msgs]


def put_watches(pipe, yaml_text: str) -> None:
    WatchStore(pipe.env["WATCHES_TABLE"]).put_watches(load_watchlist(yaml_text))


def test_scheduler_enqueues_one_message_per_host_of_due_feeds(local_pipeline):
    pipe = local_pipeline
    store = feed_store(pipe)
    urls = ["https://one.example/feed.xml", "https://two.example/rss", "https://two.example/world/rss"]
    for url in urls:
        store.add_feed(url)
    result = pipe.invoke("SchedulerFunction", load_event("scheduler/schedule.json"))
    assert result == {"enqueued": 3, "messages": 2}
    groups = sorted(sorted(json.loads(b)["feed_ids"]) for b in queued_bodies(pipe, "FeedPollQueue"))
    assert groups == sorted([[feed_id_for(urls[0])], sorted(feed_id_for(u) for u in urls[1:])])


def test_fetch_queues_new_articles_and_a_broken_feed_does_not_stop_the_batch(local_pipeline):
    pipe = local_pipeline
    store = feed_store(pipe)
    with FeedServer(FeedDirectory(DEMO_FEEDS)) as server:
        good = store.add_feed(server.url("donbas-wire"))
        broken = store.add_feed(server.url("no-such-feed"))  # 404
        event = load_event("fetch/feed_batch.json")
        event["Records"][0]["body"] = json.dumps({"feed_id": good.feed_id})
        event["Records"][1]["body"] = json.dumps({"feed_id": broken.feed_id})
        result = pipe.invoke("FetchFunction", event)
        assert result["batchItemFailures"] == []
        articles = [json.loads(b) for b in queued_bodies(pipe, "ArticleQueue")]
        assert len(articles) >= 2 and all(a["feed_id"] == good.feed_id for a in articles)
        assert store.get(good.feed_id).last_status == 200
        failing = store.get(broken.feed_id)
        assert failing.consecutive_failures == 1 and failing.last_error_kind == "http_status"

        # The same batch again (SQS redelivery): conditional GET answers 304, nothing is re-queued.
        assert pipe.invoke("FetchFunction", copy.deepcopy(event))["batchItemFailures"] == []
        assert queued_bodies(pipe, "ArticleQueue") == []
        assert store.get(good.feed_id).last_status == 304


def test_extract_stores_claims_reports_the_poison_record_and_is_idempotent(local_pipeline):
    pipe = local_pipeline
    event = load_event("extract/article_batch.json")
    poison_id = event["Records"][2]["messageId"]
    result = pipe.invoke("ExtractFunction", copy.deepcopy(event))
    assert result["batchItemFailures"] == [{"itemIdentifier": poison_id}]
    claims = claim_store(pipe).scan_claims()
    assert len(claims) >= 3
    assert {c.provenance.outlet for c in claims} == {"Donbas Wire (fictional)"}
    assert any(p.name == "Pokrovsk" for c in claims for p in c.places), "Krasnoarmeyskoye resolves to Pokrovsk"
    # "Claims about Pokrovsk" is one query on the Mentions index, whatever spelling the text used.
    about = claim_store(pipe).claims_about("geo:704422")
    assert about and all(any(p.place_id == "geo:704422" for p in claim_store(pipe).get(cid).places) for cid in about)

    # Replaying the batch creates no second claim.
    pipe.invoke("ExtractFunction", copy.deepcopy(event))
    assert len(claim_store(pipe).scan_claims()) == len(claims)


def test_extract_forwards_a_poison_article_to_the_dlq_with_the_reason_on_its_last_attempt(local_pipeline):
    pipe = local_pipeline
    event = load_event("extract/article_batch.json")
    poison = copy.deepcopy(event["Records"][2])
    poison["attributes"]["ApproximateReceiveCount"] = pipe.env["ARTICLE_MAX_RECEIVES"]  # = maxReceiveCount
    result = pipe.invoke("ExtractFunction", {"Records": [poison]})
    assert result["batchItemFailures"] == []  # parked, not retried again
    msgs = pipe.sqs.receive_message(QueueUrl=pipe.stack.ref("ArticleDLQ"), MessageAttributeNames=["All"])["Messages"]
    assert len(msgs) == 1 and msgs[0]["Body"] == poison["body"]
    assert msgs[0]["MessageAttributes"]["error_type"]["StringValue"] == "JSONDecodeError"
    assert msgs[0]["MessageAttributes"]["error_reason"]["StringValue"]


WATCHES = """
watches:
  - id: kostiantynivka
    places: [Kostiantynivka]
  - id: kostiantynivka-digest
    places: [Константиновка]
    delivery: digest
"""


def test_alert_publishes_each_watch_once_even_when_the_batch_is_replayed(local_pipeline):
    pipe = local_pipeline
    put_watches(pipe, WATCHES)
    event = load_event("alert/claim_insert.json")
    result = pipe.invoke("AlertFunction", copy.deepcopy(event))
    assert result == {"batchItemFailures": []}
    alerts = pipe.drain_alerts()
    assert [a["attributes"]["watch_id"] for a in alerts] == [["kostiantynivka"]]  # the burst is one message
    assert "Konstantinovka" in alerts[0]["text"] and "Kostiantynivka" in alerts[0]["text"]

    pipe.invoke("AlertFunction", copy.deepcopy(event))
    assert pipe.drain_alerts() == []


def test_digest_sends_one_message_per_digest_watch_per_period(local_pipeline):
    pipe = local_pipeline
    put_watches(pipe, WATCHES)
    pipe.invoke("AlertFunction", load_event("alert/claim_insert.json"))
    pipe.drain_alerts()
    assert pipe.invoke("DigestFunction", load_event("digest/schedule.json")) == {"digests_sent": 1}
    digests = pipe.drain_alerts()
    assert [a["attributes"]["watch_id"] for a in digests] == [["kostiantynivka-digest"]]
    assert pipe.invoke("DigestFunction", load_event("digest/schedule.json")) == {"digests_sent": 0}
    assert pipe.drain_alerts() == []


def test_extract_does_not_fail_an_article_over_an_odd_publication_date(local_pipeline):
    pipe = local_pipeline
    record = load_event("extract/article_batch.json")["Records"][0]
    article = json.loads(record["body"])
    article["published"] = "Thursday morning, Kyiv time"
    record["body"] = json.dumps(article)
    assert pipe.invoke("ExtractFunction", {"Records": [record]}) == {"batchItemFailures": []}
    claims = claim_store(pipe).scan_claims()
    assert claims and all(c.date is None or c.date[:2] == "20" for c in claims)


def test_fetch_fails_only_a_malformed_message_and_polls_the_rest(local_pipeline):
    pipe = local_pipeline
    store = feed_store(pipe)
    with FeedServer(FeedDirectory(DEMO_FEEDS)) as server:
        good = store.add_feed(server.url("donbas-wire"))
        event = load_event("fetch/feed_batch.json")
        event["Records"][0]["body"] = json.dumps({"feed_id": good.feed_id})
        event["Records"][1]["body"] = "not json"
        result = pipe.invoke("FetchFunction", event)
    assert result["batchItemFailures"] == [{"itemIdentifier": event["Records"][1]["messageId"]}]
    assert len(queued_bodies(pipe, "ArticleQueue")) >= 2


def test_fetch_requeues_every_unsent_article_when_a_send_fails(local_pipeline, monkeypatch):
    pipe = local_pipeline
    store = feed_store(pipe)
    with FeedServer(FeedDirectory(DEMO_FEEDS)) as server:
        good = store.add_feed(server.url("donbas-wire"))
        event = load_event("fetch/feed_batch.json")
        event["Records"] = event["Records"][:1]
        event["Records"][0]["body"] = json.dumps({"feed_id": good.feed_id})
        pipe.handler("FetchFunction")  # load the module, then break its queue client once
        module = __import__("sys").modules[f"claimwatch_fn_FetchFunction_{pipe.stack.prefix}"]
        real_send, calls = module.article_queue.sqs.send_message, []

        def send_failing_first(**kwargs):  # the first article's send fails, the later ones are unsent
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError("SQS unavailable")
            return real_send(**kwargs)

        monkeypatch.setattr(module.article_queue.sqs, "send_message", send_failing_first)
        with pytest.raises(BatchProcessingError):  # its only record failed: SQS redelivers it
            pipe.invoke("FetchFunction", copy.deepcopy(event))
        assert pipe.invoke("FetchFunction", copy.deepcopy(event))["batchItemFailures"] == []
    articles = {json.loads(b)["article_id"] for b in queued_bodies(pipe, "ArticleQueue")}
    assert len(articles) == len(calls) - 1 >= 2, "every article reached the queue exactly once"
