"""Merge the figures of every benchmark (bench/out/*.json) into bench/results.json."""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
RESULTS = Path(__file__).resolve().parent / "results.json"


def main() -> int:
    files = sorted(OUT.glob("*.json"))
    if not files:
        print("no benchmark output in bench/out/: run `make bench`", file=sys.stderr)
        return 1
    results = {
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "benchmarks": {f.stem: json.loads(f.read_text()) for f in files},
    }
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}: "
          + ", ".join(f.stem for f in files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
