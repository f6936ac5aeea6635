"""Alert text that reads right (issue #17): balanced, de-duplicated source lines, no place among
the actors, the context sentence that holds the matched place, subjects cut at a word, one
severity, one message per claim whatever number of watches it matched."""

import json

from claimwatch.alerts import AlertService, InMemoryAlertStore
from claimwatch.alerts.render import combine_alerts, cut_at_word, render_alert, source_label
from claimwatch.model import ActorRef
from claimwatch.novelty import ClusterResult, InMemoryNoveltyStore, assign_cluster
from claimwatch.store.topic import InMemoryPublisher

from claimfactory import make_claim
from fakewatch import FakeWatchIndex, Match, Watch

POKROVSK = "geo:704422"


def cluster(outlets=1):
    return ClusterResult(cluster_id="c1", is_new=True, outlets=outlets, articles=1, first_seen="2026-11-20")


def test_a_role_cut_inside_brackets_is_closed():
    claim, _ = make_claim(
        "Russian units advanced, according to Volkhov.", "Volkhov", "according to", "Russian units advanced"
    )
    claim.source.role = "adviser to the head of the Donetsk People's Republic (DPR"
    label = source_label(claim)
    assert label == "Volkhov, adviser to the head of the Donetsk People's Republic (DPR)"
    alert = render_alert(claim, [], cluster())
    assert "(DPR) — according to — Russian units advanced" in alert.text
    assert "(DPR -" not in alert.subject and alert.subject.count("(") == alert.subject.count(")")
    claim.source.role = "spokesman) for the army ["
    assert source_label(claim) == "Volkhov, spokesman for the army"


def test_a_role_the_name_already_says_is_not_repeated():
    sentence = "The spokesman for the General Staff said that the bridge held."
    claim, _ = make_claim(sentence, "The spokesman for the General Staff", "said", "the bridge held")
    claim.source.role = "spokesman for the General Staff"
    assert source_label(claim) == "The spokesman for the General Staff"
    claim.source.role = "spokesman for the General Staff of the Armed Forces"
    assert source_label(claim).endswith(", spokesman for the General Staff of the Armed Forces")


def test_places_are_never_actor_names():
    claim, _ = make_claim("Volkhov said that AFU units left Pokrovsk.", "Volkhov", "said", "AFU units left Pokrovsk")
    pokrovsk = claim.places[0]
    claim.actors.append(ActorRef(text="Pokrovsk", name="Pokrovsk", span=pokrovsk.span, actor_id="org:pokrovsk"))
    claim.actors.append(ActorRef(text="Donetsk", name="Donetsk", span=None, actor_id="geo:709717"))
    attrs = render_alert(claim, [], cluster()).attributes
    assert json.loads(attrs["actor_names"]["StringValue"]) == ["AFU"]
    assert json.loads(attrs["place_names"]["StringValue"]) == ["Pokrovsk"]


def test_context_is_the_sentence_holding_the_matched_place_in_a_quotation_over_sentences():
    prefix = "Fictional lede about the weather. Nothing else happened. "
    quote = (
        '"Our units entered Krasnoarmeyskoye overnight. The enemy is retreating in disorder," '
        "the adviser said. Later that day the rain stopped."
    )
    content = "Our units entered Krasnoarmeyskoye overnight. The enemy is retreating in disorder"
    claim, text = make_claim(quote, "the adviser", "said", content, prefix=prefix)
    last = text.index("The enemy")
    claim.sentence_span = (last, text.index("Later") - 1)  # what extraction gives: the cue's sentence
    matches = FakeWatchIndex([Watch("pokrovsk", places=(POKROVSK,))]).match(claim)
    context = render_alert(claim, matches, cluster(), text).text.split("In context:\n  ")[1].splitlines()[0]
    assert context == (
        '"Our units entered [[Krasnoarmeyskoye]] overnight. The enemy is retreating in disorder," the adviser said.'
    )


