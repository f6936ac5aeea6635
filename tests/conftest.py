"""Shared fixtures: fake AWS credentials, the shared/ folder, event fixtures, the local pipeline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED_ARTICLE = SHARED / "seeds" / "000_e617115571040da7.txt"

# The resolution fixtures (gazetteer, nlp, seed_text) for the resolve, watch and novelty tests.
pytest_plugins = ["resolve_fixtures"]

# Never let a test reach real AWS: fake credentials and a fixed region before boto3 is used.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
)
os.environ.pop("AWS_PROFILE", None)
os.environ.pop("AWS_ENDPOINT_URL", None)


@pytest.fixture
def seed_article_text() -> str:
    if not SEED_ARTICLE.exists():
        pytest.skip(f"the seed article {SEED_ARTICLE} is absent (../shared/ is only in CI and dev sessions)")
    return SEED_ARTICLE.read_text(encoding="utf-8")


@pytest.fixture
def local_pipeline():
    """The template's resources on in-process moto, handlers wired as in AWS."""
    from claimwatch.local.runner import LocalPipeline

    pipe = LocalPipeline(use_moto=True, extra_env={"CLAIMWATCH_ALLOW_LOOPBACK": "true"})
    try:
        yield pipe
    finally:
        pipe.close()
