"""Benchmark: preflight's wall time per stack against the floor no offline preview can beat.

The floor is a fresh interpreter importing the SDK classes of every resource type the
stack's plan registers (what any offline run must load). preflight is a fresh
``python -m preflight STACK``. The target is preflight within 1.5x of the floor, and
linear growth in the number of resources (measured with a synthetic program of N
resources under the same monitor).

    venv/bin/python benchmarks/bench_preflight.py [--repeat 5] [--stacks production staging]

This is a benchmark, not a test: it prints numbers and never fails a build.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from preflight.spec_worker import CACHE_ENV  # noqa: E402

PACKAGES = {"aws": "pulumi_aws", "eks": "pulumi_eks", "kubernetes": "pulumi_kubernetes", "random": "pulumi_random"}


def sdk_import(token: str) -> str | None:
    """The import statement that loads the SDK class of a resource type token, or None."""
    import importlib.util

    package, module, name = token.split(":")
    if package == "pulumi" and module == "providers":
        package, module, name = name, "index", "Provider"
    if package not in PACKAGES:
        return None  # our own components and the stack itself
    python_package = PACKAGES[package]
    head = module.split("/")[0]
    if head == "index":
        path = ""
    elif package == "kubernetes":
        # "apps/v1" -> apps.v1, "helm.sh/v3" -> helm.v3, "storage.k8s.io/v1" -> storage.v1
        path = f"{head.split('.')[0]}.{module.split('/')[1]}"
    else:
        path = head
    target = f"{python_package}.{path}" if path else python_package
    try:
        found = importlib.util.find_spec(target) is not None
    except ModuleNotFoundError:
        found = False
    if not found:
        # A CRD kind (ServiceMonitor): the SDK registers it through its generic CustomResource.
        return f"from {python_package}.apiextensions import CustomResource"
    return f"from {target} import {name}"


def timed(argv: list[str], repeat: int, env: dict[str, str] | None = None) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=env)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def scaling(counts: list[int]) -> list[tuple[int, float]]:
    """Seconds to register N subnets under preflight's monitor (imports already warm)."""
    import pulumi_aws as aws

    from preflight.monitor import run_function

    results = []
    for n in counts:
        def program(n: int = n) -> None:
            vpc = aws.ec2.Vpc("bench", cidr_block="10.0.0.0/16")
            for i in range(n):
                aws.ec2.Subnet(f"bench-{i}", vpc_id=vpc.id, cidr_block=f"10.0.{i % 256}.0/24", tags={"i": str(i)})

        start = time.perf_counter()
        run_function(program)
        results.append((n + 1, time.perf_counter() - start))
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--stacks", nargs="*", default=["production", "staging"])
    parser.add_argument("--scaling", nargs="*", type=int, default=[100, 200, 400, 800])
    args = parser.parse_args()

    from preflight.harness import run_stack

    python = sys.executable
    # Cold: the spec stage's findings cache off, so cfn-lint lints every resource (a first run,
    # or a new cfn-lint). Warm: the cache filled by one run first (the edit-and-preview loop,
    # and CI's test run after its preflight step).
    with tempfile.TemporaryDirectory() as cache_dir:
        cold_env = {**os.environ, CACHE_ENV: "off"}
        warm_env = {**os.environ, CACHE_ENV: cache_dir}
        print(f"{'stack':<12}{'resources':>10}{'floor s':>10}{'cold s':>9}{'ratio':>8}{'warm s':>9}{'ratio':>8}")
        for stack in args.stacks:
            plan = run_stack(stack)
            imports = sorted({i for i in (sdk_import(r.type) for r in plan.resources) if i})
            # Both sides skip interpreter teardown (preflight ends with os._exit): imports only.
            floor = timed([python, "-c", "import os, pulumi\n" + "\n".join(imports) + "\nos._exit(0)"], args.repeat)
            cold = timed([python, "-m", "preflight", stack], args.repeat, cold_env)
            timed([python, "-m", "preflight", stack], 1, warm_env)  # fills the cache
            warm = timed([python, "-m", "preflight", stack], args.repeat, warm_env)
            print(
                f"{stack:<12}{len(plan.resources):>10}{floor:>10.2f}{cold:>9.2f}{cold / floor:>8.2f}"
                f"{warm:>9.2f}{warm / floor:>8.2f}"
            )

    print("\nphases in one process (warm imports, last stack), as preflight runs them:")
    from preflight.stages import registered_stages

    stages = registered_stages()
    for stage in stages:
        if stage.warm is not None:
            stage.warm()  # the spec stage's cfn-lint worker starts loading now, as in preflight
    start = time.perf_counter()
    document = run_stack(args.stacks[-1]).to_json()
    print(f"  program under mocks: {time.perf_counter() - start:.2f} s")
    for stage in stages:
        if stage.prepare is not None:
            stage.prepare(document)  # the spec stage hands its template to the worker
    for stage in stages:
        start = time.perf_counter()
        stage.run(document)
        print(f"  stage {stage.key}: {time.perf_counter() - start:.2f} s (in this process)")
    from preflight.spec_stage import LAST_TIMING

    print(
        f"  spec worker: cfn-lint loaded in {LAST_TIMING.get('setupSeconds', 0):.2f} s (while the program ran), "
        f"linted in {LAST_TIMING.get('lintSeconds', 0):.2f} s (while the pack ran), "
        f"{int(LAST_TIMING.get('cached', 0))} resources from the findings cache"
    )

    print("\nscaling (synthetic program, warm imports):")
    print(f"{'resources':>10}{'seconds':>10}{'ms/resource':>13}")
    for n, seconds in scaling(args.scaling):
        print(f"{n:>10}{seconds:>10.2f}{1000 * seconds / n:>13.2f}")


if __name__ == "__main__":
    main()
