import threading
from datetime import UTC, datetime

from claimwatch.novelty import InMemoryNoveltyStore, assign_cluster, fingerprint, lookup_cluster
from claimwatch.novelty.fingerprint import NUM_BANDS

from claimfactory import general_staff_denial, make_claim

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SENTENCE = "Kimakovsky said Russian forces have secured all approaches to Konstantinovka."
CONTENT = "Russian forces have secured all approaches to Konstantinovka"


def kimakovsky(article_id, outlet, sentence=SENTENCE, content=CONTENT, **kw):
    return make_claim(sentence, "Kimakovsky", "said", content, article_id=article_id, outlet=outlet, **kw)[0]


def test_restatement_by_second_outlet_joins_the_first_cluster():
    store = InMemoryNoveltyStore()
    first = assign_cluster(kimakovsky("a1", "Outlet One"), store, now=NOW)
    second = assign_cluster(kimakovsky("a2", "Outlet Two"), store, now=NOW)
    assert first.is_new and not second.is_new
    assert second.cluster_id == first.cluster_id
    assert (second.outlets, second.articles) == (2, 2)
    assert second.first_seen == "2026-11-20T12:00:00+00:00"


def test_replay_returns_same_answer_and_does_not_inflate_counts():
    store = InMemoryNoveltyStore()
    claim = kimakovsky("a1", "Outlet One")
    first = assign_cluster(claim, store, now=NOW)
    assign_cluster(kimakovsky("a2", "Outlet Two"), store, now=NOW)
    again = assign_cluster(kimakovsky("a1", "Outlet One"), store, now=NOW)
    assert again.is_new and again.cluster_id == first.cluster_id
    assert (again.outlets, again.articles) == (2, 2)
    assert claim.cluster_id == first.cluster_id and claim.fingerprint


def test_paraphrase_joins_but_a_different_claim_or_place_does_not():
    store = InMemoryNoveltyStore()
    first = assign_cluster(kimakovsky("a1", "Outlet One"), store, now=NOW)
    para = assign_cluster(
        kimakovsky(
            "a2",
            "Outlet Two",
            "Kimakovsky said all approaches to Konstantinovka are now secured by Russian forces.",
            "all approaches to Konstantinovka are now secured by Russian forces",
        ),
        store,
        now=NOW,
    )
    other_place = assign_cluster(
        kimakovsky(
            "a3",
            "Outlet Three",
            "Kimakovsky said Russian forces have secured all approaches to Kupyansk.",
            "Russian forces have secured all approaches to Kupyansk",
        ),
        store,
        now=NOW,
    )
    other_claim = assign_cluster(
        kimakovsky(
            "a4",
            "Outlet Three",
            "Kimakovsky said a fuel depot in Konstantinovka burned for two days.",
            "a fuel depot in Konstantinovka burned for two days",
        ),
        store,
        now=NOW,
    )
    assert para.cluster_id == first.cluster_id and not para.is_new
    assert other_place.is_new and other_place.cluster_id != first.cluster_id
    assert other_claim.is_new and other_claim.cluster_id not in (first.cluster_id, other_place.cluster_id)


def test_lookup_is_one_query_per_band_not_a_scan():
    store = InMemoryNoveltyStore()
    for i in range(30):
        assign_cluster(
            kimakovsky(
                f"x{i}",
                "Filler",
                f"Kimakovsky said unit {i} moved {i} tanks north of Bakhmut.",
                f"unit {i} moved {i} tanks north of Bakhmut",
            ),
            store,
            now=NOW,
        )
    store.lookups = store.index_writes = 0
    result = assign_cluster(kimakovsky("a2", "Outlet Two"), store, now=NOW)
    # founding a cluster: one lookup before creating; filing it under its keys is the re-check
    assert result.is_new and store.lookups == NUM_BANDS and store.index_writes == NUM_BANDS
    store.lookups = store.index_writes = 0
    assign_cluster(kimakovsky("a3", "Outlet Three"), store, now=NOW)
    assert store.lookups == NUM_BANDS and store.index_writes == 0


# Twenty distinct claims about Bakhmut, each four content words apart from the others.
_WORDS = (
    "drones shelled depot bridge convoy radar school hospital railway trench airfield ferry barracks "
    "tower pipeline warehouse checkpoint reservoir substation quarry"
).split()


