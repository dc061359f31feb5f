"""`triage serve` under load (issue 16): 50 simulated people answering at once against 127.0.0.1.

Each person is an httpx client of its own that goes through the whole interview as a browser would (POST
forms, the signed hidden field sent back each time), with random answers among those offered (the red flags
answered 'no', so that every interview is a long one), then the summary, the result, "For your doctor" and
Finish; then the next person. No think time: every person sends the next page as soon as the last one came,
the worst case for the server. Reported for 1 and 2 workers:

- server time per page: the `Server-Timing` header the app adds (from the request reaching the app to its
  response starting, less the time it waited for the request's body to arrive, given apart: the event loop
  serves other people meanwhile), p50 and p99, and what the client waited (queueing in the server included);
- memory per active person: resident memory of the server's processes under load minus at rest, over the
  people answering at once (the server keeps nothing of a person between pages: this is what the pages in
  flight cost);
- start-up of `triage serve`: from starting the process to the first page answered.

Run by `benchmarks/run_all.py` (section 8 of docs/benchmarks.md), or alone:
`.venv/bin/python benchmarks/bench_web.py [--people 50] [--seconds 30] [--runs 5] [--workers 1 2]`;
`--smoke` runs 2 people for a second against each worker count, to check that the script works.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, arguments, machine, median, percentile, write  # noqa: E402

STATE = re.compile(r'name="state" value="([^"]+)"')
QUESTION = re.compile(r'<input type="hidden" name="question" value="([^"]+)"')
OPTION = re.compile(r'<input type="(radio|checkbox)" id="[^"]+" name="answer" value="([^"]+)"')
RED_FLAGS = {"chest_pain", "vomiting_blood", "blue_lips", "severe_breathlessness", "almost_no_urine"}
TARGET_P99_MS, TARGET_PEOPLE = 20.0, 50  # issue 16: server time per page, 50 people answering at once


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kb(pid: int) -> int:
    """Resident memory of `pid` and its children (the uvicorn workers), in KB."""
    total = 0
    pids = [pid]
    try:
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        for p in pids:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    except (OSError, ValueError):
        pass
    return total


class Person:
    def __init__(self, client: httpx.AsyncClient, rng: random.Random, server_ms: list[float], client_ms: list[float],
                 body_ms: list[float]):
        self.client, self.rng = client, rng
        self.server_ms, self.client_ms, self.body_ms = server_ms, client_ms, body_ms

    async def post(self, path: str, data: dict[str, Any]) -> str:
        started = time.perf_counter()
        response = await self.client.post(path, data=data)
        self.client_ms.append((time.perf_counter() - started) * 1000)
        timing = dict(part.strip().split(";dur=") for part in response.headers.get("server-timing", "").split(",")
                      if ";dur=" in part)
        if "app" in timing:
            self.server_ms.append(float(timing["app"]))
            self.body_ms.append(float(timing.get("body", 0)))
        if response.status_code not in (200, 303):
            raise RuntimeError(f"{path}: {response.status_code}")
        return response.text

    async def interview(self) -> int:
        """One whole visit; returns the number of pages it took."""
        page = await self.post("/start", {})
        pages = 1
        while (question := QUESTION.search(page)) is not None:
            qid = question.group(1)
            options = OPTION.findall(page)
            values = [v for _, v in options]
            if options and options[0][0] == "checkbox":
                answer: list[str] | str = [v for v in values if self.rng.random() < 0.3]
            else:
                answer = "no" if qid in RED_FLAGS else self.rng.choice(values)
            page = await self.post("/answer", {"state": STATE.search(page).group(1), "question": qid,  # type: ignore[union-attr]
                                               "answer": answer, "go": "next"})
            pages += 1
        state = STATE.search(page).group(1)  # type: ignore[union-attr]
        page = await self.post("/result", {"state": state})
        await self.post("/result/doctor", {"state": STATE.search(page).group(1)})  # type: ignore[union-attr]
        await self.post("/finish", {})
        return pages + 3


async def load(url: str, people: int, seconds: float, pid: int) -> dict[str, Any]:
    server_ms: list[float] = []
    body_ms: list[float] = []
    client_ms: list[float] = []
    visits = 0
    peak = 0
    deadline = time.monotonic() + seconds

    async def someone(n: int) -> None:
        nonlocal visits
        rng = random.Random(n)
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            person = Person(client, rng, server_ms, client_ms, body_ms)
            while time.monotonic() < deadline:
                await person.interview()
                visits += 1

    async def watch() -> None:
        nonlocal peak
        while time.monotonic() < deadline:
            peak = max(peak, rss_kb(pid))
            await asyncio.sleep(0.25)

    started = time.monotonic()
    await asyncio.gather(watch(), *(someone(n) for n in range(people)))
    elapsed = time.monotonic() - started
    return {"pages": len(server_ms), "visits": visits, "seconds": round(elapsed, 1),
            "pages_per_second": round(len(server_ms) / elapsed),
            "server_p50_ms": round(percentile(server_ms, 50), 2), "server_p99_ms": round(percentile(server_ms, 99), 2),
            "body_wait_p99_ms": round(percentile(body_ms, 99), 2),
            "client_p50_ms": round(percentile(client_ms, 50), 1), "client_p99_ms": round(percentile(client_ms, 99), 1),
            "peak_rss_kb": peak}


def start(workers: int) -> tuple[subprocess.Popen[bytes], str, float]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "triage", "serve", "--port", str(port), "--workers",
                                str(workers)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO,
                               env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    while True:
        try:
            if httpx.get(url + "/", timeout=1).status_code == 200:
                return process, url, time.perf_counter() - started
        except httpx.TransportError:
            if process.poll() is not None:
                raise RuntimeError("triage serve ended") from None
            time.sleep(0.02)


def run(workers: int, people: int, seconds: float, startups: int) -> dict[str, Any]:
    times = []
    for _ in range(startups - 1):
        process, _, took = start(workers)
        times.append(took)
        process.terminate()
        process.wait()
    process, url, took = start(workers)  # the server under load is the last start-up timed
    times.append(took)
    try:
        time.sleep(1)
        rest = rss_kb(process.pid)
        figures = asyncio.run(load(url, people, seconds, process.pid))
    finally:
        process.terminate()
        process.wait()
    figures.update({"workers": workers, "people": people, "startup_ms": round(median(times) * 1000),
                    "startup_runs": startups, "rest_rss_kb": rest,
                    "kb_per_active_person": round((figures["peak_rss_kb"] - rest) / people, 1)})
    return figures


def main() -> None:
    args = arguments(__doc__.splitlines()[0], runs=5, extra=[
        ("--people", {"type": int, "default": 50, "help": "people answering at once (default 50)"}),
        ("--seconds", {"type": float, "default": 30, "help": "how long each load runs (default 30)"}),
        ("--workers", {"type": int, "nargs": "+", "default": [1, 2], "help": "worker counts (default 1 2)"})])
    people, seconds, startups = (2, 1.0, 1) if args.smoke else (args.people, args.seconds, args.runs)
    results: dict[str, Any] = {"machine": machine(), "people": people, "seconds": seconds,
                               "target_p99_ms": TARGET_P99_MS, "target_people": TARGET_PEOPLE, "runs": []}
    for workers in args.workers:
        figures = run(workers, people, seconds, startups)
        results["runs"].append(figures)
        print(f"{workers} worker(s), {people} people for {figures['seconds']} s: {figures['pages']} pages "
              f"({figures['pages_per_second']}/s, {figures['visits']} visits); server time per page "
              f"p50 {figures['server_p50_ms']} ms, p99 {figures['server_p99_ms']} ms (waiting for the body apart: p99 "
              f"{figures['body_wait_p99_ms']} ms); waited p50 "
              f"{figures['client_p50_ms']} ms, p99 {figures['client_p99_ms']} ms; memory at rest "
              f"{figures['rest_rss_kb'] / 1024:.1f} MB, under load +{figures['kb_per_active_person']} KB per "
              f"person; start-up to first page {figures['startup_ms']} ms (median of {startups})")
    best = min(results["runs"], key=lambda r: r["server_p99_ms"])
    # Fewer people than the goal's prove nothing about it, however fast.
    met = people >= TARGET_PEOPLE and best["server_p99_ms"] < TARGET_P99_MS
    results.update({"met": met, "best_workers": best["workers"]})
    write(results, args.json)


if __name__ == "__main__":
    main()
