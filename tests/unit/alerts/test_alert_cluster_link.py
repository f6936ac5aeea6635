"""Alerts link to the claims page's cluster view when the API is deployed (API_URL)."""

from __future__ import annotations

from claimwatch.alerts.render import render_alert
from claimwatch.watch.matcher import Match

from claimfactory import make_claim


def _alert():
    claim, text = make_claim(
        "Igor Volkhov said Russian forces cleared a post in Pokrovsk.",
        "Igor Volkhov",
        "said",
        "Russian forces cleared a post in Pokrovsk",
    )
    claim.id, claim.cluster_id = "c1a1000000000001", "c1u5000000000001"
    match = Match("pokrovsk-front", "place", "geo:704422", "Pokrovsk", claim.places[0].span, "place Pokrovsk")
    return render_alert(claim, [match], None, text)


def test_with_the_api_deployed_the_alert_links_to_the_cluster_view(monkeypatch):
    monkeypatch.setenv("API_URL", "https://abc123.execute-api.us-east-1.amazonaws.com/")
    alert = _alert()
    view = "https://abc123.execute-api.us-east-1.amazonaws.com/#/clusters/c1u5000000000001"
    assert f"Cluster view: {view}" in alert.text.splitlines()
    assert alert.json["cluster_url"] == view


def test_without_the_api_no_link(monkeypatch):
    monkeypatch.delenv("API_URL", raising=False)
    alert = _alert()
    assert "Cluster view" not in alert.text and alert.json["cluster_url"] is None
