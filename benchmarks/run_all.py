"""Run every benchmark and write docs/benchmarks.md: figures against targets, the command, the machine.

Example: .venv/bin/python benchmarks/run_all.py
         .venv/bin/python benchmarks/run_all.py --smoke --output /tmp/benchmarks.md   (a quick check)

Each benchmark runs in its own process (benchmarks/bench_*.py, each also usable alone); run this on a
quiet machine: the load average before and after each benchmark is written into the report.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import common

BENCHMARKS = ["session", "answer", "batch", "batch_jobs", "startup", "kiosk_memory", "engine_changes", "scaling",
              "web"]
NOTES = common.BENCHMARKS / "notes.md"
RESULTS = common.BENCHMARKS / "last_results.json"  # the figures of the last full run, to rewrite the report
Result = dict[str, Any]


def run(name: str, smoke: bool, folder: Path) -> Result:
    out = folder / f"{name}.json"
    command = [sys.executable, str(common.BENCHMARKS / f"bench_{name}.py"), "--json", str(out)]
    if smoke:
        command.append("--smoke")
    before = common.load()
    started = time.perf_counter()
    subprocess.run(command, check=True)
    result = json.loads(out.read_text(encoding="utf-8"))
    result["load_before"] = before
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    return result


def _met(flag: bool) -> str:
    return "**met**" if flag else "**not met**"


def _load(values: list[float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


def _loads(result: Result) -> str:
    return (f"Measured {result['finished'][:16]}; load average before: {_load(result['load_before'])}, after: "
            f"{_load(result['load_after'])}.")


def _git() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=common.REPO, capture_output=True,
                                text=True, check=True).stdout.strip()
        # The files this script writes itself do not count as changes to the code measured.
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                                ":!benchmarks/last_results.json", ":!docs/benchmarks.md"], cwd=common.REPO,
                               capture_output=True, text=True, check=True).stdout.strip()
        return f"{commit}{' with uncommitted changes' if dirty else ''}"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# --- the summary table: one row per figure ---------------------------------------------------------------


def _row(what: str, figure: str, target: str, met: bool) -> str:
    return f"| {what} | {figure} | {target} | {_met(met)} |"


def _batch_jobs_rows(j: Result) -> list[str]:
    machine = (f"in the same rounds two processes with nothing to coordinate ran {j['loop_ceiling']}x as fast as one "
               f"on a loop adding integers, {j['work_ceiling']}x on this work")
    rows = [_row(f"batch, `--jobs 2` vs `--jobs 1`, {j['sessions']:,} sessions",
                 f"**{j['speed_up']:.2f}x** ({j['jobs2_per_second']:.0f} vs {j['jobs1_per_second']:.0f}/s; "
                 f"{machine})", f">= {j['target_speed_up']}x", j["met"])]
    if "jobs1_to_reference" in j:
        rows.append(_row("batch, `--jobs 1` vs the same pipeline with the reference evaluator",
                         f"**{j['jobs1_to_reference']:.2f}x** ({j['jobs1_per_second']:.0f} vs "
                         f"{j['reference_per_second']:.0f}/s)", ">= 0.5x", j["jobs1_to_reference"] >= 0.5))
    return rows


def summary_rows(results: dict[str, Result]) -> list[str]:
    rows = []
    if st := results.get("startup"):
        c = st["compiled"]
        rows.append(_row("start-up to first prompt (pty)",
                         f"triage {c['triage_ms']:.0f} ms vs bare questionary {c['bare_ms']:.0f} ms = "
                         f"**{c['ratio']:.2f}x** (median of {st['runs']} each); to the first question, "
                         f"Start pressed at once, {c['first_question_ms']:.0f} ms",
                         f"<= {st['target_ratio']}x", st["met"]))
    if a := results.get("answer"):
        o, p, bare = a["on_screen"], a["in_process"], a["bare_on_screen"]
        target = f"p99 < {a['target_p99_ms']:.0f} ms"
        rows.append(_row("per answer, on screen (pty)",
                         f"p99 **{o['p99_ms']:.1f} ms** (median {o['median_ms']:.1f}); bare questionary "
                         f"p99 {bare['p99_ms']:.1f} ms (median {bare['median_ms']:.1f})", target, a["met"]))
        rows.append(_row("per answer, in-process (Session)",
                         f"p99 **{p['p99_ms']:.2f} ms** (median {p['median_ms']:.2f}, "
                         f"{p['answers']:.0f} answers)",
                         target, a["met_in_process"]))
    if s := results.get("session"):
        f = s["figures"]
        short = {"engine_by_answer": "engine answer by answer (`Run.add`)",
                 "engine_confirmed": "with the second opinion"}
        others = ", ".join(f"{short.get(name, name)} {f[name]['median_ms']:.2f} ms" for name in f if name != "engine")
        rows.append(_row("whole session (evaluate)",
                         f"engine median **{f['engine']['median_ms']:.2f} ms**; side by side: {others}",
                         f"median < {s['target_ms']:.0f} ms", s["met"]))
    if b := results.get("batch"):
        rows.append(_row(f"batch, {b['sessions']:,} sessions",
                         f"**{b['sessions_per_second']:.0f} sessions/s** "
                         f"({'one core' if b['pinned_to_one_core'] else 'not pinned'})",
                         f">= {b['target_per_second']:.0f}/s", b["met"]))
    if j := results.get("batch_jobs"):
        rows.extend(_batch_jobs_rows(j))
    if k := results.get("kiosk_memory"):
        keyed = (f"; answering by keys through the kiosk's own prompt application, {k['keyed']['people']:,} "
                 f"people: **{k['keyed']['growth_mb']:.2f} MB**") if "keyed" in k else ""
        rows.append(_row(f"kiosk memory, {k['people']:,} people",
                         f"growth after the first 100: **{k['growth_mb']:.2f} MB**{keyed}",
                         f"< {k['target_growth_mb']:.0f} MB", k["met"]))
    if sc := results.get("scaling"):
        x1, x8 = (next((row for row in sc["sizes"] if row["times"] == t), None) for t in (1, 8))
        if x1 and x8 and x1.get("clips_ms") and x8.get("clips_ms"):
            rows.append(_row("session vs CLIPS, same rules, same run",
                             f"engine/CLIPS **{x1['engine_to_clips']:.2f}x** at x1 ({x1['rules']} rules), "
                             f"**{x8['engine_to_clips']:.2f}x** at x8 ({x8['rules']} rules)",
                             "<= 1.0x at x1 and x8", x1["engine_to_clips"] <= 1.0 and x8["engine_to_clips"] <= 1.0))
        rows.append(_row("engine build vs rules, x1 to x16",
                         f"grows as rules^**{sc['build_exponent']:.2f}** "
                         f"({sc['sizes'][0]['build_ms']:.0f} ms -> {sc['sizes'][-1]['build_ms']:.0f} ms)",
                         "linear (exponent <= 1.2)", sc["build_exponent"] <= 1.2))
        per_rule = [row["engine_per_fired_rule_ms"] for row in sc["sizes"]]
        rows.append(_row("session cost per fired rule, x1 to x16",
                         f"**{min(per_rule):.3f}-{max(per_rule):.3f} ms** (the issue measured about 0.19 ms)",
                         "falls", max(per_rule) < 0.19))
    if w := results.get("web"):
        per = "; ".join(f"{r['workers']} worker{'s' if r['workers'] > 1 else ''} p99 **{r['server_p99_ms']:.1f} ms** "
                        f"(p50 {r['server_p50_ms']:.1f})" for r in w["runs"])
        rows.append(_row(f"`triage serve`, {w['people']} people at once: server time per page", per,
                         f"p99 < {w['target_p99_ms']:.0f} ms with {w['target_people']} people", w["met"]))
    return rows


# --- one section per benchmark ---------------------------------------------------------------------------


def startup_section(st: Result) -> list[str]:
    c, u = st["compiled"], st["uncompiled"]
    lines = [
        "## 1. Start-up", "",
        "From starting the program in a pseudo-terminal (80x24, `PROMPT_TOOLKIT_NO_CPR=1`) to the end of the "
        "first drawing of its first prompt (the opening screen's \"Do you want to start?\"). Floor: "
        "`benchmarks/bare_questionary.py`, which imports questionary and shows the same prompt. `triage` "
        "draws its opening screen before the knowledge base is loaded, compiled and self-tested: that is "
        "done in a thread while the prompt waits for a key, and no question is asked before it has passed "
        "(`triage/frontends/startup.py`). So `triage` is also timed to its first question with Start "
        "pressed the moment the opening prompt is drawn: the longest anyone can wait for it. The programs "
        "(bare, triage, triage to its first question, imports only: below) take turns, in a rotating "
        "order. " + _loads(st), "",
        "| | runs | bare questionary | triage, opening prompt | ratio | triage, first question |",
        "|---|---|---|---|---|---|",
        f"| compiled modules cached (as installed from a wheel) | {st['runs']} | {c['bare_ms']:.0f} ms "
        f"| {c['triage_ms']:.0f} ms | **{c['ratio']:.2f}x** | {c['first_question_ms']:.0f} ms "
        f"({c['first_question_ratio']:.2f}x) |",
        f"| no compiled files (this editable checkout, PYTHONDONTWRITEBYTECODE=1) | {st['runs_uncompiled']} "
        f"| {u['bare_ms']:.0f} ms | {u['triage_ms']:.0f} ms | {u['ratio']:.2f}x | {u['first_question_ms']:.0f} "
        f"ms ({u['first_question_ratio']:.2f}x) |",
        "",
        f"Imports alone (`benchmarks/imports_then_prompt.py`: what `triage` imports before its opening "
        f"screen, then the same prompt, nothing else): {c['imports_only_ms']:.0f} ms, "
        f"{c['imports_only_ratio']:.2f}x the floor (compiled modules); without compiled files "
        f"{u['imports_only_ms']:.0f} ms, {u['imports_only_ratio']:.2f}x.",
        "",
        "Where the time goes: one start-up timed part by part in-process (`benchmarks/startup_parts.py`, "
        "compiled modules, median of several), and the floor's parts as whole processes:", "",
        "| part | ms |", "|---|---|",
    ]
    lines += [f"| {name} | {value:.1f} |" for name, value in st["triage_parts_ms"].items()]
    lines += [f"| floor: {name} (whole process) | {value:.1f} |"
              for name, value in st["floor_parts_ms"].items()]
    return lines


def answer_section(a: Result) -> list[str]:
    lines = [
        "## 2. Per answer", "",
        "In-process: over generated sessions, the work between two questions (`Session.answer` -> "
        "`Run.add`, which declares the answer in the person's own run and lets the rules run on from where "
        "they stopped; `reached_top_urgency`, which builds the outcome; the next question, its options and "
        "progress), and `Session.answer` alone (the engine's part). On screen: `triage interview` answered "
        "key by key in a pseudo-terminal, from the answering key to the next question drawn; the bare program answers "
        f"yes/no prompts in a row. {a['runs']} runs. " + _loads(a), "",
        "| | answers per run | median | p99 | max |", "|---|---|---|---|---|",
    ]
    labels = {"in_process": "in-process (engine and flow)",
              "session_answer": "in-process: `Session.answer` alone (`Run.add`)",
              "on_screen": "on screen: triage",
              "bare_on_screen": "on screen: bare questionary"}
    for name, label in labels.items():
        if name not in a:  # measured before this row existed
            continue
        fig = a[name]
        lines.append(f"| {label} | {fig['answers']:.0f} | {fig['median_ms']:.2f} ms | {fig['p99_ms']:.2f} ms "
                     f"| {fig['max_ms']:.2f} ms |")
    return lines


def session_section(s: Result) -> list[str]:
    lines = [
        "## 3. Whole session", "",
        f"One complete set of answers evaluated (reset, declare, run, outcome), {s['sessions_per_run']} "
        f"generated sessions per run (about {s['answers_per_session']} answers each), {s['runs']} runs, the "
        "evaluators side by side in each run (rotating order). " + _loads(s), "",
        "| evaluator | median | p90 | p99 | max |", "|---|---|---|---|---|",
    ]
    labels = {"engine": "engine (experta, `CompiledRules.evaluate`: all answers at once)",
              "engine_by_answer": "engine, one answer at a time (`Run.add` per answer, as the interview)",
              "engine_confirmed": "engine with the second opinion (`second_opinion.confirmed`: what a person is shown)",
              "reference": "reference evaluator (`triage.checks.oracle.evaluate`, plain Python)",
              "clips": "CLIPS 6.4 via clipspy (`benchmarks/clips_rules.py`)"}
    for name, fig in s["figures"].items():
        lines.append(f"| {labels.get(name, name)} | {fig['median_ms']:.3f} ms | {fig['p90_ms']:.3f} ms "
                     f"| {fig['p99_ms']:.3f} ms | {fig['max_ms']:.3f} ms |")
    lines += [f"\n{name}: {note}" for name, note in s["notes"].items()]
    lines.append(f"\nSessions (of the first 500) where an evaluator fired other rules than the engine: "
                 f"{s['disagreements']}.")
    return lines


def batch_section(b: Result) -> list[str]:
    pinned = "taskset -c 0 " if b["pinned_to_one_core"] else ""
    return [
        "## 4. Batch", "",
        f"`{pinned}triage run --batch FILE.jsonl > out.jsonl` over {b['sessions']:,} generated sessions, "
        f"a new process per run (start-up included), {b['runs']} runs: {b['per_run_per_second']} sessions/s. "
        + _loads(b),
    ]


def batch_jobs_section(b: Result) -> list[str]:
    return [
        "### 4b. Batch over worker processes (`--jobs`)", "",
        "`benchmarks/bench_batch_jobs.py`: `triage run --batch FILE.jsonl --jobs 1` and `--jobs 2` (a new process "
        f"per run, start-up included: {b['startup_seconds']:.2f} s on an empty file) over the same {b['sessions']:,} "
        f"generated sessions, beside the same pipeline with the independent evaluator "
        "(`triage.checks.oracle.evaluate`, in-process, one core, no start-up). "
        f"{b['runs']} rounds, each running `--jobs 1`, `--jobs 2` and the independent evaluator one after the "
        "other (every other round in the opposite order); rates are medians over the rounds, ratios are medians of "
        "each round's own ratio (per round: "
        f"`--jobs 2` {b.get('speed_up_per_round', '-')}, `--jobs 1` to the independent evaluator "
        f"{b.get('jobs1_to_reference_per_round', '-')}). Both jobs counts wrote the same bytes: "
        f"{b['same_output']}. " + _loads(b), "",
        "| run | sessions/s | ratio |", "|---|---|---|",
        f"| `--jobs 1` | {b['jobs1_per_second']:.0f} | 1.00 |",
        f"| `--jobs 2` | {b['jobs2_per_second']:.0f} | {b['speed_up']:.2f}x `--jobs 1` (target "
        f"{b['target_speed_up']}x: {_met(b['met'])}) |",
        f"| independent evaluator | {b['reference_per_second']:.0f} | `--jobs 1` runs at "
        f"{b['jobs1_to_reference']:.2f}x of it (target 0.5x: {_met(b['jobs1_to_reference'] >= 0.5)}) |",
        "", f"The ceiling for this very work: the first {b['ceiling_lines']:,} lines evaluated as a worker does, by "
        "two forked processes at once against the same two halves one after the other, nothing read, sent or "
        f"written: {b['work_ceiling']:.2f}x (per round {b['work_ceiling_per_round']}). `--jobs 2` reached "
        f"{b['efficiency']:.2f} of it (per round {b['efficiency_per_round']}); the rest of the gap to 2.0 is the "
        "machine.",
        "", "The same measure in each round for the simplest Python work there is (a loop adding integers, nothing "
        f"shared, two forked processes against one): {b['loop_ceiling']:.2f}x (per round "
        f"{b['loop_ceiling_per_round']}). What this machine gives two processes of any work, at that time.",
    ]


def kiosk_section(k: Result) -> list[str]:
    first = k["per_run"][0]
    checkpoints = ", ".join(f"{n}: {v}" for n, v in first["checkpoints_mb"].items())
    lines = [
        "## 5. Kiosk memory", "",
        f"Measured: {k['driven']}; {k['people']:,} people per run, {k['runs']} runs (each in a fresh "
        f"process); growth per run {[r['growth_mb'] for r in k['per_run']]} MB. Resident memory of the first "
        f"run after so many people (people: MB): {checkpoints}. " + _loads(k),
    ]
    if keyed := k.get("keyed"):
        points = ", ".join(f"{n}: {v}" for n, v in keyed["checkpoints_mb"].items())
        lines += ["", f"Also measured: {keyed['driven']}; {keyed['people']:,} people, one run; growth after "
                      f"the first 100: {keyed['growth_mb']:.2f} MB. Resident memory (people: MB): {points}."]
    return lines


def engine_changes_section(e: Result) -> list[str]:
    lines = [
        "## 6. What each engine change gains", "",
        "`benchmarks/bench_engine_changes.py`: the network (`_Network` in `triage/rete/engine.py`, its "
        "matcher in `triage/rete/matcher.py`) rebuilt with the speed changes added one at a time (each row "
        "adds one to the row above), each variant a `_Network` subclass lent by a `CompiledRules` subclass, "
        f"all timed side by side (`CompiledRules.evaluate`) on the same {e['sessions']} sessions, {e['runs']} "
        "runs; every variant gives the same `triage explain` trace and outcome. " + _loads(e), "",
        "| engine | whole session, median |", "|---|---|",
    ]
    lines += [f"| {name} | {value:.3f} ms |" for name, value in e["session_median_ms"].items()]
    lines += ["", "| construction: rules compiled, one network built | median |", "|---|---|"]
    lines += [f"| {name} | {value:.1f} ms |" for name, value in e["build_ms"].items()]
    if "build_and_selftest_ms" in e:
        lines += ["", "The start-up's engine part, as `checked_rules` does it: the rules compiled and the "
                  "golden cases run on them (the self-test, whose first case builds the first network), "
                  "median of the same number of builds:", "",
                  "| engine | build and self-test |", "|---|---|"]
        lines += [f"| {name} | {value:.1f} ms |" for name, value in e["build_and_selftest_ms"].items()]
    return lines


def scaling_section(sc: Result) -> list[str]:
    lines = [
        "## 7. Scaling: the knowledge base x1 to x16", "",
        "`benchmarks/bench_scaling.py`: the rules folder with every organ block (its questions, its section "
        "and every rule reading them) copied 1, 2, 4, 8 and 16 times by `benchmarks/scaled_kb.py` (generated "
        "into a temporary folder, never committed; each copy loads, validates and passes the golden cases). "
        "Build: the rules compiled and the first network built, beside loading the same folder. Session: "
        f"the median over {sc['sizes'][0].get('sessions', 'the')} generated people answering every question "
        "they are asked, copies included, so larger sizes fire more rules; the engine, the independent "
        "reference evaluator and CLIPS (clipspy, when installed: `pip install clipspy`) on the same rules in "
        "the same run. The CLIPS figure includes its `reset`, asserting one fact per answer value, `run` and "
        "building the Outcome from the rules that fired. First question: `triage --rules FOLDER` in a "
        "pseudo-terminal, from launch to the first question with Start pressed at once (loading, compiling, "
        "golden cases and checks included). " + _loads(sc), "",
        "| size | rules | build | per rule | build / load | session: engine | per fired rule | engine / "
        "reference | engine / CLIPS | first question | / x1 |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in sc["sizes"]:
        clips = f"{row['engine_to_clips']:.2f}x ({row['clips_ms']:.2f} ms)" if row.get("clips_ms") else "-"
        lines.append(f"| x{row['times']} | {row['rules']} | {row['build_ms']:.0f} ms | "
                     f"{row['build_per_rule_ms']:.2f} ms | {row['build_to_load']:.2f}x | {row['engine_ms']:.2f} ms | "
                     f"{row['engine_per_fired_rule_ms']:.3f} ms ({row['rules_fired_median']:.0f} fired) | "
                     f"{row['engine_to_reference']:.2f}x | {clips} | {row['first_question_ms']:.0f} ms | "
                     f"{row['first_question_to_x1']:.2f}x |")
    lines += ["", f"Build grows as rules^{sc['build_exponent']:.2f} from x1 to x16 (1.00 is linear). The machine's "
                  f"own speed (the same pure-Python loop) was {sc['baseline_start_ms']} ms at the start of the run "
                  f"and {sc['baseline_end_ms']} ms at the end: drift {sc['drift']:.2f}x."]
    return lines


def web_section(w: Result) -> list[str]:
    lines = [
        "## 8. The questionnaire in a browser (`triage serve`)", "",
        f"`benchmarks/bench_web.py`: {w['people']} simulated people answer at once against `triage serve` on "
        "127.0.0.1, for "
        f"{w['seconds']:g} s per worker count. Each is an httpx client of its own that goes through the whole "
        "interview as a browser does (POST forms, the signed hidden field and the visitor cookie sent back each "
        "time), random answers among those offered (red flags 'no', so every interview is long), then the "
        "summary, the result, \"For your doctor\" and Finish, and starts again; no think time, so every person "
        "sends the next page the moment the last one arrives. The clients run on the same cores as the server. "
        "Server time per page is the `Server-Timing` header the app sets (from the request reaching the app to "
        "its response starting: rebuilding the Session from the page, the rules, the reference evaluator's "
        "second opinion, the template), less the time the app waited for the request's body to arrive, which "
        "the header gives apart (`body`): meanwhile the event loop serves other people, whose pages count that "
        "time in theirs. Its p99 is in the table too. \"Waited\" is what the client saw, queueing included. "
        "Memory: resident memory of the server's processes at the peak under load minus at rest, divided by the "
        "people. Start-up: from starting `triage serve` to the first page answered. " + _loads(w), "",
        "| workers | pages | pages/s | server time per page p50 / p99 | waiting for the body p99 "
        "| waited p50 / p99 | memory at rest | per active person | start-up to first page |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in w["runs"]:
        lines.append(f"| {r['workers']} | {r['pages']:,} in {r['seconds']:g} s | {r['pages_per_second']} | "
                     f"**{r['server_p50_ms']:.1f} / {r['server_p99_ms']:.1f} ms** | "
                     f"{r.get('body_wait_p99_ms', float('nan')):.1f} ms | {r['client_p50_ms']:,.0f} / "
                     f"{r['client_p99_ms']:,.0f} ms | {r['rest_rss_kb'] / 1024:.1f} MB | "
                     f"+{r['kb_per_active_person']:.0f} KB | {r['startup_ms'] / 1000:.1f} s (median of "
                     f"{r['startup_runs']}) |")
    return lines


SECTIONS = {"startup": startup_section, "answer": answer_section, "session": session_section,
            "batch": batch_section, "batch_jobs": batch_jobs_section, "kiosk_memory": kiosk_section,
            "engine_changes": engine_changes_section, "scaling": scaling_section, "web": web_section}


def report(results: dict[str, Result], started: str, smoke: bool, finished: str, code: str) -> str:
    m = common.machine()
    lines = [
        "# Benchmarks", "",
        "Written by `benchmarks/run_all.py`; do not edit by hand (the hand-written part is "
        "`benchmarks/notes.md`, included at the end).", "",
        "Command: `.venv/bin/python benchmarks/run_all.py` (each `benchmarks/bench_*.py` also runs alone; "
        "`--help` lists its options).", "",
        f"- Date: {started} to {finished}"
        + (" — SMOKE RUN, the figures mean nothing" if smoke else ""),
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB memory; {m['system']}",
        f"- Python {m['python']} ({m['implementation']}), libyaml {'yes' if m['libyaml'] else 'no'}; "
        f"code at {code}",
        "- The load average (1/5/15 min) before and after each benchmark is given with it; with "
        f"{m['cores']} cores, a 1-minute load well under {m['cores']} means the machine was quiet.", "",
        "## Figures against targets", "",
        "| benchmark | figure | target | |", "|---|---|---|---|",
        *summary_rows(results), "",
        "Each figure is a median over repeated runs; the number of runs is given in each section.",
    ]
    for name in SECTIONS:
        if name in results:
            lines += ["", *SECTIONS[name](results[name])]
    if NOTES.exists():
        lines += ["", NOTES.read_text(encoding="utf-8").strip()]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny runs, to check the scripts work")
    parser.add_argument("--output", type=Path, default=common.REPO / "docs" / "benchmarks.md")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, help="run only these")
    parser.add_argument("--report-only", action="store_true",
                        help=f"run nothing: write the report again from {RESULTS.name} "
                             "(after editing notes.md)")
    args = parser.parse_args()
    if args.report_only:
        saved = json.loads(RESULTS.read_text(encoding="utf-8"))
        args.output.write_text(report(saved["results"], saved["started"], False, saved["finished"],
                                      saved.get("code", "unknown")), encoding="utf-8")
        print(f"Wrote {args.output} from {RESULTS}")
        return
    started = time.strftime("%Y-%m-%d %H:%M")
    code = _git()  # the code measured, before this run writes its own files
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for name in args.only or BENCHMARKS:
            print(f"--- {name} (load {_load(list(common.load()))})", flush=True)
            results[name] = run(name, args.smoke, Path(folder))
    finished = time.strftime("%Y-%m-%d %H:%M")
    if args.only and not args.smoke and RESULTS.exists():  # the others as measured in the last full run
        saved = json.loads(RESULTS.read_text(encoding="utf-8"))
        results = {**saved["results"], **results}
        started = saved["started"]
        if saved.get("code") != code:
            code = f"{saved.get('code', 'unknown')} (only {', '.join(args.only)} at {code})"
    if not args.smoke:
        saved = {"started": started, "finished": finished, "code": code, "results": results}
        RESULTS.write_text(json.dumps(saved, indent=1), encoding="utf-8")
    args.output.write_text(report(results, started, args.smoke, finished, code), encoding="utf-8")
    print(f"Wrote {args.output}")


if __name__ == "__main__":
    main()
