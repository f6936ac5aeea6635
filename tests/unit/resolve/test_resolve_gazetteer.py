import sqlite3

import pytest

from claimwatch.resolve.gazetteer import KIND_FORMER, Gazetteer, GazetteerMissing
from claimwatch.resolve.normalize import name_key


def test_historical_name_finds_the_renamed_town(gazetteer):
    hits = {c.place.pid: c for c in gazetteer.lookup(name_key("Krasnoarmeysk"))}
    assert hits[704422].place.name == "Pokrovsk"
    assert hits[704422].kind == KIND_FORMER
    assert "Krasnoarmeysk" in gazetteer.former_names(704422)


def test_place_ids_round_trip(gazetteer):
    assert gazetteer.by_place_id("geo:705104").name == "Kostyantynivka"
    assert gazetteer.by_place_id("705104").pid == 705104
    donbas = gazetteer.by_place_id("place:donbas")
    assert donbas.place_id == "place:donbas" and donbas.geonameid is None
    assert set(gazetteer.covers(donbas.pid)) == {("UA", "05"), ("UA", "14")}
    direction = gazetteer.by_place_id("place:pokrovsk-direction")
    assert set(gazetteer.members(direction.pid)) == {704422, 710035}


def test_countries_and_us_states_are_in(gazetteer):
    us = [c.place for c in gazetteer.lookup(name_key("United States"))]
    assert us[0].feature == "A.PCLI" and us[0].pid == 6252001
    la = {c.place.pid: c for c in gazetteer.lookup(name_key("Louisiana"))}
    assert la[4331987].place.feature == "A.ADM1"
    assert gazetteer.admin1_name("UA", "05") == "Donetsk Oblast"


def test_opened_read_only(gazetteer):
    with pytest.raises(sqlite3.OperationalError):
        gazetteer.db.execute("DELETE FROM places")


def test_missing_file_says_how_to_build(tmp_path):
    g = Gazetteer(tmp_path / "nope.sqlite")
    with pytest.raises(GazetteerMissing, match="claimwatch.resolve.build"):
        g.lookup("pokrovsk")


def meta_only_gazetteer(path, key_version: str):
    """A gazetteer file with nothing but a meta table naming its name-key version."""
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);")
    db.execute("INSERT INTO meta VALUES ('key_version', ?)", (key_version,))
    db.commit()
    db.close()
    return path


def test_a_gazetteer_built_with_other_name_keys_is_refused(tmp_path):
    g = Gazetteer(meta_only_gazetteer(tmp_path / "old.sqlite", "0"))
    assert not g.is_current()
    with pytest.raises(GazetteerMissing, match="rebuild"):
        g.lookup("pokrovsk")


def test_a_gazetteer_in_an_older_file_format_is_refused(tmp_path):
    """Same name keys, coordinates still stored as REAL columns: rebuild, not a SQL error."""
    from claimwatch.resolve.normalize import KEY_VERSION

    path = meta_only_gazetteer(tmp_path / "old-format.sqlite", KEY_VERSION)
    with pytest.raises(GazetteerMissing, match="make install"):
        Gazetteer(path).lookup("pokrovsk")


def test_stored_coordinates_come_back_as_the_geonames_values(gazetteer):
    # GeoNames gives five decimals; they are stored as integers of 1e-5 degrees
    pokrovsk = gazetteer.place(704422)
    assert pokrovsk.name == "Pokrovsk"
    assert (pokrovsk.lat, pokrovsk.lon) == (48.28014, 37.17706)


def test_every_place_has_coordinates(gazetteer):
    assert gazetteer.db.execute("SELECT count(*) FROM places WHERE lat_e5 IS NULL OR lon_e5 IS NULL").fetchone() == (0,)


def test_continents_oceans_and_regions_worldwide_carry_geonames_ids(gazetteer):
    def first(name, feature):
        return next(c.place for c in gazetteer.lookup(name_key(name)) if c.place.feature == feature)

    assert first("Africa", "L.CONT").geonameid == 6255146
    assert first("Europe", "L.CONT").geonameid == 6255148
    assert first("Indian Ocean", "H.OCN").geonameid == 1545739
    assert first("Tamil Nadu", "A.ADM1").geonameid == 1255053
    assert first("Bavaria", "A.ADM1").geonameid == 2951839
    assert first("Donetsk Oblast", "A.ADM1").place_id == "geo:709716"
    assert ("UA", "") in gazetteer.covers(first("Europe", "L.CONT").pid)


def test_a_country_is_placed_inside_it_not_at_its_capital(gazetteer):
    from claimwatch.resolve.places import haversine_km

    us = gazetteer.place(6252001)
    assert haversine_km(us.lat, us.lon, 38.895, -77.036) > 1000  # not Washington
    assert haversine_km(us.lat, us.lon, 39.76, -98.5) < 500  # GeoNames' own point
    ru = gazetteer.place(2017370)
    assert haversine_km(ru.lat, ru.lon, 60.0, 100.0) < 1500 and ru.lon > 60  # not Moscow


def test_strong_names_are_notable_places_only(gazetteer):
    for name in ("Chasiv Yar", "Robotyne", "Ukraine", "Tamil Nadu", "Middle East", "Kyiv"):
        assert gazetteer.is_strong_name(name_key(name)), name
    for name in ("Green", "Liberal", "Barra", "Fenner"):  # small towns: found only by NER
        assert not gazetteer.is_strong_name(name_key(name)), name
