"""Fixtures for the resolution and watch tests: the gazetteer (built once per session when the packaged one is
missing) and the spaCy pipeline (loaded once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimwatch.resolve.build import ensure_gazetteer
from claimwatch.resolve.gazetteer import Gazetteer, set_gazetteer

SEED_ARTICLE = Path(__file__).resolve().parents[2].parent / "shared" / "seeds" / "000_e617115571040da7.txt"


@pytest.fixture(scope="session")
def gazetteer(tmp_path_factory) -> Gazetteer:
    g = Gazetteer(ensure_gazetteer(tmp_path_factory.mktemp("gazetteer")))
    set_gazetteer(g)
    yield g
    set_gazetteer(None)


@pytest.fixture(scope="session")
def nlp(gazetteer):
    from claimwatch.extract.nlp import get_nlp

    return get_nlp()


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED_ARTICLE.exists():
        pytest.skip(f"seed article {SEED_ARTICLE} absent (../shared is not checked out here)")
    return SEED_ARTICLE.read_text(encoding="utf-8")
