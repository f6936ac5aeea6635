"""Resolution fixtures (shared with tests/unit/watch)."""

from resolve_fixtures import gazetteer, nlp, seed_text  # noqa: F401
