"""What the alert and digest functions share: the stores behind an AlertService."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from claimwatch.alerts.service import AlertService
from claimwatch.settings import AlertingSettings
from claimwatch.store.dynamo_alert_ledger import DynamoAlertStore
from claimwatch.store.dynamo_cluster_index import DynamoNoveltyStore
from claimwatch.store.topic import SnsPublisher
from claimwatch.store.watches import CachedWatches, WatchStore
from claimwatch.watch.matcher import WatchIndex

# How long a claimed (watch, cluster) alert stays reserved for its sender: longer than the alert
# function's 60 s timeout, so a live sender is never doubled, short enough that a retry after a
# crash mid-send gets through instead of being counted as already sent.
ALERT_LEASE = timedelta(seconds=90)


class AlertWiring:
    """Built once per container from the function's settings (table names, topic ARNs)."""

    def __init__(self, settings: AlertingSettings):
        self.watches = CachedWatches(WatchStore(settings.watches_table), build=WatchIndex)
        self.alert_store = DynamoAlertStore(settings.alerts_table)
        self.novelty_store = DynamoNoveltyStore(settings.novelty_table)
        self.publisher = SnsPublisher(settings.alert_topic_arn, chat_topic_arn=settings.chat_topic)
        # One digest per watch per DigestRate period (the guard key is the period's start).
        self.digest_period = settings.digest_period

    def service(self, article_text: Callable[[str], str | None] | None = None) -> AlertService:
        """An AlertService over the current watches (reloaded at most once a minute)."""
        index = self.watches.index()
        return AlertService(
            self.alert_store,
            self.publisher,
            index,
            self.novelty_store,
            watches=index.watches,
            article_text=article_text,
            digest_period=self.digest_period,
            lease=ALERT_LEASE,
        )
