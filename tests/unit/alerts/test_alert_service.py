import json
import threading
from datetime import UTC, datetime, timedelta

import pytest

from claimwatch.alerts import AlertService, InMemoryAlertStore
from claimwatch.novelty import InMemoryNoveltyStore, assign_cluster
from claimwatch.store.topic import InMemoryPublisher

from claimfactory import make_claim
from fakewatch import FakeWatchIndex, Watch

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
POKROVSK = "geo:704422"


def report(
    article_id,
    outlet,
    content="Russian forces have cleared an observation post in eastern Krasnoarmeyskoye",
    source="Kimakovsky",
    stance="assert",
    cue="said",
):
    claim, _ = make_claim(
        f"{source} {cue} that {content}.", source, cue, content, article_id=article_id, outlet=outlet, stance=stance
    )
    return claim


class Rig:
    def __init__(self, *watches, publisher=None):
        self.novelty = InMemoryNoveltyStore()
        self.alerts = InMemoryAlertStore()
        self.publisher = publisher or InMemoryPublisher()
        self.index = FakeWatchIndex(watches)
        self.now = NOW
        self.service = self.new_service()

    def new_service(self, publisher=None):
        return AlertService(self.alerts, publisher or self.publisher, self.index, self.novelty, clock=lambda: self.now)

    def extract(self, *claims):
        """What the extract function does before storing: put each claim in its cluster."""
        for c in claims:
            assign_cluster(c, self.novelty, now=self.now)
        return list(claims)

    @property
    def sent(self):
        return self.publisher.messages


def watch_ids(message) -> list:
    """The String.Array attribute subscription filter policies select on."""
    return json.loads(message.attributes["watch_id"]["StringValue"])


def test_one_alert_however_many_outlets_repeat_the_claim_and_replays_send_nothing():
    rig = Rig(Watch("pokrovsk", places=(POKROVSK,)))
    batch1 = rig.extract(report("a1", "Outlet One"))
    batch2 = rig.extract(report("a2", "Outlet Two"), report("a3", "Outlet Three"))
    rig.service.handle(batch1)
    out2 = rig.service.handle(batch2)
    assert len(rig.sent) == 1 and {o.status for o in out2} == {"duplicate"}
    for batch in (batch1, batch2, batch1 + batch2):  # retried batches, redelivered records
        rig.service.handle(batch)
    assert len(rig.sent) == 1
    assert watch_ids(rig.sent[0]) == ["pokrovsk"]


def test_a_burst_for_one_watch_is_one_message_and_other_watches_get_their_own():
    rig = Rig(Watch("pokrovsk", places=(POKROVSK,)), Watch("bakhmut", places=("geo:712451",)))
    claims = rig.extract(
        report("a1", "O1"),
        report("a2", "O1", content="a fuel depot in Krasnoarmeyskoye burned for two days"),
        report("a3", "O1", content="the rail bridge outside Krasnoarmeyskoye was destroyed overnight"),
        report("a4", "O1", content="artillery duels continued north of Bakhmut through the night"),
    )
    outcomes = rig.service.handle(claims)
    assert sorted(watch_ids(m) for m in rig.sent) == [["bakhmut"], ["pokrovsk"]]
    burst = next(m for m in rig.sent if watch_ids(m) == ["pokrovsk"])
    assert burst.json["count"] == 3 and "3 new claims for watch pokrovsk (severity medium)" in burst.text
    assert len({o.message_id for o in outcomes if o.watch_id == "pokrovsk"}) == 1


def test_corroborated_watch_fires_once_when_the_cluster_reaches_n_outlets():
    rig = Rig(Watch("confirmed-only", places=(POKROVSK,), corroborated=3))
    for i, outlet in enumerate(["O1", "O2", "O2", "O3", "O4"]):
        rig.service.handle(rig.extract(report(f"a{i}", outlet)))
        if i < 3:  # O1, O2, O2 again: two outlets
            assert rig.sent == []
    assert len(rig.sent) == 1
    assert rig.sent[0].json["kind"] == "corroborated" and rig.sent[0].json["cluster"]["outlets"] == 3
    assert rig.sent[0].attributes["severity"]["StringValue"] == "high"


def test_a_later_denial_is_one_development_alert():
    rig = Rig(Watch("pokrovsk", places=(POKROVSK,)))
    rig.service.handle(rig.extract(report("a1", "O1")))
    denial = report(
        "a2",
        "O2",
        source="General Staff",
        cue="denied",
        stance="deny",
        content="Russian forces had cleared an observation post in eastern Krasnoarmeyskoye",
    )
    denial_again = report(
        "a3",
        "O3",
        source="General Staff",
        cue="denied",
        stance="deny",
        content="Russian forces had cleared an observation post in eastern Krasnoarmeyskoye",
    )
    rig.service.handle(rig.extract(denial))
    rig.service.handle([denial])
    rig.service.handle(rig.extract(denial_again))
    assert [m.json["kind"] for m in rig.sent] == ["instant", "development"]
    assert "Development on a claim" in rig.sent[1].text and "denial by General Staff" in rig.sent[1].text


