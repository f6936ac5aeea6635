"""Alerts: per-watch delivery policy, exactly-once sends, self-explaining messages, digests."""

from claimwatch.alerts.ledger import AlertStore, InMemoryAlertStore
from claimwatch.alerts.render import RenderedAlert, render_alert
from claimwatch.alerts.service import AlertOutcome, AlertService

__all__ = ["AlertOutcome", "AlertService", "AlertStore", "InMemoryAlertStore", "RenderedAlert", "render_alert"]
