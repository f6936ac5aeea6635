"""The issue's acceptance check on the demo's own data: `GET /claims?place=Pokrovsk` lists the
claims written about Pokrovsk under any of its names (Krasnoarmeyskoye included)."""

from __future__ import annotations

import io
import json

import pytest

from claimwatch.local.api_server import http_api_event
from claimwatch.local.session import demo

pytestmark = pytest.mark.slow


def test_claims_about_pokrovsk_on_the_demo_data_include_its_former_name():
    answers = {}

    def ask(session) -> None:
        for place in ("Pokrovsk", "Krasnoarmeysk"):
            event = http_api_event("GET", f"/claims?place={place}&limit=100", {}, "127.0.0.1")
            answers[place] = session.pipe.invoke("ApiFunction", event)
        event = http_api_event("GET", "/claims?place=Pokrovsk&format=geojson", {}, "127.0.0.1")
        answers["geojson"] = session.pipe.invoke("ApiFunction", event)

    demo(out=io.StringIO(), before_close=ask)
    body = json.loads(answers["Pokrovsk"]["body"])
    assert answers["Pokrovsk"]["statusCode"] == 200
    written = {p["text"] for c in body["claims"] for p in c["places"] if p["place_id"] == "geo:704422"}
    assert {"Pokrovsk", "Krasnoarmeyskoye"} <= written
    published = [c["published"] for c in body["claims"]]
    assert published == sorted(published, reverse=True)
    assert json.loads(answers["Krasnoarmeysk"]["body"])["claims"] == body["claims"]
    geo = json.loads(answers["geojson"]["body"])
    assert geo["type"] == "FeatureCollection" and geo["features"]
    assert {f["properties"]["claim_id"] for f in geo["features"]} <= {c["id"] for c in body["claims"]}
