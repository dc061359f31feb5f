"""The real `triage serve` for the browser tests: started in a subprocess on a free port of 127.0.0.1, waited
for until it answers, stopped at the end; the same app on uvicorn in a thread of the test's own process, with
settings the command would refuse (idle times of a few seconds); and Debian's Chromium for Playwright (never a
downloaded browser)."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType

import httpx

from triage.frontends.web.app import WebSettings

CHROMIUM = shutil.which("chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "build" / "screenshots"
SIZES = {"phone": (375, 740), "tablet": (800, 1200), "desktop": (1366, 900)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`triage serve ARGS` on a free port; `log` is the server's stderr (and stdout), read after the fact."""

    def __init__(self, *args: str, log: Path, env: dict[str, str] | None = None, cwd: Path | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self.args = ["serve", "--port", str(self.port), *args]
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.cwd = cwd
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "triage", *self.args], stdout=log,
                                            stderr=subprocess.STDOUT, env=self.env, cwd=self.cwd)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"triage serve ended with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.get(self.url + "/", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"triage serve did not answer within 60 s:\n{self.log()}")

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


class AppServer:
    """The app of `triage serve` (the real rules, self-tested as the command does) with `settings` made by the
    test, served by uvicorn in a thread of this process on a free port of 127.0.0.1. For what the command's
    options cannot ask for: a kiosk whose "Still there?" comes after 2 seconds rather than at least 20.
    `log()` is what the app logged (its refusals, never an answer)."""

    def __init__(self, settings: WebSettings):
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.records: list[logging.LogRecord] = []
        self._handler = logging.Handler()
        self._handler.emit = self.records.append  # type: ignore[method-assign]

    def __enter__(self) -> AppServer:
        import uvicorn

        from triage.checks.selftest import checked_rules
        from triage.frontends.web.app import create_app
        from triage.knowledge.load import load_knowledge
        from triage.knowledge.reading import load_reading

        engine = checked_rules(load_knowledge())
        app = create_app(engine, load_reading(engine.kb), secrets.token_bytes(32), self.settings)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None,
                                                    access_log=False, lifespan="off"))
        logging.getLogger("triage.web").addHandler(self._handler)
        self.thread = threading.Thread(target=self.server.run, name="triage-serve", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the app did not start on uvicorn within 30 s")
            time.sleep(0.05)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.server.should_exit = True
        self.thread.join(15)
        logging.getLogger("triage.web").removeHandler(self._handler)

    def log(self) -> str:
        return "\n".join(record.getMessage() for record in self.records)


def launch_chromium(playwright):  # type: ignore[no-untyped-def]
    return playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])


def on_question(page) -> bool:  # type: ignore[no-untyped-def]
    return page.locator("form.question").count() == 1


def question_text(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("legend h1").inner_text().strip()


def choose(page, *labels: str) -> None:  # type: ignore[no-untyped-def]
    """Tick or choose the options with these labels (as a person reads them), then press Next."""
    for label in labels:
        page.get_by_label(label, exact=True).check()
    press(page, "Next")


def press(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Press the button named `name` and wait for the page it brings (every button here sends a form)."""
    with page.expect_navigation():
        page.locator("button").filter(has_text=name).first.click()


def walk(page, picks: dict[str, tuple[str, ...]], default: str = "No", stop: int = 80) -> list[str]:  # type: ignore[no-untyped-def]
    """Answer question after question until none is left: the labels in `picks` for a question with that text,
    otherwise `default` where it is offered (else the first option), and nothing ticked in a list (its last
    line, "not sure", where a list needs a tick). Returns the questions' texts seen."""
    seen: list[str] = []
    while len(seen) < stop:
        # One look at the page (role queries take long on this slow machine): the question and its kind.
        text, ticks, last = page.evaluate(
            "() => { const h = document.querySelector('form.question legend h1'); "
            "const labels = document.querySelectorAll('form.question label'); "
            "return h ? [h.innerText.trim(), !!document.querySelector('input[type=checkbox]'), "
            "document.body.innerText.includes('and at least one') ? labels[labels.length - 1].innerText.trim() : null]"
            " : [null, false, null]; }")
        if text is None:
            break
        seen.append(text)
        if text in picks:
            choose(page, *picks[text])
        else:
            quick_choose(page, *((last,) if last else () if ticks else (default,)))
    return seen


def quick_choose(page, *labels: str) -> None:  # type: ignore[no-untyped-def]
    """choose(), in one step inside the page (for the many plain answers of a walk): the option whose label
    reads `label` is chosen (the first option where no label does, for a question of its own options) and
    the form sent with its Next button, as a click would."""
    with page.expect_navigation():
        page.evaluate("""labels => {
            let chosen = false;
            for (const label of document.querySelectorAll('form.question label')) {
                if (labels.includes(label.innerText.trim())) {
                    document.getElementById(label.htmlFor).checked = chosen = true;
                }
            }
            const first = document.querySelector('form.question input[type=radio]');
            if (labels.length && !chosen && first) { first.checked = true; }
            const next = document.querySelector('form.question button[value=next]');
            next.form.requestSubmit(next);
        }""", list(labels))
