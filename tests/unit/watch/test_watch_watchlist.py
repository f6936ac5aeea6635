import pytest

from claimwatch.watch.watchlist import Watch, WatchlistError, load_watchlist

GOOD = """
watches:
  - id: pokrovsk-front
    places: [Pokrovsk, 710035]
    near: {place: Pokrovsk, km: 30}
    delivery: digest
    corroborated: 2
  - id: dpr-officials
    actors: [Kimakovsky]
  - id: speakers
    sources: Putin
"""


def test_loads_the_issue_shape():
    ws = load_watchlist(GOOD)
    assert [w.id for w in ws] == ["pokrovsk-front", "dpr-officials", "speakers"]
    w = ws[0]
    assert w.places == ["Pokrovsk", 710035] and w.near == {"place": "Pokrovsk", "km": 30.0}
    assert (w.delivery, w.corroborated) == ("digest", 2)
    assert ws[1].delivery == "instant" and ws[1].corroborated is None
    assert ws[2].sources == ["Putin"]


def test_round_trips_through_dicts():
    for w in load_watchlist(GOOD):
        assert Watch.from_dict(w.to_dict()) == w


def test_accepts_items_read_back_from_dynamodb():
    from decimal import Decimal

    item = {
        "id": "w",
        "places": [Decimal("704422")],
        "near": {"place": "Pokrovsk", "km": Decimal("30")},
        "corroborated": Decimal("2"),
        "delivery": "instant",
    }
    w = Watch.from_dict(item)
    assert w.places == [704422] and w.near["km"] == 30.0 and w.corroborated == 2


def test_loads_from_a_file(tmp_path):
    p = tmp_path / "w.yaml"
    p.write_text(GOOD)
    assert len(load_watchlist(p)) == 3 and len(load_watchlist(str(p))) == 3
    bare = tmp_path / "watchlist"  # no extension
    bare.write_text(GOOD)
    assert len(load_watchlist(str(bare))) == 3


@pytest.mark.parametrize(
    "body,message",
    [
        (
            "- id: a\n  places: [Pokrovsk]\n  near: {place: Pokrovsk, km: far}",
            "watch 'a' (#1): field 'near.km' must be a number",
        ),
        ("- id: a\n  placez: [Pokrovsk]", "watch 'a' (#1): unknown field(s) 'placez'"),
        ("- id: a\n  places: [Pokrovsk]\n  delivery: hourly", "watch 'a' (#1): field 'delivery'"),
        ("- id: a\n  places: [Pokrovsk]\n- id: a\n  actors: [AFU]", "watch 'a' (#2) reuses the id"),
        ("- id: a\n  delivery: digest", "watch 'a' (#1): names nothing to watch"),
        ("- places: [Pokrovsk]", "watch #1: field 'id'"),
        ("- id: a\n  places: [Pokrovsk, '']", "field 'places[1]' must be a name or a GeoNames id"),
        ("- id: a\n  actors: {name: AFU}", "field 'actors' must be a list"),
        ("- id: a\n  places: [X]\n  corroborated: 0", "field 'corroborated' must be a whole number"),
        ("watches: [\n", "not valid YAML"),
    ],
)
def test_errors_name_the_watch_and_the_field(body, message):
    with pytest.raises(WatchlistError, match=None) as e:
        load_watchlist("watches:\n" + body if not body.startswith("watches") else body)
    assert message in str(e.value)


def test_missing_file():
    with pytest.raises(WatchlistError, match="watchlist file not found"):
        load_watchlist("/nonexistent/watchlist.yaml")
