"""Guessing the staff code (issue 15, item 6): weak codes, the configuration file's mode, hash parameters the
kiosk can run, and wrong codes that slow down and then lock the staff prompt, counted for staff.

The policy is tested with a clock of our own, so that nothing sleeps; the last test watches a real kiosk in
a terminal (tmux), with the short steps of `short_times_for_testing`.
"""

from __future__ import annotations

import hashlib
import pwd
import re
import shutil
import time
from pathlib import Path

import pytest

from support.tmux_terminal import TRIAGE, TmuxTerminal
from triage.frontends.kiosk.config import (
    PBKDF2_RANGE,
    SCRYPT_COST_MAX,
    KioskConfigError,
    code_matches,
    hash_code,
    hash_problem,
    load_config,
)
from triage.frontends.kiosk.pages import staff_text, staff_wait_text
from triage.frontends.kiosk.staff import FOR_TESTING, REAL, StaffGate, Verdict, weakness

CODE = "5829-0417"
CODE_HASH = hash_code(CODE)
SALT = bytes(range(16))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Gate:
    """A StaffGate on a clock of our own, that remembers which codes were really hashed."""

    def __init__(self) -> None:
        self.clock = Clock()
        self.hashed: list[str] = []
        self.gate = StaffGate(self.matches, REAL, self.clock)

    def matches(self, code: str) -> bool:
        self.hashed.append(code)
        return code == CODE

    def wrong(self, times: int = 1) -> list[tuple[Verdict, float]]:
        return [self.gate.check("wrong-guess") for _ in range(times)]


def write_config(tmp_path: Path, code_hash: str = CODE_HASH, mode: int = 0o640) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'emergency_number = "112"\nstaff_code_hash = "{code_hash}"\n', encoding="utf-8")
    path.chmod(mode)
    return path


def config_messages(path: Path) -> list[str]:
    with pytest.raises(KioskConfigError) as info:
        load_config(path)
    return [str(p) for p in info.value.problems]


# --- weak codes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "reason"), [
    ("000000", "it is shorter than 8 characters"),
    ("7391", "it is shorter than 8 characters"),
    ("00000000", "it is one character repeated"),
    ("12345678", "it is a run like 12345678 or 87654321"),
    ("987654321", "it is a run like 12345678 or 87654321"),
    ("abcdefgh", "it is a run like 12345678 or 87654321"),
    ("12121212", "it repeats a short pattern like 12121212"),
    ("123123123", "it repeats a short pattern like 12121212"),
    ("11112222", "it has fewer than 4 different characters"),
    ("xxxxxxxy", "it has fewer than 4 different characters"),
    ("7" * 129, "it is longer than 128 characters, more than the kiosk reads"),
])
def test_codes_that_are_quick_to_guess_are_named_for_what_makes_them_weak(code, reason):
    assert weakness(code) == reason


@pytest.mark.parametrize("code", ["8413-2097", "7093551802", "correct horse battery", "s3cret-code"])
def test_good_codes_pass(code):
    assert weakness(code) is None


@pytest.mark.slow
@pytest.mark.parametrize(("code", "reason"), [("000000", "it is shorter than 8 characters"),
                                              ("12345678", "it is a run like 12345678 or 87654321")])
def test_hash_code_refuses_a_weak_code_and_says_what_a_good_one_is(code, reason):
    import pexpect

    child = pexpect.spawn(TRIAGE[0], [*TRIAGE[1:], "kiosk", "--hash-code"], encoding="utf-8", timeout=20)
    child.expect("New staff code")
    child.sendline(code)
    child.expect("again")
    child.sendline(code)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2 and "staff_code_hash" not in child.before
    assert child.before.strip().splitlines()[-1] == (
        f"error: this staff code is too easy to guess: {reason}; nothing was printed. A good staff code has "
        "at least 8 characters, at least 4 different ones, and no run or repeated pattern: for example 10 "
        "random digits or three random words.")


# --- the configuration file ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "who"), [(0o644, "others can read it"), (0o604, "others can read it"),
                                           (0o602, "others can change it"), (0o660, "its group can change it")])
def test_a_configuration_others_can_read_or_the_group_can_change_is_refused_with_the_chmod_to_run(
        tmp_path, mode, who):
    path = write_config(tmp_path, mode=mode)
    owner = pwd.getpwuid(path.stat().st_uid).pw_name
    assert config_messages(path) == [
        f"{path}: {who} (mode {mode:03o}), and it holds the staff code's hash; run: chmod 640 {path} "
        f"(owner: {owner})"]


@pytest.mark.parametrize("mode", [0o640, 0o600, 0o400, 0o440])
def test_owner_read_write_and_group_read_are_accepted(tmp_path, mode):
    assert load_config(write_config(tmp_path, mode=mode)).staff_code_hash == CODE_HASH


# --- hash parameters the kiosk can run ----------------------------------------------------------------------


