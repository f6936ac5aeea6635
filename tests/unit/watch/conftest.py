"""Watch tests use the resolution fixtures."""

from resolve_fixtures import gazetteer, nlp, seed_text  # noqa: F401
