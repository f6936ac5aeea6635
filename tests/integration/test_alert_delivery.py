"""Alerts through SNS (moto) to SQS subscribers with filter policies: each subscriber receives
exactly the alerts it selects, and replays or concurrent alerters never send anything twice."""

import json
import threading
from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws

from claimwatch.alerts import AlertService
from claimwatch.local.template import create_template_table
from claimwatch.novelty import assign_cluster
from claimwatch.store.dynamo_alert_ledger import DynamoAlertStore
from claimwatch.store.dynamo_cluster_index import DynamoNoveltyStore
from claimwatch.store.topic import SnsPublisher

from claimfactory import make_claim
from fakewatch import FakeWatchIndex, Watch

REGION = "eu-west-1"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WATCHES = [
    Watch("pokrovsk", places=("geo:704422",)),
    Watch("bakhmut", places=("geo:712451",)),
    Watch("afu", actors=("actor:armed-forces-of-ukraine",)),
]


def report(article_id, outlet, content, source="Kimakovsky"):
    return make_claim(f"{source} said that {content}.", source, "said", content, article_id=article_id, outlet=outlet)[
        0
    ]


CLAIMS = [
    # one claim, re-reported by three outlets: one alert
    report("a1", "O1", "Russian forces have cleared an observation post in eastern Krasnoarmeyskoye"),
    report("a2", "O2", "Russian forces have cleared an observation post in eastern Krasnoarmeyskoye"),
    report("a3", "O3", "Russian forces cleared an observation post in the east of Krasnoarmeyskoye"),
    # a different claim about Bakhmut, under its Russian name
    report("a4", "O1", "artillery duels continued north of Artemovsk through the night"),
    # about the AFU in Pokrovsk: two watches
    report("a5", "O2", "the AFU pulled two brigades out of Pokrovsk", source="Colonel Hrytsenko"),
]


def table(ddb, name):
    create_template_table(ddb, name)  # "NoveltyTable", "AlertsTable": key schemas from template.yaml


@pytest.fixture
def aws(monkeypatch):
    for var, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_SESSION_TOKEN", "testing"),
        ("AWS_DEFAULT_REGION", REGION),
    ):
        monkeypatch.setenv(var, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        ddb = boto3.resource("dynamodb", region_name=REGION)
        table(ddb, "NoveltyTable")
        table(ddb, "AlertsTable")
        sns, sqs = boto3.client("sns", region_name=REGION), boto3.client("sqs", region_name=REGION)
        topic = sns.create_topic(Name="claimwatch-alerts")["TopicArn"]
        queues = {}
        for name, policy in (
            ("by-watch", {"watch_id": ["pokrovsk"]}),
            ("by-place", {"place_ids": ["geo:712451"]}),
            ("by-afu", {"watch_id": ["afu"]}),
            ("by-either", {"watch_id": ["pokrovsk", "afu"]}),
            ("everything", None),
        ):
            url = sqs.create_queue(QueueName=name)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            attrs = {"FilterPolicy": json.dumps(policy)} if policy else {}
            sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes=attrs)
            queues[name] = url
        yield {"ddb": ddb, "sns": sns, "sqs": sqs, "topic": topic, "queues": queues}


def drain(env, name):
    bodies = []
    while True:
        resp = env["sqs"].receive_message(
            QueueUrl=env["queues"][name], MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        )
        if not resp.get("Messages"):
            return bodies
        for msg in resp["Messages"]:
            bodies.append(json.loads(msg["Body"]))
            env["sqs"].delete_message(QueueUrl=env["queues"][name], ReceiptHandle=msg["ReceiptHandle"])


def alerted(bodies):
    """(watch ids, cluster ids, place ids) for each delivered SNS envelope."""
    out = []
    for body in bodies:
        doc = json.loads(body["Message"])  # the "sqs" variant: the JSON document
        clusters = [a["cluster"]["cluster_id"] for a in doc.get("alerts", [doc])]
        assert json.loads(body["MessageAttributes"]["watch_id"]["Value"]) == doc["watch_ids"]
        out.append((",".join(doc["watch_ids"]), tuple(clusters), body["MessageAttributes"]["place_ids"]["Value"]))
    return out


def service(env, novelty):
    return AlertService(
        DynamoAlertStore("AlertsTable", dynamodb=env["ddb"]),
        SnsPublisher(env["topic"], sns=env["sns"]),
        FakeWatchIndex(WATCHES),
        novelty,
        clock=lambda: NOW,
    )


def extract(novelty):
    for claim in CLAIMS:
        assign_cluster(claim, novelty, now=NOW)
    return CLAIMS


