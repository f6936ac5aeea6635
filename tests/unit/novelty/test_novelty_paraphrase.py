"""Issue 14: one claim however it is retold (other words, the other spelling, the other side's
outlet, the quoted statement after its summary), and near misses that stay new."""

from datetime import UTC, datetime, timedelta

import pytest

from claimwatch.novelty import InMemoryNoveltyStore, assign_cluster, estimated_jaccard, fingerprint

from claimfactory import make_claim

DAY1 = datetime(2026, 10, 1, 7, 0, tzinfo=UTC)
PLACES = {
    "Ugledar": ("geo:690823", "Vuhledar"),
    "Vugledar": ("geo:690823", "Vuhledar"),
    "Vuhledar": ("geo:690823", "Vuhledar"),
    "Konstantinovka": ("geo:705104", "Kostyantynivka"),
    "Kostiantynivka": ("geo:705104", "Kostyantynivka"),
    "Chasov Yar": ("geo:710915", "Chasiv Yar"),
    "Kramatorsk": ("geo:704508", "Kramatorsk"),
}
ACTORS = {
    "Vostok group": "actor:russian-armed-forces",
    "Ukrainian forces": "actor:armed-forces-of-ukraine",
    "Ukrainian units": "actor:armed-forces-of-ukraine",
    "Russian troops": "actor:russian-armed-forces",
    "Russian forces": "actor:russian-armed-forces",
}
SPEAKERS = {
    "Russia's Defence Ministry": "actor:russian-armed-forces",
    "The ministry": None,
    "the ministry": None,
    "Moscow": None,
    "Kyiv": None,
    "Ukraine's General Staff": "actor:armed-forces-of-ukraine",
    "The Khortytsia group": "actor:armed-forces-of-ukraine",
    "Oleh Kiper": None,
}


def report(
    source,
    content,
    *,
    cue="said",
    article="a1",
    outlet="Northern Courier",
    when=DAY1,
    stance="assert",
    quoted=False,
    prefix="",
):
    sentence = f'"{content}," {source.lower()} {cue}.' if quoted else f"{source} {cue} {content}."
    claim, _ = make_claim(
        sentence,
        source,
        cue,
        content,
        source_actor=SPEAKERS[source],
        stance=stance,
        article_id=article,
        outlet=outlet,
        published=when.isoformat(),
        places=PLACES,
        actors=ACTORS,
        prefix=prefix,
    )
    return claim


def assign(store, claim, when=DAY1):
    return assign_cluster(claim, store, now=when)


def test_translation_style_paraphrase_by_the_other_sides_outlet_joins_without_shared_words():
    store = InMemoryNoveltyStore()
    bulletin = report("The ministry", "units had improved their positions on the eastern outskirts of Konstantinovka")
    wire = report(
        "Moscow",
        "troops had advanced on the eastern edge of Kostiantynivka",
        article="b1",
        outlet="Dnipro Wire",
        when=DAY1 + timedelta(hours=5),
    )
    assert estimated_jaccard(fingerprint(bulletin).signature, fingerprint(wire).signature) < 0.5  # words alone: new
    first, second = assign(store, bulletin), assign(store, wire, DAY1 + timedelta(hours=5))
    assert first.is_new and not second.is_new
    assert second.cluster_id == first.cluster_id and second.outlets == 2
    assert second.development is None  # the same voice ("the ministry" / "Moscow"): no confirmation


def test_summary_then_quoted_statement_is_one_claim_in_one_cluster():
    store = InMemoryNoveltyStore()
    summary = report("Russia's Defence Ministry", "units of the Vostok group had taken full control of Ugledar")
    quote = report(
        "the ministry",
        "Units of the Vostok group have completely liberated the town of Ugledar",
        quoted=True,
        prefix="Russia's Defence Ministry said units had taken Ugledar. ",
    )
    first, second = assign(store, summary), assign(store, quote)
    assert first.is_new and not second.is_new and second.cluster_id == first.cluster_id
    assert (second.outlets, second.articles) == (1, 1)


def test_other_sides_re_report_in_the_other_spelling_joins_and_counts_the_outlet():
    store = InMemoryNoveltyStore()
    order = assign(
        store,
        report(
            "The Khortytsia group",
            "the command had authorised the withdrawal of units from Vuhledar",
            outlet="Kyiv Morning Post",
        ),
    )
    retold = assign(
        store,
        report(
            "Kyiv",
            "Ukrainian units had been ordered to retreat from Ugledar",
            cue="admitted",
            article="b1",
            outlet="Donetsk Courier",
        ),
    )
    assert not retold.is_new and retold.cluster_id == order.cluster_id
    assert retold.outlet_names == ["Donetsk Courier", "Kyiv Morning Post"] and retold.development is None


def test_same_words_about_another_town_a_changed_figure_or_another_target_stay_new():
    store = InMemoryNoveltyStore()
    assign(
        store, report("The ministry", "units had improved their positions on the eastern outskirts of Konstantinovka")
    )
    assign(store, report("The ministry", "Ukrainian losses over the past day amounted to up to 145 servicemen"))
    assign(store, report("The ministry", "its forces had struck an ammunition depot near Kramatorsk"))
    later = DAY1 + timedelta(days=1)
    town = assign(
        store,
        report(
            "The ministry",
            "units had improved their positions on the eastern outskirts of Chasov Yar",
            article="n2",
            when=later,
        ),
        later,
    )
    figure = assign(
        store,
        report(
            "The ministry",
            "Ukrainian losses over the past day amounted to up to 160 servicemen",
            article="n2",
            when=later,
        ),
        later,
    )
    target = assign(
        store,
        report("The ministry", "its forces had destroyed a HIMARS launcher near Kramatorsk", article="n2", when=later),
        later,
    )
    assert town.is_new and figure.is_new and target.is_new


