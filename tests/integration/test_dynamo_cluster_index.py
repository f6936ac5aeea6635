"""DynamoNoveltyStore against moto: a lookup is one BatchGetItem of band items (never a Query per
band, never a Scan), founding a cluster files it with one UpdateItem per band and no re-check
reads, replays do not inflate counts, and concurrent extract workers settle on one cluster."""

import threading
import time
from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from claimwatch.local.template import create_template_table
from claimwatch.novelty import assign_cluster, lookup_cluster
from claimwatch.novelty.fingerprint import NUM_BANDS, fingerprint
from claimwatch.store.dynamo_cluster_index import BAND_CAPACITY, DynamoNoveltyStore

from claimfactory import general_staff_denial, make_claim

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CONTENT = "Russian forces have secured all approaches to Konstantinovka"


@pytest.fixture
def dynamodb(monkeypatch):
    for var, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_SESSION_TOKEN", "testing"),
        ("AWS_DEFAULT_REGION", "eu-west-1"),
    ):
        monkeypatch.setenv(var, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    # DynamoDB applies each request atomically; moto in-process does not under threads (a failed
    # transaction restores a copy of the whole table taken before it, undoing other threads'
    # writes). One request at a time: the races *between* requests, which these tests are
    # about, remain.
    lock, process = threading.RLock(), BotocoreStubber.process_request

    def one_at_a_time(self, request):
        with lock:
            return process(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", one_at_a_time)
    with mock_aws():
        ddb = boto3.resource("dynamodb", region_name="eu-west-1")
        create_template_table(ddb, "NoveltyTable")
        yield ddb


def claim(article_id, outlet, sentence=None, content=CONTENT, **kw):
    sentence = sentence or f"Kimakovsky said {content}."
    return make_claim(sentence, "Kimakovsky", "said", content, article_id=article_id, outlet=outlet, **kw)[0]


def record_calls(ddb):
    """(operation name, request params) of every DynamoDB call from now on."""
    calls = []
    ddb.meta.client.meta.events.register(
        "provide-client-params.dynamodb.*", lambda model, params, **_: calls.append((model.name, params))
    )
    return calls


def ops(calls):
    counts = {}
    for name, _ in calls:
        counts[name] = counts.get(name, 0) + 1
    return counts


def test_founding_files_each_band_once_and_reads_nothing_again(dynamodb):
    store = DynamoNoveltyStore("NoveltyTable", dynamodb=dynamodb)
    calls = record_calls(dynamodb)
    first = assign_cluster(claim("a1", "Outlet One"), store, now=NOW)
    assert first.is_new
    # one lookup of all band items (eventually consistent), the create, one write per band
    assert ops(calls) == {"BatchGetItem": 1, "PutItem": 1, "UpdateItem": NUM_BANDS}
    ((_, lookup),) = [c for c in calls if c[0] == "BatchGetItem"]
    spec = lookup["RequestItems"]["NoveltyTable"]
    assert len(spec["Keys"]) == NUM_BANDS and spec["ConsistentRead"] is False
    band = dynamodb.Table("NoveltyTable").get_item(Key={"pk": fingerprint(claim("a1", "x")).bands[0], "sk": "index"})
    assert set(band["Item"]) == {"pk", "sk", "clusters", "expires_at"}
    (entry,) = band["Item"]["clusters"]
    assert entry.startswith(first.cluster_id + ":") and int(band["Item"]["expires_at"]) > time.time()


def test_join_replay_and_one_batch_read_per_lookup(dynamodb):
    store = DynamoNoveltyStore("NoveltyTable", dynamodb=dynamodb)
    first = assign_cluster(claim("a1", "Outlet One"), store, now=NOW)
    calls = record_calls(dynamodb)
    second = assign_cluster(claim("a2", "Outlet Two"), store, now=NOW)
    # band items, then the candidate cluster, then the join: no Query, no Scan
    assert ops(calls) == {"BatchGetItem": 2, "UpdateItem": 1}
    for _ in range(2):  # replays
        again = assign_cluster(claim("a2", "Outlet Two"), store, now=NOW)
    assert first.is_new and not second.is_new and not again.is_new
    assert first.cluster_id == second.cluster_id == again.cluster_id
    assert (again.outlets, again.articles) == (2, 2)
    assert again.first_seen == "2026-11-20T12:00:00+00:00"
    other = assign_cluster(
        claim("a3", "Outlet Three", content="a fuel depot in Konstantinovka burned for two days"), store, now=NOW
    )
    assert other.is_new and other.cluster_id != first.cluster_id
    item = dynamodb.Table("NoveltyTable").get_item(Key={"pk": f"cluster#{first.cluster_id}", "sk": "meta"})["Item"]
    assert item["outlets"] == {"Outlet One", "Outlet Two"} and int(item["expires_at"]) > 0


def test_denial_is_stored_as_a_development(dynamodb):
    store = DynamoNoveltyStore("NoveltyTable", dynamodb=dynamodb)
    first = assign_cluster(claim("a1", "Outlet One"), store, now=NOW)
    denial = general_staff_denial()
    result = assign_cluster(denial, store, now=NOW)
    assert result.cluster_id == first.cluster_id
    assert [(d["kind"], d["outlet"]) for d in result.developments] == [("denial", "Outlet Two")]


class RacingDynamoStore(DynamoNoveltyStore):
    """Every worker's first lookup waits for all the others: all of them find nothing."""

    def __init__(self, *args, workers, **kw):
        super().__init__(*args, **kw)
        self.barrier = threading.Barrier(workers)
        self.local = threading.local()

    def candidates(self, keys, consistent=True):
        found = super().candidates(keys, consistent)
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
    # Different content words (three clusters are founded), similar enough to be one claim.
    contents = [
        CONTENT,
        "Russian forces have fully secured all approaches to Konstantinovka",
        "Russian forces have secured all approaches to Konstantinovka overnight",
    ]
    assert len({fingerprint(claim("x", "x", content=c)).exact for c in contents}) == 3
    store, results = _race(dynamodb, [claim(f"a{i}", f"Outlet {i}", content=c) for i, c in enumerate(contents)])
    # A worker may have joined a cluster that merged into another afterwards: readers follow
    # merged_into (lookup_cluster), and every claim must lead to the same survivor.
    survivors = {lookup_cluster(store, r.cluster_id).cluster_id for r in results}
    assert len(survivors) == 1
    assert sum(r.is_new for r in results) == 1
    assert len(lookup_cluster(store, results[0].cluster_id).outlets) == 3


class StaleFirstLookup(DynamoNoveltyStore):
    """An eventually consistent read that has not caught up yet: the first look finds nothing."""

    def candidates(self, keys, consistent=True):
        return super().candidates(keys, consistent) if consistent else {}


def test_a_cluster_missed_by_a_stale_lookup_is_found_when_filing(dynamodb):
    fresh = DynamoNoveltyStore("NoveltyTable", dynamodb=dynamodb)
    stale = StaleFirstLookup("NoveltyTable", dynamodb=dynamodb)
    first = assign_cluster(claim("a1", "Outlet One"), fresh, now=NOW)
    para = claim("a2", "Outlet Two", content="Russian forces have fully secured all approaches to Konstantinovka")
    assert fingerprint(para).exact != fingerprint(claim("a1", "Outlet One")).exact  # founds a cluster of its own
    second = assign_cluster(para, stale, now=NOW)
    assert not second.is_new and second.cluster_id == first.cluster_id
    assert second.outlets == 2
    # the founder replayed through the stale reader: its own cluster, counts unchanged
    again = assign_cluster(claim("a1", "Outlet One"), stale, now=NOW)
    assert again.is_new and again.cluster_id == first.cluster_id and (again.outlets, again.articles) == (2, 2)
    survivors = {lookup_cluster(fresh, r.cluster_id).cluster_id for r in (first, second, again)}
    assert survivors == {first.cluster_id}


def test_expired_band_entries_are_skipped_and_pruned(dynamodb):
    store = DynamoNoveltyStore("NoveltyTable", dynamodb=dynamodb)
    table = dynamodb.Table("NoveltyTable")
    fp = fingerprint(claim("a1", "Outlet One"))
    yesterday = int(time.time()) // 86400 - 1
    stale_entry = f"0123456789abcdef:{yesterday}:{fp.sketch}"  # a cluster past its TTL
    table.put_item(Item={"pk": fp.bands[0], "sk": "index", "clusters": {stale_entry}, "expires_at": 1})
    assert store.candidates(list(fp.bands)) == {}
    result = assign_cluster(claim("a1", "Outlet One"), store, now=NOW)
    assert result.is_new
    entries = table.get_item(Key={"pk": fp.bands[0], "sk": "index"})["Item"]["clusters"]
    assert stale_entry not in entries and {e.split(":")[0] for e in entries} == {result.cluster_id}


def test_a_full_band_item_takes_no_more_entries_but_still_answers(dynamodb):
    store = DynamoNoveltyStore("NoveltyTable", dynamodb=dynamodb)
    table = dynamodb.Table("NoveltyTable")
    fp = fingerprint(claim("a1", "Outlet One"))
    today = int(time.time()) // 86400
    # A band key shared by many unrelated clusters (their sketches: nothing like this claim).
    crowd = {f"{i:016x}:{today + 30}:{'A' * 40}" for i in range(BAND_CAPACITY)}
    table.put_item(Item={"pk": fp.bands[0], "sk": "index", "clusters": crowd, "expires_at": int(time.time()) + 86400})
    first = assign_cluster(claim("a1", "Outlet One"), store, now=NOW)
    assert first.is_new
    assert table.get_item(Key={"pk": fp.bands[0], "sk": "index"})["Item"]["clusters"] == crowd  # left full
    for band in fp.bands[1:]:  # filed under every other band
        entries = table.get_item(Key={"pk": band, "sk": "index"})["Item"]["clusters"]
        assert {e.split(":")[0] for e in entries} == {first.cluster_id}
    second = assign_cluster(claim("a2", "Outlet Two"), store, now=NOW)
    assert not second.is_new and second.cluster_id == first.cluster_id
    # a full band item still tells a founder what it holds: the race re-check does not lose it
    filed = store.index_cluster("feedfacecafebeef", [fp.bands[0]], fp.sketch)
    assert set(filed) == {f"{i:016x}" for i in range(BAND_CAPACITY)}


def _ministry(article_id, outlet, content, source="The ministry", actor=None, published="2026-11-20T08:00:00+00:00"):
    return make_claim(
        f"{source} said {content}.",
        source,
        "said",
        content,
        source_actor=actor,
        article_id=article_id,
        outlet=outlet,
        published=published,
    )[0]


def test_structured_keys_join_a_paraphrase_without_shared_words_within_budget(dynamodb):
    """Issue 14: (event type, town) keys are read in the same BatchGetItem as the bands, filed with
    the identity's features (no sketch) and a window-long expiry; the identity is stored on the
    cluster, so a re-report in other words by the same state's voice joins."""
    store = DynamoNoveltyStore("NoveltyTable", dynamodb=dynamodb)
    calls = record_calls(dynamodb)
    bulletin = _ministry(
        "a1", "Outlet One", "units had improved their positions on the eastern outskirts of Konstantinovka"
    )
    fp = fingerprint(bulletin)
    assert len(fp.structured) == 1
    first = assign_cluster(bulletin, store, now=NOW)
    assert ops(calls) == {"BatchGetItem": 1, "PutItem": 1, "UpdateItem": NUM_BANDS + 1}
    ((_, lookup),) = [c for c in calls if c[0] == "BatchGetItem"]
    assert {k["pk"] for k in lookup["RequestItems"]["NoveltyTable"]["Keys"]} == set(fp.bands) | set(fp.structured)
    table = dynamodb.Table("NoveltyTable")
    (entry,) = table.get_item(Key={"pk": fp.structured[0], "sk": "index"})["Item"]["clusters"]
    cluster_id, expiry_day, features = entry.split(":", 2)
    assert cluster_id == first.cluster_id and features.startswith("~") and len(entry) < 50
    assert int(expiry_day) <= int(time.time()) // 86400 + 5  # the window, not the 30-day TTL
    stored = table.get_item(Key={"pk": f"cluster#{first.cluster_id}", "sk": "meta"})["Item"]
    assert '"e":"advance"' in stored["identity"]

    calls.clear()
    wire = _ministry(
        "a2",
        "Outlet Two",
        "troops had advanced on the eastern edge of Konstantinovka",
        source="Moscow",
        published="2026-11-20T13:00:00+00:00",
    )
    second = assign_cluster(wire, store, now=NOW)
    assert not second.is_new and second.cluster_id == first.cluster_id and second.outlets == 2
    assert ops(calls) == {"BatchGetItem": 2, "UpdateItem": 1}  # keys, the candidate cluster, the join
    # the same words about another town stay new
    other = assign_cluster(
        _ministry("a3", "Outlet Three", "units had improved their positions on the eastern outskirts of Bakhmut"),
        store,
        now=NOW,
    )
    assert other.is_new


def test_clusters_stored_before_identities_still_match_by_words(dynamodb):
    store = DynamoNoveltyStore("NoveltyTable", dynamodb=dynamodb)
    first = assign_cluster(claim("a1", "Outlet One"), store, now=NOW)
    table = dynamodb.Table("NoveltyTable")
    table.update_item(
        Key={"pk": f"cluster#{first.cluster_id}", "sk": "meta"},
        UpdateExpression="REMOVE #i",
        ExpressionAttributeNames={"#i": "identity"},
    )
    second = assign_cluster(claim("a2", "Outlet Two"), store, now=NOW)
    assert not second.is_new and second.cluster_id == first.cluster_id
