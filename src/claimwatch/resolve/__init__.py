"""Place and actor resolution: gazetteer, transliteration keys, aliases."""