def test_a_denial_in_the_same_batch_is_folded_into_the_first_alert():
    rig = Rig(Watch("pokrovsk", places=(POKROVSK,)))
    original = report("a1", "O1")
    denial = report(
        "a2",
        "O2",
        source="General Staff",
        cue="denied",
        stance="deny",
        content="Russian forces had cleared an observation post in eastern Krasnoarmeyskoye",
    )
    rig.extract(original, denial)
    outcomes = rig.service.handle([original, denial])
    assert len(rig.sent) == 1 and "denial by General Staff" in rig.sent[0].text
    assert {o.status for o in outcomes} == {"sent", "duplicate", "included"}
    rig.service.handle([original, denial])
    assert len(rig.sent) == 1


class FlakyPublisher(InMemoryPublisher):
    def __init__(self, failures):
        super().__init__()
        self.failures = failures

    def publish(self, rendered):
        if self.failures:
            self.failures -= 1
            raise ConnectionError("SNS unavailable")
        return super().publish(rendered)


def test_a_failed_publish_is_reported_and_the_retry_sends_it_once():
    rig = Rig(Watch("pokrovsk", places=(POKROVSK,)), publisher=FlakyPublisher(failures=1))
    claims = rig.extract(report("a1", "O1"))
    first = rig.service.handle(claims)
    assert [o.status for o in first] == ["failed"] and rig.sent == []
    rig.service.handle(claims)
    rig.service.handle(claims)
    assert len(rig.sent) == 1


def test_concurrent_services_never_send_the_same_alert_twice():
    rig = Rig(Watch("pokrovsk", places=(POKROVSK,)), Watch("actors", actors=("actor:russian-armed-forces",)))
    claims = rig.extract(
        *[report(f"a{i}", f"O{i}") for i in range(5)],
        report("b1", "O1", content="Russian forces shelled a school in Krasnoarmeyskoye"),
    )
    services = [rig.new_service() for _ in range(4)]
    barrier = threading.Barrier(len(services))

    def run(service):
        barrier.wait(timeout=10)
        for _ in range(3):
            service.handle(claims)

    threads = [threading.Thread(target=run, args=(s,)) for s in services]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pairs = [
        (w, a["cluster"]["cluster_id"])
        for m in rig.sent
        for a in m.json.get("alerts", [m.json])
        for w in a["watch_ids"]
    ]
    assert len(pairs) == len(set(pairs)) == 4  # 2 watches x 2 clusters, each exactly once


@pytest.fixture
def digest_rig():
    return Rig(Watch("daily", places=(POKROVSK,), delivery="digest"))


def test_digest_lists_new_claims_grouped_by_cluster_once_per_period(digest_rig):
    rig = digest_rig
    outcomes = rig.service.handle(
        rig.extract(
            report("a1", "O1"),
            report("a2", "O2"),
            report("a3", "O1", content="a fuel depot in Krasnoarmeyskoye burned for two days"),
        )
    )
    assert {o.status for o in outcomes} == {"queued"} and rig.sent == []
    rig.now = NOW + timedelta(hours=1)
    rig.service.digest()
    rig.service.digest()  # the schedule fired twice
    assert len(rig.sent) == 1
    digest = rig.sent[0]
    assert digest.json["kind"] == "digest" and len(digest.json["clusters"]) == 2
    assert [len(g["claims"]) for g in digest.json["clusters"]] == [2, 1]
    assert "1. Kimakovsky — said — Russian forces have cleared" in digest.text and "[2 outlet(s)]" in digest.text
    # Next period: a re-report of an already digested cluster is not new; a new claim is.
    rig.service.handle(
        rig.extract(
            report("a4", "O3"), report("a5", "O3", content="the rail bridge outside Krasnoarmeyskoye was destroyed")
        )
    )
    rig.now = NOW + timedelta(days=1, hours=1)
    rig.service.digest()
    assert len(rig.sent) == 2 and len(rig.sent[1].json["clusters"]) == 1
    assert "rail bridge" in rig.sent[1].text


class _DiesMidSend:
    """A publisher whose process dies during the publish (a Lambda timeout): nothing is released."""

    def publish(self, rendered):
        raise SystemExit("Lambda timed out")


def test_an_alert_whose_sender_died_is_retried_not_dropped():
    rig = Rig(Watch("pokrovsk", places=(POKROVSK,)))
    batch = rig.extract(report("a1", "Outlet One"))
    with pytest.raises(SystemExit):
        rig.new_service(publisher=_DiesMidSend()).handle(batch)
    # The stream retries at once: the guard is still leased, so the claim is reported failed
    # (Lambda retries it again), never counted as already sent.
    retry = rig.service.handle(batch)
    assert [o.status for o in retry] == ["failed"] and rig.sent == []
    rig.now = NOW + rig.service.lease + timedelta(seconds=1)  # the dead sender's lease is over
    assert [o.status for o in rig.service.handle(batch)] == ["sent"]
    assert len(rig.sent) == 1


@pytest.mark.parametrize(
    "expression, period",
    [
        ("rate(1 hour)", timedelta(hours=1)),
        ("rate(15 minutes)", timedelta(minutes=15)),
        ("rate(2 days)", timedelta(days=2)),
        ("cron(0 8 * * ? *)", timedelta(days=1)),
        (None, timedelta(days=1)),
    ],
)
def test_the_digest_period_follows_the_digest_schedule(expression, period):
    from claimwatch.alerts.policy import digest_period

    assert digest_period(expression) == period