def test_subjects_are_cut_at_a_word_boundary_with_an_ellipsis():
    content = (
        "Russian forces have cleared an observation post in eastern Krasnoarmeyskoye and pushed on "
        "towards the railway station after heavy overnight shelling"
    )
    claim, _ = make_claim(f"Volkhov said that {content}.", "Volkhov", "said", content)
    subject = render_alert(claim, [], cluster()).subject
    assert len(subject) <= 99 and subject.endswith("...")
    last_word = subject[:-3].split()[-1]
    assert last_word in content.split(), f"cut inside a word: {last_word!r}"
    assert cut_at_word("alpha beta gamma", 12) == "alpha beta…"
    assert cut_at_word("x" * 30, 10, "...") == "xxxxxxx..."


def rig(*watches):
    novelty, publisher = InMemoryNoveltyStore(), InMemoryPublisher()
    return AlertService(InMemoryAlertStore(), publisher, FakeWatchIndex(watches), novelty), novelty, publisher


def test_one_message_per_claim_lists_every_watch_and_one_severity():
    service, novelty, publisher = rig(
        Watch("pokrovsk", places=(POKROVSK,)),
        Watch("afu", actors=("actor:armed-forces-of-ukraine",)),
        Watch("other", places=("geo:712451",)),
    )
    claim, _ = make_claim(
        "Volkhov said that the AFU pulled two brigades out of Pokrovsk.",
        "Volkhov",
        "said",
        "the AFU pulled two brigades out of Pokrovsk",
    )
    assign_cluster(claim, novelty)
    outcomes = service.handle([claim])
    service.handle([claim])  # a replay sends nothing
    assert len(publisher.messages) == 1
    (message,) = publisher.messages
    assert json.loads(message.attributes["watch_id"]["StringValue"]) == ["afu", "pokrovsk"]
    assert message.text.startswith("New claim for watches afu, pokrovsk (severity medium)")
    assert "  - watch afu: " in message.text and "  - watch pokrovsk: " in message.text
    assert message.subject.startswith("[claimwatch medium] afu, pokrovsk: Volkhov")
    assert sorted((o.watch_id, o.status) for o in outcomes) == [("afu", "sent"), ("pokrovsk", "sent")]


def test_a_combined_message_has_one_severity_in_subject_and_body():
    claim_a, _ = make_claim(
        "Volkhov said that AFU units left Pokrovsk.", "Volkhov", "said", "AFU units left Pokrovsk", article_id="a1"
    )
    claim_b, _ = make_claim(
        "Someone said that Pokrovsk was shelled.", "Someone", "said", "Pokrovsk was shelled", article_id="a2"
    )
    matches = FakeWatchIndex([Watch("pokrovsk", places=(POKROVSK,))])
    a = render_alert(claim_a, matches.match(claim_a), cluster(3), severity="high")
    b = render_alert(claim_b, matches.match(claim_b), cluster(1), severity="low")
    combined = combine_alerts([a, b], [claim_a, claim_b], [cluster(3), cluster(1)])
    assert combined.subject.startswith("[claimwatch high] pokrovsk: 2 new claims")
    assert combined.text.startswith("2 new claims for watch pokrovsk (severity high)")
    assert "severity low" not in combined.text and "(severity" not in combined.text.split("\n", 1)[1]
    assert combined.attributes["severity"]["StringValue"] == "high"


def test_a_marked_span_never_splits_a_bracket():
    sentence = "Russian forces advanced, according to Igor Volkhov, an adviser to the head of the DPR (Donetsk)."
    claim, text = make_claim(
        sentence, "Igor Volkhov, an adviser to the head of the DPR (Donetsk", "according to", "Russian forces advanced"
    )
    matches = [Match("dpr", "source", "actor:igor-volkhov", claim.source.text, claim.source.span, "source")]
    body = render_alert(claim, matches, cluster(), text).text
    assert "[[Igor Volkhov, an adviser to the head of the DPR (Donetsk)]]." in body
