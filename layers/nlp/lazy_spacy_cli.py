"""Makes `import spacy` in the NlpLayer stop importing spaCy's command line.

spaCy 3.8's `__init__` runs `from .cli.info import info`, which imports every CLI command and
typer, weasel, requests and jinja2: 0.13 s of the extract cold start for code a Lambda never runs.
This rewrites that line into a `spacy.info` that imports the CLI on first call (the approach of
explosion/spaCy#12962). The build fails if the line is not found, so a spaCy upgrade cannot
silently skip it.

Usage: python lazy_spacy_cli.py SITE_PACKAGES_DIR
"""

import sys
from pathlib import Path

EAGER = "from .cli.info import info  # noqa: F401\n"
LAZY = """def info(*args, **kwargs):  # claimwatch NlpLayer: the CLI loads on first use (lazy_spacy_cli.py)
    from .cli.info import info as cli_info

    return cli_info(*args, **kwargs)
"""


def main(site: str) -> int:
    init = Path(site) / "spacy" / "__init__.py"
    source = init.read_text(encoding="utf-8")
    if source.count(EAGER) != 1:
        print(f"{init}: expected one line {EAGER.strip()!r}; spaCy changed, review lazy_spacy_cli.py", file=sys.stderr)
        return 1
    init.write_text(source.replace(EAGER, LAZY), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
