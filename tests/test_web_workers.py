"""`triage serve --workers 2` (issue 16): any page may reach any worker, since the answers travel in the page,
signed with one key that every worker shares."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from support.web import Server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with Server("--workers", "2", log=tmp_path_factory.mktemp("web") / "server.log") as running:
        yield running


def workers(server: Server) -> list[int]:
    assert server.process is not None
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text().split()
    # multiprocessing's resource tracker is a child too; the workers run its spawn entry point
    return [int(pid) for pid in children
            if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()]


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def state_of(html: str) -> str:
    return re.search(r'name="state" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def person(url: str) -> list[int]:
    """One person answering the first questions, each page on a new connection (so any worker may answer), with
    the visitor cookie that Start gave, as a browser sends it."""
    statuses = []
    start = httpx.post(url + "/start")
    state, cookies = state_of(start.text), dict(start.cookies)
    for question in ("chest_pain", "vomiting_blood", "blue_lips", "severe_breathlessness", "almost_no_urine"):
        page = httpx.post(url + "/answer", data={"state": state, "question": question, "answer": "no"},
                          cookies=cookies)
        statuses.append(page.status_code)
        state = state_of(page.text)
    return statuses


def test_two_workers_answer_many_people_and_accept_each_others_pages(server):
    pids = workers(server)
    assert len(pids) == 2
    before = {pid: cpu_ticks(pid) for pid in pids}
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(person, [server.url] * 16))
    assert all(status == 200 for statuses in results for status in statuses)  # 200 pages, none refused
    assert time.monotonic() - started < 60
    used = {pid: cpu_ticks(pid) - before[pid] for pid in pids}
    assert all(ticks > 0 for ticks in used.values()), f"a worker answered nothing: {used}"
    assert server.log().count("Started server process") == 2
    assert "refused" not in server.log()


def test_the_workers_refuse_a_page_sent_with_the_next_visitors_cookie(server):
    """The visitor check needs nothing shared but the signing key: any worker makes it."""
    first, second = httpx.post(server.url + "/start"), httpx.post(server.url + "/start")
    data = {"state": state_of(first.text), "question": "chest_pain", "answer": "no"}
    # over fresh connections, so that either worker may answer each one
    pages = [httpx.post(server.url + "/answer", data=data, cookies=dict(second.cookies)) for _ in range(20)]
    assert {page.status_code for page in pages} == {400}
    assert all("This page belongs to an earlier visit" in page.text for page in pages)
    assert httpx.post(server.url + "/answer", data=data, cookies=dict(first.cookies)).status_code == 200
