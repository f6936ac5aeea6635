"""Claim identity beyond words (issue 14): event type, figures, part of town, speaker and side."""

from datetime import UTC, datetime

import pytest

from claimwatch.novelty import fingerprint
from claimwatch.novelty.identity import (
    Identity,
    conflicts,
    directions,
    event_type,
    may_be_same,
    numbers,
    same_speaker,
    side,
    speaker,
)

from claimfactory import make_claim

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "content, event",
    [
        ("units had improved their positions on the eastern outskirts of Konstantinovka", "advance"),
        ("troops had advanced on the eastern edge of Kostiantynivka", "advance"),
        ("Russian forces are advancing in the south of Kurakhove", "advance"),
        ("units of the Vostok group had taken full control of Ugledar", "capture"),
        ("Vuhledar has been captured by Russian troops", "capture"),
        ("Russian forces had lost an observation post in eastern Pokrovsk", "withdrawal"),
        ("Ukrainian units had been ordered to retreat from Ugledar", "withdrawal"),
        ("Russia had lost 1,290 troops over the past day", "casualty"),
        ("Russian glide bombs had killed three people in Zaporizhzhia", "casualty"),
        ("air defence systems had shot down 27 Ukrainian drones", "intercept"),
        ("its forces had struck a Ukrainian ammunition depot near Kramatorsk", "strike"),
        ("the town is now under the full control of Russian forces", "capture"),
        ("Ukrainian units are taking up new positions after they fell back from the town", "withdrawal"),
        ("Ukrainian forces would continue to defend Pokrovsk", "intent"),
        ("Russian sappers had begun clearing mines in the centre of Ugledar", "other"),
        ("the evacuation of civilians had been halted", "other"),
    ],
)
def test_event_type_reads_the_predicate_through_its_inflections(content, event):
    assert event_type(content) == event


def test_figures_are_numbers_not_dates_or_years():
    assert numbers("Russia had lost 1,290 troops and two tanks on October 1, 2026") == {"1290", "2"}
    assert numbers("Kyiv pulled a pair of its brigades back") == {"2"}
    assert numbers("fighting was ongoing in the central districts") == frozenset()
    assert directions("on the north-eastern outskirts") == {"n", "e"}
    assert directions("on the eastern edge") == {"e"}


def test_another_figure_date_part_of_town_or_event_contradicts():
    base = Identity(event="casualty", numbers=frozenset({"145"}))
    assert conflicts(base, Identity(event="casualty", numbers=frozenset({"160"}))) == "numbers"
    assert conflicts(base, Identity(event="casualty", numbers=frozenset({"145", "24"}))) is None  # more detail
    assert conflicts(base, Identity(event="casualty")) is None  # the figure left out
    assert (
        conflicts(
            Identity(event="advance", directions=frozenset("s")), Identity(event="advance", directions=frozenset("n"))
        )
        == "direction"
    )
    assert conflicts(Identity(event="capture"), Identity(event="withdrawal")) == "event"
    assert conflicts(Identity(date="2026-10-01"), Identity(date="2026-10-03")) == "date"
    assert conflicts(Identity(date="2026-10-01"), Identity(date="2026-10-02")) is None  # statement vs event day
    assert conflicts(base, Identity(known=False, numbers=frozenset({"160"}))) is None  # stored before identities


def test_one_state_voice_under_many_names():
    assert speaker("name:moscow") == speaker("actor:russian-armed-forces") == speaker("actor:russian-government")
    assert side("name:kyiv") == side("actor:armed-forces-of-ukraine") == "u"
    assert side("actor:denis-pushilin") == "r" and side("name:oleh kiper") == ""
    assert same_speaker("name:ministry", "ministry", "name:russia s defence ministry", "russia s defence ministry")
    assert same_speaker("name:ministry", "ministry", "name:moscow", "moscow")
    assert not same_speaker("name:oleh kiper", "oleh kiper", "actor:russian-armed-forces", "russian defence ministry")


def test_band_entry_features_round_trip_and_filter():
    mine = Identity(event="repel", side="u", numbers=frozenset({"14"}), day=20362)
    filed = Identity.from_features(mine.features())
    assert (filed.side, filed.stance, filed.numbers, filed.day) == ("u", "assert", {"14"}, 20362)
    assert may_be_same(mine, filed)
    assert not may_be_same(Identity(side="r", numbers=frozenset({"14"}), day=20362), filed)  # the mirror claim
    assert not may_be_same(Identity(side="u", numbers=frozenset({"15"}), day=20362), filed)
    assert not may_be_same(Identity(side="u", day=20362 + 5), filed)  # outside the window
    assert may_be_same(Identity(side="r", stance="deny", day=20362), filed)  # the other side denies it
    assert Identity.from_features("AbCd") is None


def test_its_forces_are_the_speakers_forces():
    claim, _ = make_claim(
        "Russia's Defence Ministry said its forces had repelled 14 assaults near Konstantinovka.",
        "Russia's Defence Ministry",
        "said",
        "its forces had repelled 14 assaults near Konstantinovka",
        source_actor="actor:russian-armed-forces",
    )
    fp = fingerprint(claim, NOW)
    assert "actor:russian-armed-forces" in fp.actor_keys
    assert fp.identity.event == "repel" and fp.identity.side == "r" and fp.identity.numbers == {"14"}
    # One structured key per (event type, town) and one for the figure, beside the bands.
    assert len(fp.structured) == 2 and all(k.startswith("event#r#") for k in fp.structured)
    assert fp.lookup_keys()[-2:] == list(fp.structured)


def test_band_entry_features_stay_short_with_many_figures():
    many = Identity(event="casualty", numbers=frozenset({"1290", "145", "27", "3", "14"}), day=20362, side="u")
    text = many.features()
    assert len(text) <= 26  # with the cluster id and expiry day: under 50 bytes
    filed = Identity.from_features(text)
    assert filed.numbers == frozenset()  # not filed: the full comparison decides
    assert may_be_same(Identity(numbers=frozenset({"7"}), day=20362, side="u"), filed)


def test_compass_words_of_a_region_name_are_no_part_of_town():
    assert directions("captured Novoselivka in Ukraine's eastern Donetsk region") == frozenset()
    assert directions("in the south of Kurakhove") == {"s"}
    assert event_type("its troops had taken Novoselivka") == "capture"
    assert event_type("Ukrainian troops took part in the exercise") == "other"


def test_a_figure_key_is_shared_by_a_claim_that_gives_fewer_figures():
    from claimwatch.novelty.identity import structured_keys

    many = Identity(event="intercept", numbers=frozenset({"37", "45"}))
    fewer = Identity(event="intercept", numbers=frozenset({"37"}))
    russia = frozenset({"geo:2017370"})  # a country: it names less than a figure
    assert set(structured_keys(many, russia, russia)) & set(structured_keys(fewer, frozenset()))


def test_fighting_in_a_place_does_not_contradict_an_advance_into_it():
    assert event_type("Russian units were now fighting on the western edge of Toretsk") == "fighting"
    assert event_type("it had beaten back four Ukrainian counterattacks") == "repel"
    assert event_type("Orekhov had come under fire 32 times") == "strike"
    assert conflicts(Identity(event="advance"), Identity(event="fighting")) is None
    assert conflicts(Identity(event="capture"), Identity(event="fighting")) == "event"
