from claimwatch.novelty import estimated_jaccard, fingerprint
from claimwatch.novelty.fingerprint import NUM_BANDS, content_tokens, sketch_similarity

from claimfactory import make_claim


def test_transliterated_place_names_fold_to_one_token():
    a, _ = make_claim(
        "Kimakovsky said Russian forces cleared a post in eastern Konstantinovka.",
        "Kimakovsky",
        "said",
        "Russian forces cleared a post in eastern Konstantinovka",
    )
    b, _ = make_claim(
        "Kimakovsky said Russian forces cleared a post in eastern Kostiantynivka.",
        "Kimakovsky",
        "said",
        "Russian forces cleared a post in eastern Kostiantynivka",
    )
    assert content_tokens(a) == content_tokens(b)
    assert fingerprint(a).exact == fingerprint(b).exact
    assert "geo:704147" in content_tokens(a)


def test_paraphrase_is_similar_and_different_claim_is_not():
    orig, _ = make_claim(
        "Kimakovsky said Russian forces have secured all approaches to Konstantinovka.",
        "Kimakovsky",
        "said",
        "Russian forces have secured all approaches to Konstantinovka",
    )
    para, _ = make_claim(
        "Kimakovsky said all approaches to Konstantinovka were now secured by Russian forces.",
        "Kimakovsky",
        "said",
        "all approaches to Konstantinovka were now secured by Russian forces",
    )
    other, _ = make_claim(
        "Kimakovsky said a fuel depot near Konstantinovka burned for two days after shelling.",
        "Kimakovsky",
        "said",
        "a fuel depot near Konstantinovka burned for two days after shelling",
    )
    f_orig, f_para, f_other = fingerprint(orig), fingerprint(para), fingerprint(other)
    assert estimated_jaccard(f_orig.signature, f_para.signature) >= 0.6
    assert estimated_jaccard(f_orig.signature, f_other.signature) < 0.4
    assert len(f_orig.bands) == NUM_BANDS
    assert set(f_orig.bands) & set(f_para.bands)


def test_source_key_prefers_actor_id_then_name():
    a, _ = make_claim(
        "He noted that the bridge at Bakhmut is down.",
        "He",
        "noted",
        "the bridge at Bakhmut is down",
        source_name="Oleh Marchenko",
    )
    assert fingerprint(a).source_key == "name:oleh marchenko"
    b, _ = make_claim(
        "The AFU said the bridge at Bakhmut is down.",
        "The AFU",
        "said",
        "the bridge at Bakhmut is down",
        source_actor="actor:armed-forces-of-ukraine",
    )
    assert fingerprint(b).source_key == "actor:armed-forces-of-ukraine"
    assert "actor:armed-forces-of-ukraine" in fingerprint(b).entity_keys


def test_place_inside_an_actor_name_and_place_read_as_person_do_not_count():
    from claimwatch.model import ActorRef, PlaceRef

    claim, text = make_claim(
        "Volkhov said the Armed Forces of Ukraine had left Dimitrov.",
        "Volkhov",
        "said",
        "the Armed Forces of Ukraine had left Dimitrov",
        places={},
        actors={},
    )
    start = text.index("Armed Forces of Ukraine")
    ukraine = text.index("Ukraine")
    dimitrov = text.index("Dimitrov")
    claim.actors = [
        ActorRef("Armed Forces of Ukraine", span=(start, start + 23), actor_id="actor:afu"),
        ActorRef("Dimitrov", span=(dimitrov, dimitrov + 8), actor_id="person:dimitrov"),
    ]
    claim.places = [
        PlaceRef("Ukraine", span=(ukraine, ukraine + 7), place_id="geo:690791"),
        PlaceRef("Dimitrov", span=(dimitrov, dimitrov + 8), place_id="geo:710035"),
    ]
    fp = fingerprint(claim)
    assert fp.place_keys == {"geo:710035"} and fp.actor_keys == {"actor:afu"}
    assert content_tokens(claim) == ["actor:afu", "left", "geo:710035"]


def test_one_source_spelled_two_ways_is_the_same_source():
    from claimwatch.novelty.fingerprint import similar_names

    assert similar_names("The Russian Defence Ministry", "Russia's Defence Ministry")
    assert not similar_names("Russian Defence Ministry", "General Staff of the Armed Forces of Ukraine")


def test_sketch_never_rates_a_pair_below_its_estimated_similarity():
    contents = [
        "Russian forces have secured all approaches to Konstantinovka",
        "all approaches to Konstantinovka were now secured by Russian forces",
        "Russian forces have fully secured all approaches to Konstantinovka overnight",
        "a fuel depot near Konstantinovka burned for two days after shelling",
        "the bridge at Bakhmut is down",
        "fire near Bakhmut",
        "drones shelled a depot near Bakhmut",
    ]
    fps = [fingerprint(make_claim(f"Kimakovsky said {c}.", "Kimakovsky", "said", c)[0]) for c in contents]
    assert all(len(fp.sketch) == 40 for fp in fps)
    gaps = []
    for a in fps:
        assert sketch_similarity(a.signature, a.sketch) == 1.0
        for b in fps:
            est, sk = estimated_jaccard(a.signature, b.signature), sketch_similarity(a.signature, b.sketch)
            assert sk >= est  # filtering on the sketch cannot drop a true match
            gaps.append(sk - est)
    assert max(gaps) <= 0.2  # and it is close: chance agreement of 4 low bits is 1 in 16
    assert sketch_similarity(fps[0].signature, "") == 1.0  # no sketch: the full test decides


def test_signature_round_trips_and_reads_the_older_hex_form():
    from claimwatch.novelty.fingerprint import decode_signature, encode_signature

    fp = fingerprint(
        make_claim(
            "Kimakovsky said the bridge at Bakhmut is down.", "Kimakovsky", "said", "the bridge at Bakhmut is down"
        )[0]
    )
    stored = encode_signature(fp.signature)
    assert len(stored) == 320  # 60 values of 4 bytes, base64: the hex form took 480
    assert decode_signature(stored) == fp.signature
    assert decode_signature("".join(f"{v:08x}" for v in fp.signature)) == fp.signature  # items written before
    assert decode_signature(None) == ()


def test_a_persons_russian_and_ukrainian_transliterations_are_one_source():
    from claimwatch.novelty.fingerprint import similar_names

    assert similar_names("Oleg Sinegubov", "Oleh Synehubov")
    assert similar_names("Oleksandr Syrskyi", "Oleksandr Syrsky")
    assert not similar_names("Oleh Kiper", "Oleh Synehubov")
