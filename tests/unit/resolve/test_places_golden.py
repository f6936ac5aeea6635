"""Golden place articles (fictional wire copy, tests/golden/places/*.yaml), one per error class
of issue 13: places missed, false places, coordinates, disambiguation.

Each file lists `places` that must be found and how each resolves (`geonameid` or `place_id`;
`all: true` for every occurrence, else the first; `near` / `far_from`: [lat, lon, km]) and
`not_places`: text that must never be a place mention. Every found place has coordinates.
"""

from pathlib import Path

import pytest
import yaml

from claimwatch.resolve.places import find_places, haversine_km

pytestmark = pytest.mark.slow

GOLDEN = sorted((Path(__file__).resolve().parents[2] / "golden" / "places").glob("*.yaml"))


def test_there_is_a_golden_article_for_each_error_class():
    classes = {yaml.safe_load(p.read_text(encoding="utf-8"))["error_class"] for p in GOLDEN}
    assert classes == {"places missed", "false places", "coordinates", "disambiguation"}


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden_places(nlp, path):
    article = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert article["text"].startswith(article["text"].lstrip())  # spans are into this text
    refs = find_places(nlp(article["text"]))
    problems = []
    for r in refs:
        if r.lat is None or r.lon is None:
            problems.append(f"{r.text!r} -> {r.name} has no coordinates")
    for want in article["places"]:
        found = [r for r in refs if r.text == want["text"]]
        if not found:
            problems.append(f"{want['text']!r} not found")
            continue
        for r in found if want.get("all") else found[:1]:
            got = f"{r.text!r} -> {r.name} ({r.place_id})"
            if "geonameid" in want and r.geonameid != want["geonameid"]:
                problems.append(f"{got}, expected geo:{want['geonameid']}")
            if "place_id" in want and r.place_id != want["place_id"]:
                problems.append(f"{got}, expected {want['place_id']}")
            if "near" in want:
                lat, lon, km = want["near"]
                if haversine_km(r.lat, r.lon, lat, lon) > km:
                    problems.append(f"{got} at {r.lat},{r.lon}: more than {km} km from {lat},{lon}")
            if "far_from" in want:
                lat, lon, km = want["far_from"]
                if haversine_km(r.lat, r.lon, lat, lon) < km:
                    problems.append(f"{got} at {r.lat},{r.lon}: within {km} km of {lat},{lon}")
    texts = {r.text for r in refs}
    for name in article.get("not_places") or ():
        if name in texts:
            wrong = next(r for r in refs if r.text == name)
            problems.append(f"{name!r} is not a place (resolved to {wrong.name}, {wrong.country})")
    assert not problems, "\n".join(problems)
