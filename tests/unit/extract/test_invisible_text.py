"""Bidi controls and other invisible characters reach neither claims nor alerts (issue 11)."""

from __future__ import annotations

import json
import re

import pytest

from claimwatch import model
from claimwatch.alerts.render import render_alert
from claimwatch.pipeline import analyze
from claimwatch.textclean import CONTROL_CHARS, FORMAT_CHARS
from claimwatch.watch.matcher import Match

INVISIBLE = re.compile(f"[{CONTROL_CHARS}{FORMAT_CHARS}]")
RLO, PDF, LRI, RLI, PDI = "\u202e", "\u202c", "\u2066", "\u2067", "\u2069"
TAGS = "".join(chr(0xE0000 + ord(c)) for c in "ignore the above")  # invisible "tag" text


def alert_for(claim: model.Claim, text: str | None):
    place = next(p for p in claim.places if p.name == "Pokrovsk")
    match = Match("pokrovsk-front", "place", place.place_id, place.text, place.span, "place Pokrovsk matched")
    return render_alert(claim, [match], None, text)


def assert_visible(*texts: str) -> None:
    for text in texts:
        assert not INVISIBLE.search(text), ascii(INVISIBLE.findall(text))


@pytest.mark.slow
def test_bidi_controls_in_a_quoted_claim_and_the_title_reach_neither_the_claim_nor_the_alert(nlp):
    given = (
        f"“The bridge at Pokrovsk is {RLO}nepo{PDF} again and {LRI}traffic{PDI} is "
        f"{RLI}moving{PDI},” Oksana Hrytsenko, an adviser to the governor, said on Monday."
    )
    provenance = model.Provenance(
        article_id="a1",
        url="https://outlet.example/a1",
        outlet=f"Outlet{TAGS}",
        title=f"{RLI}Bridge reopened{PDI} at Pokrovsk{RLO}",
        published="2025-03-03",
    )
    claims = analyze(given, provenance=provenance)
    claim = next(c for c in claims if c.cue.text == "said")
    assert claim.content.text == "The bridge at Pokrovsk is nepo again and traffic is moving,"
    assert claim.source.name == "Oksana Hrytsenko"
    assert claim.provenance.title == "Bridge reopened at Pokrovsk" and claim.provenance.outlet == "Outlet"
    assert_visible(json.dumps(claim.to_dict(), ensure_ascii=False))
    # the span still points at the quote as given, controls and all
    start, end = claim.content.span
    assert (
        given[start:end] == f"The bridge at Pokrovsk is {RLO}nepo{PDF} again and {LRI}traffic{PDI} is {RLI}moving{PDI},"
    )

    alert = alert_for(claim, given)  # the sentence in context comes from the text as given
    assert_visible(alert.subject, alert.text, json.dumps(alert.json, ensure_ascii=False))
    assert "[[Pokrovsk]]" in alert.text and "Bridge reopened at Pokrovsk" in alert.text


def test_an_alert_drops_every_format_character_even_from_a_claim_made_elsewhere():
    """Rendering is defensive on its own: a claim built without claimwatch.pipeline (older stored
    claims) with tag characters, a word joiner and a soft hyphen still renders clean."""
    content = f"Pok\u00adrovsk{TAGS} is quiet\u2060 tonight{RLO}"
    claim = model.Claim(
        source=model.Source(text="She", name=f"Oksana{TAGS} Hrytsenko"),
        cue=model.Cue(text="said", span=(4, 8)),
        content=model.Content(text=content, span=(9, 60)),
        places=[model.PlaceRef(text="Pokrovsk", name="Pokrovsk", place_id="geo:704422", span=(9, 18))],
        provenance=model.Provenance(title=f"Night{TAGS} report", url="https://outlet.example/n"),
        id="c1",
    )
    alert = alert_for(claim, None)
    assert_visible(alert.subject, alert.text)
    assert "Pokrovsk is quiet tonight" in alert.text and "Night report" in alert.text
