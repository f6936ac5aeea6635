"""DynamoNoveltyStore against moto: lookups are Queries (never a Scan), replays do not inflate
counts, and concurrent extract workers settle on one cluster."""

import sys
import threading
from datetime import datetime, timezone
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

sys.path.insert(0, str(Path(__file__).parents[1] / "unit" / "novelty"))
from claimfactory import make_claim  # noqa: E402

from claimwatch.novelty import assign_cluster, lookup_cluster  # noqa: E402
from claimwatch.novelty.fingerprint import NUM_BANDS  # noqa: E402
from claimwatch.store.novelty import DynamoNoveltyStore  # noqa: E402

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
CONTENT = "Russian forces have secured all approaches to Konstantinovka"


@pytest.fixture
def dynamodb(monkeypatch):
    for var, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                       ("AWS_SESSION_TOKEN", "testing"), ("AWS_DEFAULT_REGION", "eu-west-1")):
        monkeypatch.setenv(var, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        ddb = boto3.resource("dynamodb", region_name="eu-west-1")
        ddb.create_table(
            TableName="NoveltyTable",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield ddb


def claim(article_id, outlet, sentence=None, content=CONTENT, **kw):
    sentence = sentence or f"Kimakovsky said {content}."
    return make_claim(sentence, "Kimakovsky", "said", content, article_id=article_id, outlet=outlet, **kw)[0]


def count_calls(ddb):
    calls = {}
    ddb.meta.client.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.__setitem__(model.name, calls.get(model.name, 0) + 1))
    return calls


def test_join_replay_and_queries_per_band(dynamodb):
    store = DynamoNoveltyStore("NoveltyTable", dynamodb=dynamodb)
    first = assign_cluster(claim("a1", "Outlet One"), store, now=NOW)
    calls = count_calls(dynamodb)
    second = assign_cluster(claim("a2", "Outlet Two"), store, now=NOW)
    assert calls.get("Query") == NUM_BANDS and "Scan" not in calls
    for _ in range(2):  # replays
        again = assign_cluster(claim("a2", "Outlet Two"), store, now=NOW)
    assert first.is_new and not second.is_new and not again.is_new
    assert first.cluster_id == second.cluster_id == again.cluster_id
    assert (again.outlets, again.articles) == (2, 2)
    assert again.first_seen == "2026-11-20T12:00:00+00:00"
    other = assign_cluster(claim("a3", "Outlet Three", content="a fuel depot in Konstantinovka burned for two days"),
                           store, now=NOW)
    assert other.is_new and other.cluster_id != first.cluster_id
    item = dynamodb.Table("NoveltyTable").get_item(Key={"pk": f"cluster#{first.cluster_id}", "sk": "meta"})["Item"]
    assert item["outlets"] == {"Outlet One", "Outlet Two"} and int(item["expires_at"]) > 0


def test_denial_is_stored_as_a_development(dynamodb):
    store = DynamoNoveltyStore("NoveltyTable", dynamodb=dynamodb)
    first = assign_cluster(claim("a1", "Outlet One"), store, now=NOW)
    denial, _ = make_claim("The General Staff denied that Russian forces had secured all approaches to Konstantinovka.",
                           "The General Staff", "denied", "Russian forces had secured all approaches to Konstantinovka",
                           stance="deny", article_id="a2", outlet="Outlet Two", source_actor="actor:ua-general-staff")
    result = assign_cluster(denial, store, now=NOW)
    assert result.cluster_id == first.cluster_id
    assert [(d["kind"], d["outlet"]) for d in result.developments] == [("denial", "Outlet Two")]


class RacingDynamoStore(DynamoNoveltyStore):
    """Every worker's first lookup waits for all the others: all of them find nothing."""

    def __init__(self, *args, workers, **kw):
        super().__init__(*args, **kw)
        self.barrier = threading.Barrier(workers)
        self.local = threading.local()

    def candidates(self, keys):
        found = super().candidates(keys)
        if not getattr(self.local, "done", False):
            self.local.done = True
            self.barrier.wait(timeout=30)
        return found


def _race(dynamodb, claims):
    store = RacingDynamoStore("NoveltyTable", dynamodb=dynamodb, workers=len(claims))
    results, errors = [None] * len(claims), []

    def work(i):
        try:
            results[i] = assign_cluster(claims[i], store, now=NOW)
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(claims))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return store, results


def test_concurrent_workers_same_claim_one_cluster(dynamodb):
    store, results = _race(dynamodb, [claim(f"a{i}", f"Outlet {i}") for i in range(4)])
    assert len({r.cluster_id for r in results}) == 1
    assert sum(r.is_new for r in results) == 1
    final = store.get_clusters([results[0].cluster_id])[results[0].cluster_id]
    assert len(final.outlets) == 4


def test_concurrent_workers_different_wordings_one_cluster(dynamodb):
    contents = [CONTENT, "all approaches to Konstantinovka have been secured by Russian forces",
                "Russian forces secured all the approaches to Konstantinovka"]
    store, results = _race(dynamodb, [claim(f"a{i}", f"Outlet {i}", content=c) for i, c in enumerate(contents)])
    # A worker may have joined a cluster that merged into another afterwards: readers follow
    # merged_into (lookup_cluster), and every claim must lead to the same survivor.
    survivors = {lookup_cluster(store, r.cluster_id).cluster_id for r in results}
    assert len(survivors) == 1
    assert sum(r.is_new for r in results) == 1
    assert len(lookup_cluster(store, results[0].cluster_id).outlets) == 3
