"""What the alert and digest functions share: the stores behind an AlertService."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Callable, Optional

from claimwatch.alerts.policy import digest_period
from claimwatch.alerts.service import AlertService
from claimwatch.store.alerts import DynamoAlertStore
from claimwatch.store.novelty import DynamoNoveltyStore
from claimwatch.store.topic import SnsPublisher
from claimwatch.store.watches import CachedWatches, WatchStore
from claimwatch.watch.matcher import WatchIndex


# How long a claimed (watch, cluster) alert stays reserved for its sender: longer than the alert
# function's 60 s timeout, so a live sender is never doubled, short enough that a retry after a
# crash mid-send gets through instead of being counted as already sent.
ALERT_LEASE = timedelta(seconds=90)


class AlertWiring:
    """Built once per container from the function's environment (table names, topic ARN)."""

    def __init__(self, environ=os.environ):
        self.watches = CachedWatches(WatchStore(environ["WATCHES_TABLE"]), build=WatchIndex)
        self.alert_store = DynamoAlertStore(environ["ALERTS_TABLE"])
        self.novelty_store = DynamoNoveltyStore(environ["NOVELTY_TABLE"])
        chat = environ.get("CHAT_ALERTS", "false").strip().lower() == "true"
        self.publisher = SnsPublisher(environ["ALERT_TOPIC_ARN"],
                                      chat_topic_arn=environ.get("CHAT_TOPIC_ARN") if chat else None)
        # One digest per watch per DigestRate period (the guard key is the period's start).
        self.digest_period = digest_period(environ.get("DIGEST_RATE"))

    def service(self, article_text: Optional[Callable[[str], Optional[str]]] = None) -> AlertService:
        """An AlertService over the current watches (reloaded at most once a minute)."""
        index = self.watches.index()
        return AlertService(self.alert_store, self.publisher, index, self.novelty_store,
                            watches=index.watches, article_text=article_text,
                            digest_period=self.digest_period, lease=ALERT_LEASE)
