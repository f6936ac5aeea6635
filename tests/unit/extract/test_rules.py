"""Each reported-speech form from the issue, on short invented sentences."""

from __future__ import annotations

import datetime as dt

import pytest

from claimwatch import model
from claimwatch.extract.attribution import extract_attributions
from claimwatch.extract.dates import resolve_date
from claimwatch.extract.display import format_claims_text

pytestmark = pytest.mark.slow


def claims_of(nlp, text, published=None):
    claims = extract_attributions(nlp(text), published)
    for c in claims:  # every span points into the text as given
        for part in (c.source, c.cue):
            if part.span:
                assert text[part.span[0] : part.span[1]] == part.text
        assert c.content.span[0] < c.content.span[1] <= len(text)
    return claims


def only(claims):
    assert len(claims) == 1, [(c.cue.text, c.content.text) for c in claims]
    return claims[0]


def content(text, claim):
    return text[claim.content.span[0] : claim.content.span[1]]


@pytest.mark.parametrize(
    "text, source, cue, body",
    [
        (
            "Minister Ana Ruiz said that the bridge would reopen in June.",
            "Minister Ana Ruiz",
            "said",
            "that the bridge would reopen in June",
        ),
        ("The bridge will reopen in June, Ruiz said.", "Ruiz", "said", "The bridge will reopen in June"),
        ("Ruiz told Reuters the bridge would reopen in June.", "Ruiz", "told", "the bridge would reopen in June"),
        (
            "The ministry said in a statement that the bridge would reopen.",
            "The ministry",
            "said",
            "that the bridge would reopen",
        ),
        (
            "According to the ministry, the bridge will reopen in June.",
            "the ministry",
            "According to",
            "the bridge will reopen in June",
        ),
        (
            "The bridge will reopen in June, according to the ministry.",
            "the ministry",
            "according to",
            "The bridge will reopen in June",
        ),
    ],
)
def test_reporting_forms(nlp, text, source, cue, body):
    c = only(claims_of(nlp, text))
    assert (c.source.text, c.cue.text, content(text, c)) == (source, cue, body)


def test_parenthetical_cue_content_skips_cue(nlp):
    text = "This approach, he claimed, mirrors the tactics used last year."
    c = only(claims_of(nlp, text))
    assert c.cue.text == "claimed" and c.source.text == "he"
    assert c.content.text == "This approach … mirrors the tactics used last year"


def test_quote_across_sentence_breaks_and_continuation(nlp):
    text = '"We are ready. The trucks are loaded," said Omar Haddad. "We leave at dawn."'
    c = only(claims_of(nlp, text))
    assert c.source.name == "Omar Haddad"
    assert content(text, c).startswith("We are ready.") and content(text, c).endswith("We leave at dawn.")


def test_quote_introduced_by_colon(nlp):
    text = 'Haddad said: "The road is closed. Nobody can pass."'
    c = only(claims_of(nlp, text))
    assert content(text, c) == "The road is closed. Nobody can pass."


def test_possessive_claim_noun(nlp):
    text = "Haddad's claim that the road was mined was never verified."
    c = only(claims_of(nlp, text))
    assert c.source.text == "Haddad" and c.cue.text == "claim" and content(text, c) == "that the road was mined"


def test_denial_has_negative_stance(nlp):
    text = "The army denied that its troops had entered the village."
    c = only(claims_of(nlp, text))
    assert c.stance == "deny" and c.source.type == "body"


@pytest.mark.parametrize(
    "text, cue",
    [
        ("Troops reportedly entered the village overnight.", "reportedly"),
        ("The general is said to be furious about the retreat.", "is said"),
    ],
)
def test_hedges_are_flagged_not_dropped(nlp, text, cue):
    c = only(claims_of(nlp, text))
    assert c.hedged and c.cue.text == cue and c.source.type == "unknown"


def test_hedge_on_a_sourced_claim(nlp):
    text = "The mayor reportedly said that the election would be delayed."
    c = only(claims_of(nlp, text))
    assert c.hedged and c.source.text == "The mayor"


@pytest.mark.parametrize(
    "sentence",
    [
        "He said goodbye to his family.",
        "She said hello to the guards and left.",
        "They told stories until midnight.",
    ],
)
def test_reporting_verb_without_proposition_is_no_claim(nlp, sentence):
    assert claims_of(nlp, sentence) == []


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Residents say the water has been cut for a week.", "group"),
        ("The health ministry said the clinic would close.", "body"),
        ("A source familiar with the matter said the deal was off.", "anonymous"),
        ("Officials, who spoke on condition of anonymity, said the deal was off.", "anonymous"),
    ],
)
def test_source_types(nlp, text, kind):
    assert only(claims_of(nlp, text)).source.type == kind


def test_title_and_apposition_roles(nlp):
    text = (
        "Russian President Vladimir Putin said the talks had failed. "
        "Maria Olsen, a spokesperson for the IAEA, said inspectors had left."
    )
    first, second = claims_of(nlp, text)
    assert (first.source.name, first.source.role) == ("Vladimir Putin", "Russian President")
    assert (second.source.name, second.source.role) == ("Maria Olsen", "spokesperson for the IAEA")


