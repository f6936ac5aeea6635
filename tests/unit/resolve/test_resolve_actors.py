"""Actor mentions: acronyms defined in the text, the alias table, demonym groups, last names."""

import pytest

from claimwatch.resolve.acronyms import find_acronyms
from claimwatch.resolve.actors import find_actors, resolve_source

AFU = "actor:armed-forces-of-ukraine"


def actors_in(nlp, text):
    refs = find_actors(nlp(text))
    for r in refs:
        assert text[r.span[0] : r.span[1]] == r.text
    return refs


def test_acronyms_defined_in_the_text():
    text = (
        "Officials of the Armed Forces of Ukraine (AFU) said. The AFU (Armed Forces of "
        "Ukraine) agreed. Збройні сили України (ЗСУ) заявили. The total was 45 (UTC)."
    )
    assert find_acronyms(text) == {"AFU": "Armed Forces of Ukraine", "ЗСУ": "Збройні сили України"}


@pytest.mark.slow
@pytest.mark.parametrize(
    "mention",
    [
        "AFU",
        "ZSU",
        "ЗСУ",
        "Ukrainian troops",
        "Ukrainian units",
        "the Armed Forces of Ukraine",
        "Ukrainian special forces",
    ],
)
def test_every_name_of_the_armed_forces_of_ukraine(nlp, mention):
    refs = actors_in(nlp, f"Yesterday {mention} withdrew from the village, the report said.")
    assert [r.actor_id for r in refs] == [AFU]
    assert refs[0].name == "Armed Forces of Ukraine" and refs[0].type == "force"


@pytest.mark.slow
def test_acronym_of_an_unknown_organisation_becomes_an_actor(nlp):
    refs = actors_in(nlp, "The Kharkiv Human Rights Group (KHRG) said the KHRG had evidence.")
    assert [r.text for r in refs] == ["Kharkiv Human Rights Group", "KHRG", "KHRG"]
    assert {r.actor_id for r in refs} == {"org:kharkiv-human-rights-group"}


@pytest.mark.slow
def test_demonym_groups_map_to_the_actor_they_denote(nlp):
    refs = actors_in(nlp, "Russian forces advanced while Ukrainian officials denied it.")
    assert [(r.text, r.actor_id) for r in refs] == [
        ("Russian forces", "actor:russian-armed-forces"),
        ("Ukrainian officials", "actor:ukrainian-government"),
    ]


@pytest.mark.slow
def test_last_name_refers_back_to_the_full_name(nlp):
    refs = actors_in(nlp, "Chiquita Raquel Henry, 19, was arrested. Detectives traced Henry.")
    assert [r.actor_id for r in refs] == ["person:chiquita-raquel-henry"] * 2
    assert refs[1].matched == "last name of Chiquita Raquel Henry"


@pytest.mark.slow
def test_seed_article_actors(nlp, seed_text):
    refs = actors_in(nlp, seed_text)
    ids = {r.actor_id for r in refs}
    assert {
        AFU,
        "actor:igor-kimakovsky",
        "actor:vladimir-putin",
        "actor:russian-government",
        "actor:russian-armed-forces",
    } <= ids
    afu = [r for r in refs if r.text == "AFU"]
    assert len(afu) == seed_text.count("AFU") and {r.actor_id for r in afu} == {AFU}
    # spaCy labels Donbass and Maidan PERSON: neither is an actor.
    assert not {r.text for r in refs} & {"Donbass", "Maidan"}


@pytest.mark.slow
def test_cyrillic_inflected_actor_names(nlp):
    refs = actors_in(nlp, "По словам Кимаковского, ВСУ отступили. Путина там не было.")
    assert [(r.text, r.actor_id) for r in refs] == [
        ("Кимаковского", "actor:igor-kimakovsky"),
        ("ВСУ", AFU),
        ("Путина", "actor:vladimir-putin"),
    ]


def test_resolve_source():
    assert resolve_source("Kimakovsky") == "actor:igor-kimakovsky"
    assert resolve_source("Игорь Кимаковский") == "actor:igor-kimakovsky"
    assert resolve_source("President Putin") == "actor:vladimir-putin"
    assert resolve_source("the Kremlin") == "actor:russian-government"
    assert resolve_source("Ukrainian officials") == "actor:ukrainian-government"
    assert resolve_source("a source familiar with the matter") is None
    assert resolve_source("") is None