def test_the_other_sides_mirror_claim_stays_new_and_its_re_report_finds_the_right_cluster():
    store = InMemoryNoveltyStore()
    ukraine = assign(
        store,
        report(
            "Ukraine's General Staff",
            "Ukrainian forces had repelled 14 Russian assaults near Kostiantynivka",
            outlet="Kyiv Morning Post",
        ),
    )
    russia = assign(
        store,
        report(
            "Russia's Defence Ministry",
            "its forces had repelled 14 Ukrainian assaults near Konstantinovka",
            article="b1",
        ),
    )
    retold = assign(
        store,
        report(
            "Kyiv",
            "its units had repelled 14 Russian assaults near Konstantinovka",
            cue="claimed",
            article="c1",
            outlet="Donetsk Courier",
        ),
    )
    assert russia.is_new and russia.cluster_id != ukraine.cluster_id
    assert not retold.is_new and retold.cluster_id == ukraine.cluster_id


def test_a_denial_in_other_words_is_a_development_not_a_new_claim():
    store = InMemoryNoveltyStore()
    claim = assign(
        store, report("The ministry", "units had improved their positions on the eastern outskirts of Konstantinovka")
    )
    denial = assign(
        store,
        report(
            "Ukraine's General Staff",
            "Russian forces had advanced on the eastern edge of Kostiantynivka",
            cue="denied",
            stance="deny",
            article="b1",
            outlet="Kyiv Morning Post",
        ),
    )
    assert denial.cluster_id == claim.cluster_id and not denial.is_new
    assert denial.development["kind"] == "denial"


@pytest.mark.parametrize(
    "source, first, second",
    [
        # another figure
        (
            "Oleh Kiper",
            "a Russian missile strike on the port of Odesa had damaged two grain ships",
            "a Russian missile strike on the port of Odesa had damaged three grain ships",
        ),
        # another target hit near the same town
        (
            "Russia's Defence Ministry",
            "its forces had struck a Ukrainian fuel depot near Kramatorsk",
            "its forces had struck a Ukrainian command post near Kramatorsk",
        ),
    ],
)
def test_nearly_the_same_words_with_another_figure_or_target_are_two_claims(source, first, second):
    store = InMemoryNoveltyStore()
    one, other = report(source, first), report(source, second, article="b1")
    assert estimated_jaccard(fingerprint(one).signature, fingerprint(other).signature) >= 0.4  # words alone: one
    assert assign(store, one).is_new and assign(store, other).is_new


def test_the_same_event_type_at_the_same_town_outside_the_window_is_new():
    store = InMemoryNoveltyStore()
    first = assign(
        store, report("The ministry", "units had improved their positions on the eastern outskirts of Konstantinovka")
    )
    week = DAY1 + timedelta(days=7)
    again = assign(
        store,
        report("Moscow", "troops had advanced on the eastern edge of Kostiantynivka", article="b1", when=week),
        week,
    )
    assert again.is_new and again.cluster_id != first.cluster_id


def test_two_villages_the_gazetteer_lacks_near_one_town_are_two_claims():
    store = InMemoryNoveltyStore()
    actors = {**ACTORS, "Novoselivka": "org:novoselivka", "Zoryane": "org:zoryane"}

    def village(name, article):
        content = f"units had taken full control of {name} near Kostiantynivka"
        return make_claim(
            f"The ministry said {content}.",
            "The ministry",
            "said",
            content,
            article_id=article,
            published=DAY1.isoformat(),
            places=PLACES,
            actors=actors,
        )[0]

    first = assign(store, village("Novoselivka", "a1"))
    second = assign(store, village("Zoryane", "a2"))
    again = assign(store, village("Novoselivka", "a3"))
    assert first.is_new and second.is_new and second.cluster_id != first.cluster_id
    assert not again.is_new and again.cluster_id == first.cluster_id


def test_a_town_read_as_a_person_is_still_that_town(gazetteer):
    store = InMemoryNoveltyStore()
    places = {**PLACES, "Lyman": ("geo:704204", "Lyman")}
    read_as_person = {**ACTORS, "Krasny Liman": "person:krasny-liman"}
    bulletin = make_claim(
        "Russia's Defence Ministry said units had liberated Krasny Liman.",
        "Russia's Defence Ministry",
        "said",
        "units had liberated Krasny Liman",
        source_actor="actor:russian-armed-forces",
        published=DAY1.isoformat(),
        places=places,
        actors=read_as_person,
    )[0]
    wire = make_claim(
        "Moscow said its troops had taken Lyman.",
        "Moscow",
        "said",
        "its troops had taken Lyman",
        article_id="b1",
        outlet="Baltic Wire",
        published=DAY1.isoformat(),
        places=places,
        actors=ACTORS,
    )[0]
    assert "geo:704204" in fingerprint(bulletin).place_keys
    first, second = assign(store, bulletin), assign(store, wire)
    assert not second.is_new and second.cluster_id == first.cluster_id
