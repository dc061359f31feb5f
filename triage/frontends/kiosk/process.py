"""The kiosk's hold on its own process, taken as the first thing `triage kiosk` does (cli.main).

- Keys and signals: from the first line on, SIGINT, SIGTSTP, SIGQUIT (and the terminal-stop signals) are
  ignored and the terminal makes no signals from keys, does not echo and cannot be frozen; before this,
  Ctrl-C ended and Ctrl-Z suspended the kiosk for the 0.7 s it took to import and check its rules.
- Every signal that would end the process and can be caught (SIGTERM from `systemctl stop`, SIGHUP, SIGUSR1,
  ...) first clears the screen and scrollback and gives the terminal its settings back, then ends the
  process by that same signal, so that a supervisor or shell sees what stopped it.
- No bytecode is written, no core file can be made, other processes of the same user cannot read its
  memory (not dumpable), and no traceback reaches the screen.

Kept light on imports: it runs before anything heavy is imported.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import termios
from types import FrameType
from typing import Any

# Screen and scrollback cleared, then every mode a prompt may have turned on turned off again: the main
# screen, plain text, the cursor shown, no bracketed paste, no mouse reports.
LEAVE_TERMINAL = ("\033[?1049l\033[H\033[2J\033[3J\033[0m\033[?25h\033[?2004l"
                  "\033[?1000l\033[?1002l\033[?1003l\033[?1005l\033[?1006l\033[?1015l")
IGNORED = ("SIGINT", "SIGTSTP", "SIGQUIT", "SIGTTIN", "SIGTTOU")
# Signals whose default action ends the process and that a program may catch. SIGABRT, SIGSEGV and the
# other faults are left alone: they mean the interpreter itself is broken (and make no core file, below).
STOPPING = ("SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGVTALRM", "SIGPROF", "SIGXCPU",
            "SIGXFSZ", "SIGPWR", "SIGSTKFLT", "SIGIO", "SIGPOLL")
_PR_SET_DUMPABLE = 4


def _signals(names: tuple[str, ...]) -> list[signal.Signals]:
    return sorted({getattr(signal, n) for n in names if hasattr(signal, n)})


class ProcessHold:
    """The process-wide settings of a running kiosk; `release()` puts the terminal and signals back."""

    def __init__(self, fd: int = 0, out: int = 1):
        self.fd, self.out = fd, out
        self.terminal: list[Any] | None = None  # the settings the kiosk found, given back at the end

    def take(self) -> ProcessHold:
        for sig in _signals(IGNORED):
            signal.signal(sig, signal.SIG_IGN)
        for sig in _signals(STOPPING):
            signal.signal(sig, self._stop)
        self._hold_terminal()
        sys.dont_write_bytecode = True  # nothing written to disk, not even a cache of our own code
        _undumpable()
        _no_tracebacks()
        return self

    def _hold_terminal(self) -> None:
        try:
            self.terminal = termios.tcgetattr(self.fd)
            mode = termios.tcgetattr(self.fd)
        except (termios.error, OSError, ValueError):
            return  # not a terminal: the kiosk refuses to start, with one line
        mode[0] &= ~(termios.IXON | termios.IXOFF)
        mode[3] &= ~(termios.ICANON | termios.ECHO | termios.ISIG | termios.IEXTEN)
        with contextlib.suppress(termios.error, OSError):
            termios.tcsetattr(self.fd, termios.TCSANOW, mode)

    def give_back_terminal(self, clear: bool = False) -> None:
        """The terminal's own settings again; with `clear`, nothing left on the screen or in its scrollback."""
        if clear:
            with contextlib.suppress(OSError):
                os.write(self.out, LEAVE_TERMINAL.encode())
        if self.terminal is not None:
            with contextlib.suppress(termios.error, OSError):
                termios.tcsetattr(self.fd, termios.TCSAFLUSH, self.terminal)

    def release(self) -> None:
        """The kiosk ended by itself: the terminal's settings and the default signal actions come back."""
        self.give_back_terminal()
        for sig in _signals(STOPPING) + _signals(IGNORED):
            signal.signal(sig, signal.SIG_DFL if sig != signal.SIGINT else signal.default_int_handler)

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        # A storm of signals: the first one does the work; the rest find the signals ignored, so that the
        # handler never runs again inside itself (where Python would print a traceback).
        for sig in _signals(STOPPING):
            signal.signal(sig, signal.SIG_IGN)
        self.give_back_terminal(clear=True)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)  # ended by the signal that was sent: the status says what stopped it
        os._exit(128 + signum)


def _undumpable() -> None:
    """No core file with a person's answers in it, and no reading this process's memory as the same user."""
    import resource

    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)


def _no_tracebacks() -> None:
    """An exception nobody caught ends the kiosk with one line, never a traceback with install paths."""

    def one_line(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
        with contextlib.suppress(Exception):
            print(f"calcitriage kiosk: ended by an unexpected error ({kind.__name__})", file=sys.stderr)

    sys.excepthook = one_line
    sys.unraisablehook = lambda unraisable: None
    import threading

    threading.excepthook = lambda args: None



def forget_drawn_text() -> None:
    """Drop prompt_toolkit's cache of the widths of the texts it drew.

    It keeps every short text it ever measured (a result's heading line, an answer's words) as a key, for
    the life of the process; the person's result would stay readable in memory however it was cleared.
    It is private to prompt_toolkit: if it is ever renamed, nothing breaks, the cache is only not emptied.
    """
    from prompt_toolkit import utils

    cache = getattr(utils, "_CHAR_SIZES_CACHE", None)
    if isinstance(cache, dict):
        cache.clear()
        long_strings = getattr(cache, "_long_strings", None)
        if long_strings is not None:
            long_strings.clear()


def overwrite_freed_memory(per_class: int = 512 * 1024, large: int = 16 * 1024 * 1024) -> None:
    """Write zeros over memory that the last person's texts were freed from, as far as Python lets us.

    Python's strings cannot be overwritten in place, and freed memory is not cleared: a result text stays
    readable in the process until its memory is used again. So use it again, at once. Python's small-object
    allocator keeps freed blocks of each size class (16 to 512 bytes) in the pools it already has and hands
    them out before it makes new ones: zero-filled bytes objects of every class, `per_class` bytes' worth
    each (far more than the free blocks of a class in this process), take every freed block and are
    dropped right after. Longer texts come from the C allocator: a few large zero-filled buffers take
    what they can of that. About 16 MB for some 30 ms, once per person. Best effort, not a guarantee
    (docs/kiosk.md).
    """
    header = sys.getsizeof(b"") - 1  # a bytes object's header: bytes(n) fills a block of header + n + 1
    small = [bytes(block - header - 1) for block in range(48, 513, 16) for _ in range(per_class // block)]
    big = [bytearray(size) for size in (large, large // 4, large // 16, 65536, 16384, 4096, 1024) for _ in range(4)]
    del small, big