def test_pronoun_and_nominal_sources_resolve(nlp):
    text = (
        "Ivan Petrenko, the governor of the region, said the dam was damaged. "
        "He added that repairs would take months. The governor also warned that more rain was coming. "
        "Putin later said the dam was safe."
    )
    claims = claims_of(nlp, text)
    assert [c.source.name for c in claims] == ["Ivan Petrenko", "Ivan Petrenko", "Ivan Petrenko", "Putin"]
    assert claims[1].source.text == "He" and claims[2].source.text == "The governor"


def test_nested_attribution_is_linked_by_the_pipeline(nlp):
    from claimwatch.pipeline import claims_from_doc

    text = "Officials said the mayor had claimed that the funds were spent."
    claims = claims_from_doc(nlp(text), with_entities=False)
    outer = next(c for c in claims if c.cue.lemma == "say")
    inner = next(c for c in claims if c.cue.lemma == "claim")
    assert inner.parent_id == outer.id and outer.parent_id is None
    assert content(text, inner) == "that the funds were spent"


def test_claim_dates_resolved_against_publication(nlp):
    pub = dt.date(2025, 11, 26)  # a Wednesday
    text = (
        "On November 20th, the mayor said the bridge was closed. "
        "The police said on Tuesday that two men were arrested. "
        "Residents said yesterday that the water was back. "
        "Engineers say the bridge is unsafe."
    )
    dates = [c.date for c in claims_of(nlp, text, pub)]
    assert dates == ["2025-11-20", "2025-11-25", "2025-11-25", None]


def test_resolve_date_without_publication_keeps_only_full_dates():
    assert resolve_date("March 3, 2024", None) == dt.date(2024, 3, 3)
    assert resolve_date("yesterday", None) is None
    assert resolve_date("Nov. 20", dt.date(2026, 1, 5)) == dt.date(2025, 11, 20)


def test_ner_corrections_by_rule(nlp):
    text = (
        "Kimakovsky said the fighting continued. According to Kimakovsky, the city is surrounded. "
        "The people of Donbass were tired, and fighting in Donbass went on across the Donbass region."
    )
    doc = nlp(text)
    labels = {(e.text, e.label_) for e in doc.ents}
    assert ("Kimakovsky", "ORG") not in labels
    assert ("Donbass", "PERSON") not in labels


def test_display_shows_source_cue_content_and_flags(nlp):
    text = "The army denied that its troops had entered the village, a spokesman said."
    claims = claims_of(nlp, text)
    out = format_claims_text(claims, text)
    assert "denied" in out and "DENIAL" in out and "its troops had entered the village" in out
    assert format_claims_text([], text) == "no claims found"


def test_pipeline_attaches_entities_inside_content_and_sets_ids(nlp, monkeypatch):
    from claimwatch import pipeline

    text = "Mayor Jan Kos said the bridge in Lipno was closed. Lipno is quiet."
    inside, outside = text.index("Lipno"), text.rindex("Lipno")
    places = [
        model.PlaceRef(text="Lipno", span=(inside, inside + 5), place_id="geo:1"),
        model.PlaceRef(text="Lipno", span=(outside, outside + 5), place_id="geo:1"),
    ]
    actors = [model.ActorRef(text="Jan Kos", span=(6, 13), actor_id="actor:jan-kos")]
    monkeypatch.setattr(
        pipeline,
        "_resolvers",
        lambda: (lambda d: places, lambda d: actors, lambda name: "actor:jan-kos" if "Kos" in name else None),
    )
    prov = model.Provenance(article_id="a1", url="http://127.0.0.1/a1")
    first = pipeline.claims_from_doc(nlp(text), "2025-01-02", prov)
    again = pipeline.claims_from_doc(nlp(text), "2025-01-02", prov)
    c = only(first)
    assert [p.span for p in c.places] == [(inside, inside + 5)]
    assert c.actors == []  # the actor is the source, not inside the content
    assert c.source.actor_id == "actor:jan-kos" and c.provenance.article_id == "a1"
    assert c.id and c.id == again[0].id
    assert model.Claim.from_dict(c.to_dict()).to_dict() == c.to_dict()


def test_get_nlp_is_cached_and_carries_the_rule_components(nlp, monkeypatch):
    from claimwatch.extract import nlp as nlp_module

    assert nlp_module.get_nlp() is nlp
    assert {"claimwatch_paragraphs", "claimwatch_ner_fixes"} <= set(nlp.pipe_names)
    monkeypatch.setenv("CLAIMWATCH_SPACY_MODEL", "no_such_spacy_model_pkg")
    with pytest.raises(OSError):  # not importable → spacy.load(name), which cannot find it either
        nlp_module.get_nlp()


