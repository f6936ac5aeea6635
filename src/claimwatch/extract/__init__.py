"""Claim extraction: spaCy pipeline, reporting-verb lexicon, attribution rules, coreference, dates."""
