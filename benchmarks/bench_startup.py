"""Start-up: from launching `triage` to its first prompt on screen, against a bare questionary program.

Both run in a pseudo-terminal (pexpect, 80x24, PROMPT_TOOLKIT_NO_CPR=1) and are timed to the end of the
first drawing of the same prompt ("Do you want to start?" with its two choices); the runs alternate, so
both see the same machine. The opening prompt is drawn before the knowledge base is loaded, compiled
and self-tested (that is done behind it, while the person reads), so `triage` is also timed to its
first question when Start is pressed the moment the opening prompt is drawn: the longest a person can
wait for it. A third program (imports_then_prompt.py) imports what `triage` imports and
shows the same prompt, doing nothing else: the part of the start-up that is imports alone. Measured
twice: with compiled modules cached (as an installed package has them: the figure held against the
target) and with none (as this editable checkout runs, with PYTHONDONTWRITEBYTECODE=1). Then the parts
of one start-up, timed in-process (startup_parts.py).
Target: triage at most 1.3x the bare program.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Sequence
from typing import Any

import common
import terminal

FIRST_QUESTION = re.compile(r"Question 1 .*?\x1b\[\?7h", re.S)

TARGET_RATIO = 1.3


def _wall(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def to_first_question(command: list[str], env: dict[str, str]) -> float:
    """Seconds from starting `triage` to its first question drawn, Start pressed as soon as it can be."""
    started = time.perf_counter()
    child = terminal.spawn(command, env)
    child.expect(terminal.FIRST_PROMPT)
    child.send("\r")
    child.expect(FIRST_QUESTION)
    elapsed = time.perf_counter() - started
    terminal.stop(child)
    return elapsed


def pair(runs: int, bytecode: bool) -> dict[str, Any]:
    env = terminal.environment(bytecode)
    commands = {
        "bare": [common.python(), str(common.BENCHMARKS / "bare_questionary.py")],
        "triage": [*common.triage_command(), "interview"],
        "imports": [common.python(), str(common.BENCHMARKS / "imports_then_prompt.py")],
    }
    for command in commands.values():  # warm the file cache (and, with bytecode, the compiled files)
        terminal.time_to(command, terminal.FIRST_PROMPT, env)
    times: dict[str, list[float]] = {name: [] for name in [*commands, "triage_first_question"]}
    names = list(times)
    for run in range(runs):
        for name in names[run % 4:] + names[: run % 4]:
            times[name].append(to_first_question(commands["triage"], env) if name == "triage_first_question"
                               else terminal.time_to(commands[name], terminal.FIRST_PROMPT, env))
    bare_ms, triage_ms, imports_ms, question_ms = (common.ms(common.median(times[k])) for k in names)
    return {"bare_ms": bare_ms, "triage_ms": triage_ms, "ratio": round(triage_ms / bare_ms, 3),
            "imports_only_ms": imports_ms, "imports_only_ratio": round(imports_ms / bare_ms, 3),
            "first_question_ms": question_ms, "first_question_ratio": round(question_ms / bare_ms, 3),
            "runs_ms": {name: [common.ms(t) for t in values] for name, values in times.items()}}


def parts(runs: int) -> dict[str, Any]:
    env = terminal.environment(bytecode=True)
    script = str(common.BENCHMARKS / "startup_parts.py")
    rows = []
    for _ in range(runs + 1):
        out = subprocess.run([common.python(), script], env=env, check=True, capture_output=True, text=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    rows = rows[1:]  # the first run compiles
    floor = {
        "python start and exit": [_wall([common.python(), "-c", "pass"], env) for _ in range(runs)],
        "python start, import questionary": [_wall([common.python(), "-c", "import questionary"], env)
                                             for _ in range(runs)],
    }
    return {"triage_parts_ms": {k: round(common.median([r[k] for r in rows]), 1) for k in rows[0]},
            "floor_parts_ms": {k: common.ms(common.median(v)) for k, v in floor.items()}}


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = common.arguments(__doc__.splitlines()[0], runs=21, argv=argv)
    runs = 1 if args.smoke else args.runs
    compiled = pair(runs, bytecode=True)
    uncompiled = pair(max(1, runs // 3), bytecode=False)
    breakdown = parts(1 if args.smoke else max(5, runs // 2))
    result = {
        "benchmark": "startup",
        "runs": runs,
        "runs_uncompiled": max(1, runs // 3),
        "compiled": compiled,
        "uncompiled": uncompiled,
        **breakdown,
        "target_ratio": TARGET_RATIO,
        "met": compiled["ratio"] <= TARGET_RATIO,
    }
    print(f"compiled modules:   bare {compiled['bare_ms']:.0f} ms, triage {compiled['triage_ms']:.0f} ms, "
          f"ratio {compiled['ratio']:.2f} (target <= {TARGET_RATIO}); imports only "
          f"{compiled['imports_only_ms']:.0f} ms ({compiled['imports_only_ratio']:.2f}x); first question, Start "
          f"pressed at once: {compiled['first_question_ms']:.0f} ms ({compiled['first_question_ratio']:.2f}x)")
    print(f"no compiled files:  bare {uncompiled['bare_ms']:.0f} ms, "
          f"triage {uncompiled['triage_ms']:.0f} ms, ratio {uncompiled['ratio']:.2f}")
    for name, value in breakdown["triage_parts_ms"].items():
        print(f"  {value:7.1f} ms  {name}")
    for name, value in breakdown["floor_parts_ms"].items():
        print(f"  {value:7.1f} ms  floor: {name}")
    common.write(result, args.json)
    return result


if __name__ == "__main__":
    main()
