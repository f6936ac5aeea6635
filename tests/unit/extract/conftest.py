import pytest


@pytest.fixture(scope="session")
def nlp():
    from claimwatch.extract.nlp import get_nlp

    return get_nlp()