def test_subscribers_receive_exactly_what_their_filter_policy_selects_and_replays_send_nothing(aws):
    novelty = DynamoNoveltyStore("NoveltyTable", dynamodb=aws["ddb"])
    claims = extract(novelty)
    alerter = service(aws, novelty)
    for claim in claims:  # one stream record at a time, then the whole batch replayed twice
        alerter.handle([claim])
    alerter.handle(claims)
    alerter.handle(claims)

    everything = alerted(drain(aws, "everything"))
    by_watch = alerted(drain(aws, "by-watch"))
    by_place = alerted(drain(aws, "by-place"))
    pokrovsk_cluster = claims[0].cluster_id
    assert claims[1].cluster_id == claims[2].cluster_id == pokrovsk_cluster
    # The AFU-in-Pokrovsk claim matched two watches: one message lists both.
    assert sorted((w, c) for w, c, _ in everything) == sorted(
        [
            ("pokrovsk", (pokrovsk_cluster,)),
            ("bakhmut", (claims[3].cluster_id,)),
            ("afu,pokrovsk", (claims[4].cluster_id,)),
        ]
    )
    assert sorted((w, c) for w, c, _ in by_watch) == sorted(
        [("pokrovsk", (pokrovsk_cluster,)), ("afu,pokrovsk", (claims[4].cluster_id,))]
    )
    assert [(w, p) for w, _, p in by_place] == [("bakhmut", '["geo:712451"]')]


def test_email_gets_text_and_sqs_gets_json(aws):
    novelty = DynamoNoveltyStore("NoveltyTable", dynamodb=aws["ddb"])
    service(aws, novelty).handle(extract(novelty)[:1])
    (body,) = drain(aws, "everything")
    # carried by 3 outlets by now: high
    assert body["Subject"].startswith("[claimwatch high] pokrovsk: Kimakovsky - Russian forces")
    doc = json.loads(body["Message"])
    assert doc["claim"]["content"]["text"].startswith("Russian forces have cleared")
    assert doc["summary"].startswith("Kimakovsky — said — Russian forces have cleared")
    assert doc["cluster"]["outlets"] == 3


def test_email_variant_is_the_plain_text_body():
    from claimwatch.alerts.render import RenderedAlert
    from claimwatch.store.topic import sns_message

    envelope = json.loads(sns_message(RenderedAlert("s", "plain body", {"kind": "instant"}, {})))
    assert envelope["email"] == envelope["default"] == "plain body"
    # Machine subscribers get the structured alert and the same readable body.
    assert json.loads(envelope["sqs"]) == json.loads(envelope["https"]) == {"kind": "instant", "text": "plain body"}


def test_two_concurrent_alerters_replaying_every_record_send_each_alert_once(aws):
    novelty = DynamoNoveltyStore("NoveltyTable", dynamodb=aws["ddb"])
    claims = extract(novelty)
    alerters = [service(aws, novelty) for _ in range(2)]
    barrier = threading.Barrier(2)
    errors = []

    def run(alerter):
        try:
            barrier.wait(timeout=30)
            for claim in claims + claims:
                alerter.handle([claim])
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(a,)) for a in alerters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    pairs = [(w, c) for ws, cs, _ in alerted(drain(aws, "everything")) for c in cs for w in ws.split(",")]
    assert len(pairs) == len(set(pairs)) == 4


def test_digest_through_dynamodb_and_sns_is_sent_once_per_period(aws):
    from datetime import timedelta

    novelty = DynamoNoveltyStore("NoveltyTable", dynamodb=aws["ddb"])
    claims = extract(novelty)
    alerts = DynamoAlertStore("AlertsTable", dynamodb=aws["ddb"])
    daily = Watch("daily-pokrovsk", places=("geo:704422",), delivery="digest")
    clock = {"now": NOW}
    alerter = AlertService(
        alerts, SnsPublisher(aws["topic"], sns=aws["sns"]), FakeWatchIndex([daily]), novelty, clock=lambda: clock["now"]
    )
    outcomes = alerter.handle(claims)
    alerter.handle(claims)  # replayed: the pending items are keyed by claim, not duplicated
    assert {o.status for o in outcomes} == {"queued"} and drain(aws, "everything") == []
    clock["now"] = NOW + timedelta(hours=2)
    alerter.digest()
    alerter.digest()
    (body,) = drain(aws, "everything")
    doc = json.loads(body["Message"])
    assert doc["kind"] == "digest" and body["MessageAttributes"]["watch_id"]["Value"] == '["daily-pokrovsk"]'
    # two clusters match Pokrovsk: the three-outlet observation-post claim and the AFU claim
    assert sorted(len(g["claims"]) for g in doc["clusters"]) == [1, 3]
    assert alerts.pending("daily-pokrovsk") == {}


