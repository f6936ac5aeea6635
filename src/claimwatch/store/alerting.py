"""What the alert and digest functions share: the stores behind an AlertService."""

from __future__ import annotations

import os
from typing import Callable, Optional

from claimwatch.alerts.service import AlertService
from claimwatch.store.alerts import DynamoAlertStore
from claimwatch.store.novelty import DynamoNoveltyStore
from claimwatch.store.topic import SnsPublisher
from claimwatch.store.watches import CachedWatches, WatchStore
from claimwatch.watch.matcher import WatchIndex


class AlertWiring:
    """Built once per container from the function's environment (table names, topic ARN)."""

    def __init__(self, environ=os.environ):
        self.watches = CachedWatches(WatchStore(environ["WATCHES_TABLE"]), build=WatchIndex)
        self.alert_store = DynamoAlertStore(environ["ALERTS_TABLE"])
        self.novelty_store = DynamoNoveltyStore(environ["NOVELTY_TABLE"])
        self.publisher = SnsPublisher(environ["ALERT_TOPIC_ARN"])

    def service(self, article_text: Optional[Callable[[str], Optional[str]]] = None) -> AlertService:
        """An AlertService over the current watches (reloaded at most once a minute)."""
        index = self.watches.index()
        return AlertService(self.alert_store, self.publisher, index, self.novelty_store,
                            watches=index.watches, article_text=article_text)
