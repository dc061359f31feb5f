"""Guessing the staff code: which codes are too easy, and how wrong codes slow down and then lock the prompt.

A visitor at the kiosk can press the staff chord as often as they like. Without limits that is thousands
of guesses an hour; with `StaffGate` it is at most `lockout_after` guesses per `window` + `lockout`.
Failures are counted in memory only (nothing is written to disk) and shown to staff when they stop the
kiosk, so that guessing gets noticed. A delay or a lockout never sleeps: a code typed too early is simply
not checked, so the idle reset and the rest of the kiosk run on.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from triage.texts import ui

MAX_CODE_LENGTH = 128  # longer is wrong without hashing it: nobody types a longer code by hand
MIN_CODE_LENGTH = 8
MIN_DIFFERENT = 4


@dataclass(frozen=True)
class StaffPolicy:
    """How wrong staff codes are slowed down: after `free_failures` wrong codes each further one waits
    `first_delay`, twice that, ... up to `max_delay` seconds; `lockout_after` wrong codes within `window`
    seconds lock the staff prompt for `lockout` seconds."""

    free_failures: int = 3
    first_delay: float = 2.0
    max_delay: float = 30.0
    lockout_after: int = 10
    window: float = 15 * 60.0
    lockout: float = 15 * 60.0

    def delay_after(self, failures: int) -> float:
        """Seconds to wait after the `failures`-th wrong code in a row within the window."""
        extra = failures - self.free_failures
        return 0.0 if extra <= 0 else min(self.first_delay * 2 ** (extra - 1), self.max_delay)


REAL = StaffPolicy()
# `short_times_for_testing = true`: the same steps in seconds, so that a test can watch a whole lockout.
FOR_TESTING = StaffPolicy(free_failures=3, first_delay=3.0, max_delay=3.0, lockout_after=5, window=120.0,
                          lockout=6.0)


class Verdict(Enum):
    RIGHT = "right"
    WRONG = "wrong"
    EMPTY = "empty"  # Enter alone: going back, not a guess
    TOO_SOON = "too soon"  # typed during the delay after a wrong code: not checked, not counted
    LOCKED = "locked"  # typed while the prompt is locked: not checked, not counted


class StaffGate:
    """Checks staff codes for one kiosk run, slowing down and locking out guessers.

    `matches(code)` does the real (slow, constant-time) comparison; `clock` is injectable for tests.
    """

    def __init__(self, matches: Callable[[str], bool], policy: StaffPolicy = REAL,
                 clock: Callable[[], float] = time.monotonic):
        self.matches = matches
        self.policy = policy
        self.clock = clock
        self.failures = 0  # since the kiosk started: shown on the staff screen
        self.recent: deque[float] = deque()  # times of wrong codes within the window
        self.open_at = 0.0  # no code is checked before this time
        self.locked_until = 0.0

    def wait(self) -> tuple[Verdict, float]:
        """(RIGHT, 0) if a code would be checked now, else (TOO_SOON or LOCKED, seconds left)."""
        now = self.clock()
        left = self.open_at - now
        if left <= 0:
            return Verdict.RIGHT, 0.0
        return (Verdict.LOCKED if self._locked() else Verdict.TOO_SOON), left

    def check(self, code: str) -> tuple[Verdict, float]:
        """The verdict on a typed code, and the seconds until the next code will be checked."""
        if not code:
            return Verdict.EMPTY, 0.0
        state, left = self.wait()
        if state is not Verdict.RIGHT:
            return state, left
        if len(code) <= MAX_CODE_LENGTH and self.matches(code):
            return Verdict.RIGHT, 0.0
        self._failed()
        return Verdict.WRONG, self.wait()[1]

    def _failed(self) -> None:
        now = self.clock()
        self.failures += 1
        while self.recent and self.recent[0] <= now - self.policy.window:
            self.recent.popleft()
        self.recent.append(now)
        if len(self.recent) >= self.policy.lockout_after:
            self.open_at = now + self.policy.lockout
            self.recent.clear()  # after the lockout the steps start again from the first free guess
            self.locked_until = self.open_at
        else:
            self.open_at = now + self.policy.delay_after(len(self.recent))

    def _locked(self) -> bool:
        return self.locked_until == self.open_at


# --- how easy a code is to guess --------------------------------------------------------------------------


def weakness(code: str) -> str | None:
    """Why `code` is too easy to guess, as staff read it, or None for a good code."""
    if len(code) < MIN_CODE_LENGTH:
        return ui("staff.weak_short", length=MIN_CODE_LENGTH)
    if len(code) > MAX_CODE_LENGTH:
        return ui("staff.weak_long", length=MAX_CODE_LENGTH)
    if len(set(code)) == 1:
        return ui("staff.weak_one_character")
    steps = {ord(b) - ord(a) for a, b in zip(code, code[1:], strict=False)}
    if steps in ({1}, {-1}):
        return ui("staff.weak_run")
    if any(all(code[i] == code[i - period] for i in range(period, len(code)))
           for period in range(2, len(code) // 2 + 1)):
        return ui("staff.weak_pattern")
    if len(set(code)) < MIN_DIFFERENT:
        return ui("staff.weak_few_different", count=MIN_DIFFERENT)
    return None
