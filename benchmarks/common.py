"""What every benchmark script shares: arguments, statistics, the machine, memory, the result file.

Each script runs on its own (`python benchmarks/bench_x.py`) and prints a short summary; with
`--json FILE` it also writes its figures for benchmarks/run_all.py, and `--smoke` makes it tiny (for
tests/test_benchmarks_smoke.py, which only checks that the scripts still run: never their timings).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS = REPO / "benchmarks"
PAGE = resource.getpagesize()


def arguments(description: str, runs: int, argv: Sequence[str] | None = None,
              extra: Sequence[tuple[str, dict[str, Any]]] = ()) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=runs,
                        help=f"repeated runs; the median is reported (default {runs})")
    parser.add_argument("--smoke", action="store_true", help="a tiny run that only checks the script works")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures to FILE")
    for flag, options in extra:
        parser.add_argument(flag, **options)
    return parser.parse_args(argv)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100), nearest rank: a value that was actually measured."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def rss_bytes() -> int:
    """Resident memory of this process now (from /proc/self/statm)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * PAGE


def load() -> tuple[float, float, float]:
    return os.getloadavg()


def machine() -> dict[str, Any]:
    """CPU model, cores, memory, Python, and the load when asked."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = 0
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory / 2**30, 1),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "system": f"{platform.system()} {platform.release()}",
        "libyaml": _libyaml(),
        "taskset": shutil.which("taskset") is not None,
    }


def _libyaml() -> bool:
    import yaml

    return bool(getattr(yaml, "__with_libyaml__", False))


def python() -> str:
    """The interpreter running the benchmarks (the project's venv when started from it)."""
    return sys.executable


def triage_command() -> list[str]:
    """The installed `triage` command beside this interpreter, else `python -m triage`."""
    beside = Path(sys.executable).with_name("triage")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "triage"]


def installed_environment() -> dict[str, str]:
    """This environment, with compiled modules cached as an installed package has them.

    This checkout runs with PYTHONDONTWRITEBYTECODE=1 and, installed editable, has no compiled files of
    its own, so every start compiles calcitriage's modules again; pip compiles them when it installs a
    wheel. PYTHONPYCACHEPREFIX keeps the compiled files outside the checkout.
    """
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(Path(tempfile.gettempdir()) / "calcitriage-benchmark-pyc"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def write(result: dict[str, Any], path: Path | None) -> None:
    result = {**result, "load_after": load(), "finished": time.strftime("%Y-%m-%d %H:%M:%S")}
    if path is not None:
        path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)
