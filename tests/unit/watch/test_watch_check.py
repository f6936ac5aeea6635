"""`watches check`: what every term resolves to, approximate matches named as such, and the
nearest names for a term that matches nothing (issue #17)."""

from __future__ import annotations

import pytest

from claimwatch.resolve.resolver import Resolver
from claimwatch.watch.check import check_watches, format_check, problems
from claimwatch.watch.watchlist import load_watchlist

WATCHLIST = """
watches:
  - id: front
    places: [Pokrovks, Chasiv Yaar, Bakhmutt, Pokrovsk, Konstantinovka, Krasnoarmeysk, "geo:713174",
             "Donetsk, Russia"]
    actors: [Wagnr Group, AFU, Igor Volkhov]
    near: {place: Nowhereville, km: 20}
  - id: radius
    near: {place: Bakhmut, km: 25}
"""


@pytest.fixture
def reports(gazetteer):
    by_term = {}
    for r in check_watches(load_watchlist(WATCHLIST), Resolver(gazetteer)):
        by_term[(r.field, r.term)] = r
    return by_term


def test_misspelt_place_is_unresolved_with_the_nearest_gazetteer_names(reports):
    r = reports[("places", "Pokrovks")]
    assert not r.resolved and r.status == "no match"
    assert r.suggestions[0] == "Pokrovsk (UA, geo:704422)"
    assert "did you mean Pokrovsk (UA, geo:704422)" in r.line()


def test_doubled_letters_match_but_are_reported_as_approximate(reports):
    for term, name, geonameid in (("Bakhmutt", "Bakhmut", 713174), ("Chasiv Yaar", "Chasiv Yar", 710915)):
        r = reports[("places", term)]
        assert r.resolved and r.approximate and r.status == "approximate"
        assert r.line().startswith(
            f"front places {term!r}: approximate match: {name} (GeoNames {geonameid}, Donetsk Oblast, UA)"
        )
        assert "doubled letters" in r.detail


def test_resolved_terms_say_what_and_which_name_matched(reports):
    assert reports[("places", "Pokrovsk")].detail == "Pokrovsk (GeoNames 704422, Donetsk Oblast, UA), matched its name"
    assert "matched its former name Krasnoarmeysk" in reports[("places", "Krasnoarmeysk")].detail
    assert reports[("places", "Krasnoarmeysk")].detail.startswith("Pokrovsk (GeoNames 704422")
    assert "alternate name" in reports[("places", "Konstantinovka")].detail
    assert reports[("places", "geo:713174")].detail.endswith("by GeoNames id")
    assert "RU" in reports[("places", "Donetsk, Russia")].detail
    assert not any(reports[("places", t)].approximate for t in ("Pokrovsk", "Konstantinovka", "Krasnoarmeysk"))


def test_actors_resolve_to_ids_or_suggest_the_nearest_alias(reports):
    afu = reports[("actors", "AFU")]
    assert afu.resolved and "actor:armed-forces-of-ukraine" in afu.detail
    wagner = reports[("actors", "Wagnr Group")]
    assert not wagner.resolved and wagner.suggestions == ["Wagner Group"]
    person = reports[("actors", "Igor Volkhov")]
    assert person.resolved and person.as_written and "as written" in person.detail


def test_near_on_an_unknown_place_is_unresolved(reports):
    assert not reports[("near.place", "Nowhereville")].resolved
    radius = reports[("near.place", "Bakhmut")]
    assert radius.resolved and radius.detail.endswith("radius 25 km")


def test_summary_and_problems(gazetteer):
    rs = check_watches(load_watchlist(WATCHLIST), Resolver(gazetteer))
    assert format_check(rs).splitlines()[-1] == (
        "13 term(s): 7 resolved, 2 approximate, 1 matched as written only, 3 unresolved"
    )
    assert {r.term for r in problems(rs)} == {
        "Pokrovks",
        "Chasiv Yaar",
        "Bakhmutt",
        "Wagnr Group",
        "Igor Volkhov",
        "Nowhereville",
    }


def test_suggestions_come_from_an_index_range_not_a_scan(gazetteer):
    from claimwatch.watch.check import WatchChecker

    checker = WatchChecker(Resolver(gazetteer))
    checker.place_suggestions("warmup")
    plan = " ".join(
        str(row)
        for row in gazetteer.db.execute(
            "EXPLAIN QUERY PLAN SELECT DISTINCT key FROM names WHERE key >= 'po' AND key < 'pp' "
            "AND length(key) BETWEEN 6 AND 10"
        )
    )
    assert "SEARCH" in plan and "key>?" in plan.replace(" ", ""), plan
    assert checker.place_suggestions("Kramatorks")[0].startswith("Kramatorsk")
