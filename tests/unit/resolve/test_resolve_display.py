from claimwatch import model
from claimwatch.resolve.display import format_places_text


def test_lists_span_resolution_and_context():
    text = "Fighting near Krasnoarmeyskoye continued."
    ref = model.PlaceRef(
        text="Krasnoarmeyskoye",
        name="Pokrovsk",
        geonameid=704422,
        country="UA",
        admin1="Donetsk Oblast",
        lat=48.28014,
        lon=37.17706,
        span=(14, 30),
        place_id="geo:704422",
        feature="P.PPL",
        matched="historical name Krasnoarmeysk",
    )
    out = format_places_text([ref], text)
    assert "1 place mention(s), 1 distinct place(s)" in out
    line = out.splitlines()[1]
    for part in (
        "14-30",
        "Krasnoarmeyskoye",
        "Pokrovsk, Donetsk Oblast, UA",
        "geo:704422",
        "48.2801,37.1771",
        "historical name Krasnoarmeysk",
    ):
        assert part in line
    assert "Fighting near Krasnoarmeyskoye continued." in out


def test_no_places():
    assert format_places_text([], "nothing here") == "no place mentions found"