def scrypt_line(n: int, r: int, p: int, real: bool = False) -> str:
    """A configuration line with these parameters; its digest is CODE's only if `real` (lines the kiosk
    refuses are never run)."""
    digest = hashlib.scrypt(CODE.encode(), salt=SALT, n=n, r=r, p=p, dklen=32, maxmem=2**30) if real else bytes(32)
    return f"scrypt${n}${r}${p}${SALT.hex()}${digest.hex()}"


def pbkdf2_line(rounds: int) -> str:
    return f"pbkdf2_sha256${rounds}${SALT.hex()}${bytes(32).hex()}"


def test_an_scrypt_line_needing_a_gigabyte_is_refused_at_start_naming_the_file_the_key_and_the_range(tmp_path):
    path = write_config(tmp_path, scrypt_line(2**20, 8, 1))
    assert config_messages(path) == [
        f"{path}, field 'staff_code_hash': scrypt with n=1048576, r=8, p=1 cannot be checked at the kiosk: n "
        "must be a power of two from 16384 to 65536, r from 1 to 16, p from 1 to 4, and n*r*p at most 524288 "
        "(at most 64 MiB, well under a second); run `triage kiosk --hash-code` for a line that fits"]


def test_a_pbkdf2_line_with_a_trillion_rounds_is_refused_at_start(tmp_path):
    path = write_config(tmp_path, pbkdf2_line(10**12))
    assert config_messages(path) == [
        f"{path}, field 'staff_code_hash': pbkdf2_sha256 with 1000000000000 iterations is refused: use 100000 "
        "to 600000 iterations (fewer are quick to guess, more take too long to check at the kiosk); run "
        "`triage kiosk --hash-code` for a line that fits"]


@pytest.mark.parametrize("line", [scrypt_line(2**15 + 1, 8, 1), scrypt_line(2**14, 17, 1), scrypt_line(2**14, 8, 5),
                                  scrypt_line(2**16, 16, 1), scrypt_line(2**14, 16, 4), pbkdf2_line(600_001),
                                  pbkdf2_line(99_999)])
def test_parameters_just_outside_the_bounds_are_refused(line):
    assert hash_problem(line) is not None and not code_matches(CODE, line)


@pytest.mark.parametrize(("n", "r", "p"), [(2**16, 8, 1), (2**15, 16, 1), (2**14, 16, 2), (2**14, 8, 4),
                                           (2**14, 1, 1)])
def test_every_corner_of_the_allowed_scrypt_range_really_runs(n, r, p):
    """Within the memory limit the checker passes to scrypt, so that staff are never locked out."""
    assert n * r * p <= SCRYPT_COST_MAX
    line = scrypt_line(n, r, p, real=True)
    assert hash_problem(line) is None and code_matches(CODE, line) and not code_matches("8413-2097", line)


def test_the_largest_pbkdf2_count_checks_in_well_under_a_second():
    rounds = PBKDF2_RANGE[1]
    line = f"pbkdf2_sha256${rounds}${SALT.hex()}${hashlib.pbkdf2_hmac('sha256', CODE.encode(), SALT, rounds).hex()}"
    started = time.perf_counter()
    assert code_matches(CODE, line)
    assert time.perf_counter() - started < 2.0  # 0.38 s measured on a busy 2-core machine


# --- wrong codes: delays and lockout ------------------------------------------------------------------------


def test_three_wrong_codes_are_free_then_each_waits_twice_as_long_up_to_30_seconds():
    g = Gate()
    waits = []
    for _ in range(9):
        verdict, left = g.gate.check("wrong-guess")
        assert verdict is Verdict.WRONG
        waits.append(left)
        g.clock.now += left
    assert waits == [0, 0, 0, 2, 4, 8, 16, 30, 30]
    assert g.gate.failures == 9


def test_a_code_typed_during_the_delay_is_not_checked_and_not_counted():
    g = Gate()
    g.wrong(4)
    g.clock.now += 1
    assert g.gate.check(CODE) == (Verdict.TOO_SOON, 1.0)
    assert g.hashed.count(CODE) == 0 and g.gate.failures == 4
    g.clock.now += 1
    assert g.gate.check(CODE)[0] is Verdict.RIGHT


def test_ten_wrong_codes_within_15_minutes_lock_the_prompt_for_15_minutes_even_for_the_right_code():
    g = Gate()
    for _ in range(9):
        g.clock.now += g.gate.check("wrong-guess")[1]
    assert g.gate.check("wrong-guess") == (Verdict.WRONG, 900.0)
    assert g.gate.failures == 10 and g.gate.wait() == (Verdict.LOCKED, 900.0)
    g.clock.now += 899
    assert g.gate.check(CODE) == (Verdict.LOCKED, 1.0)
    assert CODE not in g.hashed
    g.clock.now += 1
    assert g.gate.check(CODE) == (Verdict.RIGHT, 0.0)


def test_after_a_lockout_the_steps_start_again_and_a_guesser_gets_about_35_codes_an_hour():
    g = Gate()
    checked, end = 0, g.clock.now + 3600
    while g.clock.now < end:
        verdict, left = g.gate.check("wrong-guess")
        checked += verdict is Verdict.WRONG
        g.clock.now += max(left, 3.0)  # a fast guesser: a code every 3 s whenever one is checked
    assert 30 <= checked <= 40  # 10 codes every 17 minutes or so; before: about 3,200
    assert g.gate.failures == checked


