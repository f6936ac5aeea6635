"""Unzipped deployment size of each Lambda function as `sam build` produced it: code + layers.

Reads `.aws-sam/build/template.yaml` (the built template: every CodeUri/ContentUri points at its
build directory), resolves each function's layers the way SAM does (Globals.Function.Layers
followed by the function's own Layers), sums the sizes of the files Lambda would unpack, and
compares each total with the 250 MB cap (the limit Lambda enforces is 262,144,000 bytes = 250 MiB,
function code plus all layers, unzipped).

    python scripts/deploy_size.py [--build-dir .aws-sam/build] [--json bench/out/deploy_size.json]

Exit status: 0 when every function fits, 1 when one exceeds the cap, 2 when there is no build.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from claimwatch.local.template import load_template  # the same CloudFormation-aware loader as the local runner

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BUILD_DIR = REPO_ROOT / ".aws-sam" / "build"
DEFAULT_JSON = REPO_ROOT / "bench" / "out" / "deploy_size.json"
LAMBDA_UNZIPPED_CAP_BYTES = 262_144_000
EXTRACT_AIM_BYTES = 150 * 1024 * 1024
MIB = 1024 * 1024
BUILD_HINT = "AWS_DEFAULT_REGION=us-east-1 SAM_CLI_TELEMETRY=0 .venv-sam/bin/sam build   (or: make build)"


def _ref(value) -> str | None:
    return value.get("Ref") if isinstance(value, dict) else None


def function_layers(template: dict) -> dict[str, list[str]]:
    """Logical ids of the layers of every AWS::Serverless::Function, in SAM's merge order."""
    global_layers = template.get("Globals", {}).get("Function", {}).get("Layers", []) or []
    layers = {}
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") == "AWS::Serverless::Function":
            own = resource.get("Properties", {}).get("Layers", []) or []
            layers[logical_id] = [_ref(layer) or str(layer) for layer in [*global_layers, *own]]
    return layers


def tree_size(path: Path) -> tuple[int, int]:
    """(bytes, files) of the regular files under path, as Lambda would unpack them."""
    total = files = 0
    for root, _dirs, names in os.walk(path):
        for name in names:
            full = os.path.join(root, name)
            if not os.path.islink(full):
                total += os.path.getsize(full)
                files += 1
    return total, files


def measure(build_dir: Path = DEFAULT_BUILD_DIR) -> dict:
    """Sizes of every built layer and function (raises FileNotFoundError without a build)."""
    built_template = build_dir / "template.yaml"
    template = load_template(built_template)
    resources = template.get("Resources", {})
    layers = {}
    for logical_id, resource in resources.items():
        if resource.get("Type") == "AWS::Serverless::LayerVersion":
            content = (build_dir / resource["Properties"]["ContentUri"]).resolve()
            built = content.is_dir() and content.parent == build_dir.resolve()  # else: the source dir
            size, files = tree_size(content) if built else (0, 0)
            layers[logical_id] = {
                "bytes": size,
                "mib": round(size / MIB, 1),
                "files": files,
                "dir": str(content),
                "built": built,
            }
    functions = {}
    for logical_id, layer_ids in function_layers(template).items():
        code = (build_dir / resources[logical_id]["Properties"]["CodeUri"]).resolve()
        built = code.is_dir() and code.parent == build_dir.resolve()
        code_bytes, code_files = tree_size(code) if built else (0, 0)
        total = code_bytes + sum(layers.get(layer, {}).get("bytes", 0) for layer in set(layer_ids))
        functions[logical_id] = {
            "code_bytes": code_bytes,
            "code_files": code_files,
            "code_dir": str(code),
            "built": built,
            "layers": layer_ids,
            "duplicate_layers": len(set(layer_ids)) != len(layer_ids),
            "total_bytes": total,
            "total_mib": round(total / MIB, 1),
            "cap_used_pct": round(100 * total / LAMBDA_UNZIPPED_CAP_BYTES, 1),
            "under_cap": total <= LAMBDA_UNZIPPED_CAP_BYTES,
        }
    return {
        "build_dir": str(build_dir),
        "built_at": built_template.stat().st_mtime,
        "cap_bytes": LAMBDA_UNZIPPED_CAP_BYTES,
        "extract_aim_bytes": EXTRACT_AIM_BYTES,
        "layers": layers,
        "functions": functions,
    }


def with_command(sizes: dict, command: str) -> dict:
    """Labels every figure with the command that reproduces it (benchmark convention)."""
    sizes["command"] = command
    for entry in [*sizes["layers"].values(), *sizes["functions"].values()]:
        entry["command"] = command
    return sizes


def render(sizes: dict) -> str:
    lines = [f"{'layer':<22}{'MiB':>8}{'files':>8}"]
    for name, layer in sizes["layers"].items():
        lines.append(f"{name:<22}{layer['mib']:>8.1f}{layer['files']:>8}" + ("" if layer["built"] else "  NOT BUILT"))
    lines += ["", f"{'function':<22}{'code KiB':>10}{'total MiB':>11}{'of 250 MiB':>12}  layers"]
    for name, fn in sizes["functions"].items():
        flags = [] if fn["built"] else ["NOT BUILT"]
        flags += [] if fn["under_cap"] else ["OVER CAP"]
        flags += ["DUPLICATE LAYER"] if fn["duplicate_layers"] else []
        lines.append(
            f"{name:<22}{fn['code_bytes'] / 1024:>10.1f}{fn['total_mib']:>11.1f}"
            f"{fn['cap_used_pct']:>11.1f}%  {'+'.join(fn['layers'])} {' '.join(flags)}".rstrip()
        )
    extract = sizes["functions"].get("ExtractFunction")
    if extract:
        verdict = "meets" if extract["total_bytes"] <= EXTRACT_AIM_BYTES else "misses"
        lines.append(f"\nExtractFunction: {extract['total_mib']} MiB unzipped, {verdict} the 150 MiB aim (cap 250 MiB)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, default=DEFAULT_BUILD_DIR)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the figures")
    args = parser.parse_args(argv)
    try:
        sizes = measure(args.build_dir)
    except FileNotFoundError:
        print(f"no SAM build at {args.build_dir}: run\n  {BUILD_HINT}", file=sys.stderr)
        return 2
    with_command(sizes, "make size")
    print(render(sizes))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(sizes, indent=2) + "\n")
    return 0 if all(fn["under_cap"] for fn in sizes["functions"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
