"""Shared by the end-to-end tests: generated feeds on a loopback server, the local pipeline
polling them, a watchlist."""

from __future__ import annotations

from contextlib import contextmanager

from claimwatch.local.feedserver import FeedDirectory, FeedServer
from claimwatch.local.session import LocalRun


@contextmanager
def serving(feeds: dict, watchlist: str, tmp_path):
    """``feeds``: name -> (outlet, function(poll round) -> feed bytes). Yields (LocalRun, the
    FeedDirectory: set its ``round`` to publish the next round's items)."""
    directory = FeedDirectory(extra={name: body for name, (_, body) in feeds.items()})
    path = tmp_path / "watchlist.yaml"
    path.write_text(watchlist)
    with FeedServer(directory) as server:
        run = LocalRun([(server.url(name), outlet) for name, (outlet, _) in feeds.items()], path, allow_loopback=True)
        try:
            yield run, directory
        finally:
            run.close()
