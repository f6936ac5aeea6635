"""claimwatch: claim-level news monitoring.

The pure core (feeds, extract, resolve, novelty, watch, alerts) imports no boto3;
AWS access lives in `claimwatch.store`, the moto-backed local runner in `claimwatch.local`.
"""

__version__ = "0.2.0"  # the package version (pyproject reads it); CHANGELOG.md says what changed