def test_headline_without_full_stop_is_its_own_sentence(nlp):
    text = "Veltrax shares fall after recall\n\nVeltrax said on Monday that it would recall the units."
    c = only(claims_of(nlp, text))
    assert c.source.text == "Veltrax" and content(text, c) == "that it would recall the units"


# ---- PolNeAR-style cues: each rule with a sentence that must yield the claim (exact cue span) and
# one that must not.


@pytest.mark.parametrize(
    "text, source, cue, body",
    [
        # a fixed preposition belongs to the cue, its object is the content
        ("The senator complained about the new tariffs.", "The senator", "complained about", "the new tariffs"),
        ("Mr. Obama spoke emotionally of his father.", "Mr. Obama", "spoke emotionally of", "his father"),
        # the medium of speech is part of the cue
        (
            "Ruiz said in an interview that the bridge would reopen.",
            "Ruiz",
            "said in an interview",
            "that the bridge would reopen",
        ),
        # the "to" of an infinitive cue, and a catenative verb before it
        ("The mayor has refused to disclose the report.", "The mayor", "has refused to disclose", "the report"),
        ("He appeared to suggest that the vote was rigged.", "He", "appeared to suggest", "that the vote was rigged"),
        # beliefs and resolve stated with an adjective
        ("We are convinced that the plan will fail.", "We", "are convinced", "that the plan will fail"),
        ("Graham has been critical of the deal.", "Graham", "has been critical of", "the deal"),
        # a light verb with an attitude noun
        (
            "Voting rights advocates have expressed deep concern about the policy.",
            "Voting rights advocates",
            "have expressed deep concern about",
            "the policy",
        ),
        # intentions and plain noun-phrase objects of speech verbs
        ("Clinton plans to expand national service.", "Clinton", "plans", "to expand national service"),
        ("The senators also discussed the budget cuts.", "The senators", "also discussed", "the budget cuts"),
        # a trailing adverb of time or manner
        ("The vote was rigged, she said sarcastically.", "she", "said sarcastically", "The vote was rigged"),
        # a possessed cue noun with an infinitive or a preposition
        (
            "Britain's determination to leave the union surprised Brussels.",
            "Britain",
            "determination",
            "to leave the union",
        ),
    ],
)
def test_polnear_cue_forms(nlp, text, source, cue, body):
    c = only(claims_of(nlp, text))
    assert (c.source.text, c.cue.text, content(text, c)) == (source, cue, body)


@pytest.mark.parametrize(
    "text",
    [
        "The senator complained bitterly.",  # a prepositional cue needs its object
        "It is clear that the plan will fail.",  # an impersonal adjective has no holder
        "The road is sure to flood.",  # nor does an inanimate subject
        "The firm has raised money for the campaign.",  # money is no attitude
        "Its promise to cut taxes was broken.",  # a possessive pronoun of a thing is no source
        "The plan faced long delays.",
    ],
)
def test_polnear_cue_forms_without_attribution(nlp, text):
    assert claims_of(nlp, text) == []


def test_infinitive_cue_keeps_its_own_verb_extent(nlp):
    text = "She vowed to fight the ruling."
    c = only(claims_of(nlp, text))
    assert c.cue.text == "vowed" and content(text, c) == "to fight the ruling"


def test_medium_only_for_interviews_and_emails(nlp):
    text = "Ruiz said in June that the bridge would reopen."
    assert only(claims_of(nlp, text)).cue.text == "said"


def test_belief_inside_reported_speech_is_folded_into_it(nlp):
    text = "Clinton said she thinks the deal is bad for workers."
    c = only(claims_of(nlp, text))
    assert c.cue.text == "said" and content(text, c) == "she thinks the deal is bad for workers"


def test_speech_inside_speech_stays_nested(nlp):
    text = "Officials said the mayor had claimed that the bridge was safe."
    assert [c.cue.text for c in claims_of(nlp, text)] == ["said", "had claimed"]


def test_dropped_final_e_of_a_lemma_is_repaired(nlp):
    text = "She hoped the talks would succeed."
    c = only(claims_of(nlp, text))
    assert c.cue.text == "hoped" and c.cue.lemma == "hope" and content(text, c) == "the talks would succeed"


def test_dash_signed_quote_opening_with_a_closing_mark(nlp):
    text = "Latinos react to the debate\n\n”The bridge is a disgrace and a waste of money.” ― Ana Ruiz\n"
    c = only(claims_of(nlp, text))
    assert (c.source.text, c.cue.text, content(text, c)) == (
        "Ana Ruiz",
        "―",
        "The bridge is a disgrace and a waste of money.",
    )


def test_a_request_for_anonymity_is_not_a_claim_but_the_statement_is(nlp):
    text = (
        "A senior official, who asked not to be named because he was not authorised to speak "
        "publicly, said the talks had stalled."
    )
    c = only(claims_of(nlp, text))
    assert c.cue.text == "said" and content(text, c) == "the talks had stalled"
    assert c.source.type == "anonymous"
    text = "The mayor asked residents to stay indoors."  # a request with a proposition stays
    assert only(claims_of(nlp, text)).cue.text == "asked"