def test_band_neighbours_that_are_not_similar_are_never_read():
    store = InMemoryNoveltyStore()
    for i in range(20):
        words = " ".join(_WORDS[(i + j) % 20] for j in (0, 3, 7, 12))
        assign_cluster(
            kimakovsky(f"x{i}", "Filler", f"Kimakovsky said {words} near Bakhmut.", f"{words} near Bakhmut"),
            store,
            now=NOW,
        )
    claim = kimakovsky("a1", "Outlet One", "Kimakovsky said fire near Bakhmut.", "fire near Bakhmut")
    neighbours = store.candidates(list(fingerprint(claim).bands))
    assert len(neighbours) >= 5  # narrow bands: "Bakhmut" alone makes many band neighbours
    store.clusters_read = 0
    result = assign_cluster(claim, store, now=NOW)
    assert result.is_new and store.clusters_read == 0  # the sketches ruled them all out


def test_denial_and_second_side_confirmation_are_developments():
    store = InMemoryNoveltyStore()
    first = assign_cluster(kimakovsky("a1", "Outlet One"), store, now=NOW)
    denial = general_staff_denial()
    denied = assign_cluster(denial, store, now=NOW)
    assert denied.cluster_id == first.cluster_id and not denied.is_new
    assert denied.development["kind"] == "denial"
    assert [d["kind"] for d in denied.developments] == ["denial"]
    # The same denial re-reported elsewhere is not a second development.
    denial2, _ = make_claim(
        "The General Staff denied that Russian forces had secured all approaches to Konstantinovka.",
        "The General Staff",
        "denied",
        "Russian forces had secured all approaches to Konstantinovka",
        stance="deny",
        article_id="a3",
        outlet="Outlet Three",
        source_actor="actor:ua-general-staff",
    )
    assert assign_cluster(denial2, store, now=NOW).development is None
    confirm, _ = make_claim(
        "Colonel Dunaev said Russian forces have secured all approaches to Konstantinovka.",
        "Colonel Dunaev",
        "said",
        CONTENT,
        article_id="a4",
        outlet="Outlet Four",
        source_name="Dunaev",
    )
    confirmed = assign_cluster(confirm, store, now=NOW)
    assert confirmed.development["kind"] == "confirmation" and confirmed.development["source"] == "Dunaev"
    assert sorted(d["kind"] for d in confirmed.developments) == ["confirmation", "denial"]
    assert confirmed.outlets == 4


class RacingStore(InMemoryNoveltyStore):
    """Holds every worker after its first lookup until all have looked: all see an empty store."""

    def __init__(self, workers):
        super().__init__()
        self.barrier = threading.Barrier(workers)
        self.first = threading.local()

    def candidates(self, keys, consistent=True):
        found = super().candidates(keys, consistent)
        if not getattr(self.first, "done", False):
            self.first.done = True
            self.barrier.wait(timeout=10)
        return found


def _race(claims):
    store = RacingStore(len(claims))
    results = [None] * len(claims)

    def work(i):
        results[i] = assign_cluster(claims[i], store, now=NOW)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(claims))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, store


def test_concurrent_workers_seeing_the_same_new_claim_end_with_one_cluster():
    results, _ = _race([kimakovsky(f"a{i}", f"Outlet {i}") for i in range(6)])
    assert len({r.cluster_id for r in results}) == 1
    assert sum(r.is_new for r in results) == 1
    assert max(r.outlets for r in results) == 6


def test_concurrent_workers_seeing_different_wordings_end_with_one_cluster():
    # Different content words (three clusters would be founded), similar enough to be one claim.
    wordings = [
        (f"Kimakovsky said {c}.", c)
        for c in (
            CONTENT,
            "Russian forces have fully secured all approaches to Konstantinovka",
            "Russian forces have secured all approaches to Konstantinovka overnight",
        )
    ]
    assert len({fingerprint(kimakovsky("x", "x", s, c)).exact for s, c in wordings}) == 3
    claims = [kimakovsky(f"a{i}", f"Outlet {i}", s, c) for i, (s, c) in enumerate(wordings)]
    results, store = _race(claims)
    survivors = {lookup_cluster(store, r.cluster_id).cluster_id for r in results}
    assert len(survivors) == 1, results
    assert len(lookup_cluster(store, results[0].cluster_id).outlets) == 3
    assert sum(r.is_new for r in results) == 1