def test_wrong_codes_spread_over_more_than_the_window_never_lock():
    g = Gate()
    for _ in range(30):
        g.wrong()
        g.clock.now += 100  # 9 in any 15 minutes
    assert g.gate.wait() == (Verdict.RIGHT, 0.0) and g.gate.failures == 30


def test_an_empty_code_goes_back_and_is_not_a_guess():
    g = Gate()
    assert g.gate.check("") == (Verdict.EMPTY, 0.0) and g.gate.failures == 0 and g.hashed == []


def test_a_code_longer_than_128_characters_is_wrong_without_hashing_it():
    g = Gate()
    assert g.gate.check(CODE + "x" * 200)[0] is Verdict.WRONG
    assert g.hashed == [] and g.gate.failures == 1


def test_the_testing_switch_shortens_the_steps_and_a_real_kiosk_keeps_the_real_ones(tmp_path):
    assert load_config(write_config(tmp_path)).staff_policy == REAL
    path = write_config(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + "short_times_for_testing = true\n", encoding="utf-8")
    assert load_config(path).staff_policy == FOR_TESTING


# --- what staff read ----------------------------------------------------------------------------------------


def test_the_staff_screen_counts_wrong_codes_and_the_prompt_says_how_long_it_is_locked(real_kb):
    text = " ".join(staff_text(real_kb, None, wrong_codes=12).split())
    assert ("Wrong staff codes typed since the kiosk started: 12. Many of them mean someone tried to guess the "
            "code.") in text
    assert " ".join(staff_wait_text(Verdict.LOCKED, 840.2).split()) == (
        "Too many wrong codes: the staff code is locked for 14 more minute(s); a code typed before then is "
        "not checked.")
    assert " ".join(staff_wait_text(Verdict.TOO_SOON, 7.6).split()) == (
        "After a wrong code, wait 8 more second(s) before the next one; a code typed before then is not "
        "checked.")


# --- a real kiosk in a terminal -----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_repeated_wrong_codes_lock_the_staff_prompt_the_idle_reset_still_runs_and_staff_see_the_count(
        tmp_path):
    """Short steps (short_times_for_testing): 3 free wrong codes, then 3 s between codes, the fifth locks
    the prompt for 6 s; a real kiosk: 2, 4, 8 ... 30 s, and the tenth in 15 minutes locks it for 15."""
    config = tmp_path / "kiosk.toml"
    config.write_text(f'emergency_number = "112"\nshort_times_for_testing = true\nidle_timeout_seconds = 8\n'
                      f'idle_warning_seconds = 3\nstaff_code_hash = "{CODE_HASH}"\n', encoding="utf-8")
    config.chmod(0o600)
    k = TmuxTerminal(tmp_path, "kiosk", "--config", str(config))

    def back_at_the_question() -> None:
        time.sleep(1.3)  # "Wrong code." stays up for a second, then the person's question is back

    try:
        k.wait_for("What would you like to do")
        k.keys("Enter")
        k.wait_for("Do you want to start")
        k.keys("Enter")
        k.at_question(1)

        def staff_code(code: str) -> None:
            k.keys("C-x", "C-e")
            k.wait_for("Staff code")
            k.keys("-l", code)
            k.keys("Enter")

        for guess in ("11111111", "22222222", "33333333"):
            staff_code(guess)
            k.wait_for("Wrong code")
            back_at_the_question()
        staff_code("44444444")
        shown = " ".join(k.wait_for(r"wait\s+\d\s+more").split())
        assert "Wrong code. After a wrong code, wait 3 more second(s) before the next one" in shown
        back_at_the_question()
        staff_code(CODE)  # too soon: not checked, the kiosk stays
        k.wait_for(r"not\s+checked")
        back_at_the_question()
        assert "stopped by staff" not in k.screen()
        time.sleep(3)
        staff_code("55555555")
        shown = " ".join(k.wait_for(r"Too\s+many\s+wrong\s+codes").split())
        assert "Wrong code. Too many wrong codes: the staff code is locked for 6 more second(s)" in shown
        back_at_the_question()
        k.keys("C-x", "C-e")
        shown = " ".join(k.wait_for(r"locked[\s\S]*Staff code").split())
        assert re.search(r"Too many wrong codes: the staff code is locked for [1-5] more second", shown)
        # Nobody types: the idle reset clears the person's question as always, lockout or not.
        k.wait_for("What would you like to do", timeout=15)
        assert "Question 1" not in k.history()
        staff_code(CODE)
        shown = " ".join(k.wait_for("stopped by staff").split())
        assert "Wrong staff codes typed since the kiosk started: 5." in shown
        k.keys("Space")
        k.wait_for("TRIAGE-EXIT=0")
        assert "Traceback" not in k.history()
    finally:
        k.close()
