"""Watches: watchlists and the claim-to-watch matcher."""