def test_a_failed_publish_releases_the_guard_and_the_retry_sends_once(aws):
    novelty = DynamoNoveltyStore("NoveltyTable", dynamodb=aws["ddb"])
    claims = extract(novelty)[:1]
    sns_publisher = SnsPublisher(aws["topic"], sns=aws["sns"])

    class FailOnce:
        failed = False

        def publish(self, rendered):
            if not self.failed:
                self.failed = True
                raise ConnectionError("SNS throttled")
            return sns_publisher.publish(rendered)

    alerter = AlertService(
        DynamoAlertStore("AlertsTable", dynamodb=aws["ddb"]),
        FailOnce(),
        FakeWatchIndex(WATCHES),
        novelty,
        clock=lambda: NOW,
    )
    assert [o.status for o in alerter.handle(claims)] == ["failed"]
    assert [o.status for o in alerter.handle(claims)] == ["sent"]
    assert [o.status for o in alerter.handle(claims)] == ["duplicate"]
    assert len(drain(aws, "everything")) == 1


def test_a_claim_matching_two_watches_reaches_a_subscriber_of_either_exactly_once(aws):
    """One message per claim: `watch_id` is a String.Array, so a filter policy on either watch
    (or both) selects it, and nobody gets the claim twice; replays add nothing."""
    novelty = DynamoNoveltyStore("NoveltyTable", dynamodb=aws["ddb"])
    claims = extract(novelty)
    both = claims[4]  # "the AFU pulled two brigades out of Pokrovsk": watches afu and pokrovsk
    alerter = service(aws, novelty)
    for _ in range(3):
        alerter.handle([both])
    for queue in ("by-watch", "by-afu", "by-either", "everything"):
        got = alerted(drain(aws, queue))
        assert got == [("afu,pokrovsk", (both.cluster_id,), '["geo:704422"]')], queue
    ledger = DynamoAlertStore("AlertsTable", dynamodb=aws["ddb"])
    assert (
        ledger.status("afu", f"{both.cluster_id}#instant")
        == ledger.status("pokrovsk", f"{both.cluster_id}#instant")
        == "sent"
    )


def test_chat_subscribers_get_chatbot_custom_notifications_selected_by_watch(aws):
    """ChatAlerts: the same alert on the chat topic as an AWS Chatbot custom notification, with
    the same attributes, so a Chatbot subscription filters by watch like any other; subscribers of
    the main topic never see the chat copy."""
    chat_topic = aws["sns"].create_topic(Name="claimwatch-chat")["TopicArn"]
    url = aws["sqs"].create_queue(QueueName="chat-afu")["QueueUrl"]
    arn = aws["sqs"].get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws["sns"].subscribe(
        TopicArn=chat_topic,
        Protocol="sqs",
        Endpoint=arn,
        Attributes={"FilterPolicy": json.dumps({"watch_id": ["afu"]})},
    )
    aws["queues"]["chat-afu"] = url
    novelty = DynamoNoveltyStore("NoveltyTable", dynamodb=aws["ddb"])
    claims = extract(novelty)
    alerter = AlertService(
        DynamoAlertStore("AlertsTable", dynamodb=aws["ddb"]),
        SnsPublisher(aws["topic"], sns=aws["sns"], chat_topic_arn=chat_topic),
        FakeWatchIndex(WATCHES),
        novelty,
        clock=lambda: NOW,
    )
    alerter.handle(claims)
    alerter.handle(claims)
    (chat,) = drain(aws, "chat-afu")  # only the AFU claim, once
    notification = json.loads(chat["Message"])
    assert notification["version"] == "1.0" and notification["source"] == "custom"
    content = notification["content"]
    assert content["textType"] == "client-markdown"
    assert content["title"].startswith("New claim (medium): afu, pokrovsk")
    assert "the *AFU* pulled two brigades out of *Pokrovsk*" in content["description"]
    assert "[[" not in content["description"] and content["keywords"][:2] == ["afu", "pokrovsk"]
    assert notification["metadata"]["threadId"] == claims[4].cluster_id
    assert json.loads(chat["MessageAttributes"]["watch_id"]["Value"]) == ["afu", "pokrovsk"]
    for body in drain(aws, "everything"):
        assert "version" not in json.loads(body["Message"]), "the main topic carries no chat copies"


def test_a_failed_chat_copy_never_resends_the_main_alert(aws):
    novelty = DynamoNoveltyStore("NoveltyTable", dynamodb=aws["ddb"])
    claims = extract(novelty)[:1]
    missing = aws["topic"].rsplit(":", 1)[0] + ":no-such-topic"
    alerter = AlertService(
        DynamoAlertStore("AlertsTable", dynamodb=aws["ddb"]),
        SnsPublisher(aws["topic"], sns=aws["sns"], chat_topic_arn=missing),
        FakeWatchIndex(WATCHES),
        novelty,
        clock=lambda: NOW,
    )
    assert [o.status for o in alerter.handle(claims)] == ["sent"]
    assert [o.status for o in alerter.handle(claims)] == ["duplicate"]
    assert len(drain(aws, "everything")) == 1
