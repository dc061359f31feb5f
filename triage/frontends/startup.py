"""Getting the engine ready behind the opening screen.

Loading the knowledge base, compiling it into experta rules, running the golden cases and the start-up
checks (`checks.selftest.checked_rules`: lint errors, red-flag properties) takes about three times as long
as putting a questionary prompt up at all (docs/benchmarks.md). The interview
therefore draws its opening screen first and does that work in a thread while the person reads it:
the prompt waits for a key without holding Python's interpreter lock, so the work costs the person
nothing. No question is asked until it has finished; if it fails (a broken rules file, a failing golden
case, a check error), the opening prompt is taken down at once and the program refuses to start, as before.
"""

from __future__ import annotations

import contextlib
import gc
import signal
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_MAIN_THREAD_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGTSTP, signal.SIGWINCH}


class PreparationFailed(Exception):
    """The opening prompt was taken down because the preparation behind it failed; `result()` says why."""


class Preparation(Generic[T]):
    def __init__(self, prepare: Callable[[], T]):
        self._prepare = prepare
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._done = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None
        self._app: Any = None

    def start_after_drawing(self, app: Any) -> None:
        """Start once the prompt_toolkit application `app` has drawn its screen for the first time.

        Started earlier, the thread would compete with that first drawing for the interpreter lock. A
        failure that came while the prompt was not up (say, while Ctrl-C asked whether to quit) takes
        it down at its next drawing.
        """
        self._app = app

        def drawn(_: Any) -> None:
            self.start()
            if self._error is not None and app.is_running and not app.future.done():
                app.exit(exception=PreparationFailed())

        app.after_render += drawn

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="calcitriage-preparation", daemon=True)
                self._thread.start()

    def result(self) -> T:
        """The prepared value, waiting for it if need be; raises whatever the preparation raised."""
        self.start()
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]

    def wait(self) -> None:
        """Let the work finish (or fail) before the program ends, whatever the result."""
        if self._thread is not None:
            self._done.wait()

    def _work(self) -> None:
        # Signals go to the main thread. The kernel hands a process's signal to any thread that does not block
        # it; caught by this one, a Ctrl-C would not interrupt the main thread's wait for a key in plain mode,
        # and the person's Ctrl-C would do nothing until they typed something.
        signal.pthread_sigmask(signal.SIG_BLOCK, _MAIN_THREAD_SIGNALS)
        try:
            self._value = self._prepare()
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread by result()
            self._error = exc
            self._take_prompt_down()
        finally:
            self._done.set()

    def _take_prompt_down(self) -> None:
        app = self._app
        loop = getattr(app, "loop", None)
        if loop is None:
            return  # no prompt up (yet): result() reports the failure when it is asked

        def stop() -> None:
            if app.is_running and not app.future.done():
                app.exit(exception=PreparationFailed())

        with contextlib.suppress(RuntimeError):  # the prompt has just ended and its loop is closed
            loop.call_soon_threadsafe(stop)


def settle_memory() -> None:
    """After start-up: collect once, then leave everything made so far out of later collections.

    The knowledge base, the engine and the imported libraries live as long as the program; without
    this, every full collection walks all of them again, a pause of tens of milliseconds that falls
    between an answer and the next question (docs/benchmarks.md).
    """
    gc.collect()
    gc.freeze()
