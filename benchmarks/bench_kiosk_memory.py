"""Kiosk memory: 10,000 people in one kiosk process, driven by a script; resident memory after each.

The kiosk's own loop (triage.frontends.kiosk.kiosk.Kiosk.run: welcome, answering or reading, forgetting the
person, clearing the screen) runs in this process with the built-in rules and a scripted person in place
of the questionary asker: every prompt is answered by the script instead of by keys, and the screen goes
to /dev/null. Nine people in ten answer the questions (random answers, some go back, some change an
answer at the summary), one in ten reads a few pages. A further run (one, as it is slower) puts
every prompt up with the kiosk's own asker and its one long-lived prompt application, the script's
answers given as keys through a pipe, so that what the prompt application keeps is counted too.
Memory is the process's resident set
(/proc/self/statm) after each person. Target: growth after the first 100 people under 5 MB.
"""

from __future__ import annotations

import os
import random
from array import array
from collections.abc import Iterator, Sequence
from typing import Any

import common
from sessions import SEED

from triage.checks.space import ticked
from triage.frontends.asker import GO_BACK
from triage.frontends.interview import Interview
from triage.knowledge.load import load_knowledge
from triage.model import NO, YES, QuestionType

TARGET_GROWTH_MB = 5.0
SETTLE = 100  # growth is counted from the person after this many


class ScriptedPerson:
    """Stands in for the kiosk's asker: answers every prompt the way a person with a few keys would."""

    def __init__(self, people: int, rng: random.Random, on_person_done: Any, done: type[BaseException]):
        self.people, self.rng, self.on_person_done, self.done = people, rng, on_person_done, done
        self.started = 0
        self.reading_pages = 0
        self.asked_in_this_interview = 0
        self.went_back = False
        self.changed = False

    pages_itself = True  # as the kiosk's own asker

    def say(self, text: str, emphasis: bool = False) -> None:
        pass

    def screen_size(self) -> None:
        return None

    def confirm_quit(self) -> bool:
        return False

    def forget(self) -> None:
        pass

    def _at_summary(self, message: str, values: list[str]) -> str | None:
        """Before the result: now and then change one answer, else see the result."""
        if message == "What next?" and "result" in values:
            if not self.changed and self.rng.random() < 0.05:
                self.changed = True
                return "change"
            return "result"
        if message == "Which answer do you want to change?":
            return self.rng.choice(values[:-1])  # any answer (the last line goes back to the answers)
        return None

    def choose(self, message: str, choices: list[tuple[str, str]]) -> str:
        values = [v for v, _ in choices]
        if message == "What would you like to do?":  # the welcome screen: a new person
            if self.started:
                self.on_person_done(self.started)
            if self.started == self.people:
                raise self.done  # as staff giving the right code: the kiosk ends
            self.started += 1
            self.asked_in_this_interview, self.went_back, self.changed = 0, False, False
            self.reading_pages = self.rng.randrange(1, 4)
            return "read" if self.rng.random() < 0.1 else "answer"
        if message == "Do you want to start?":
            return "start"
        if message == "Which topic would you like to read?":
            return values[-1] if self.reading_pages <= 0 else self.rng.choice(values[:-1])
        if (at_summary := self._at_summary(message, values)) is not None:
            return at_summary
        if message == "What next?" and "why" in values:  # the result
            return "why" if self.rng.random() < 0.2 and not self.changed else "done"
        # a reading page: next page, back to the topics, or back to the start
        self.reading_pages -= 1
        if self.reading_pages > 0 and values[0] == "next":
            return "next"
        return values[-1] if self.reading_pages <= 0 else values[-2]

    def ask(self, question: Any, options: tuple[Any, ...], progress: Any, can_go_back: bool,
            default: Any = None) -> Any:
        self.asked_in_this_interview += 1
        if can_go_back and not self.went_back and self.rng.random() < 0.03:
            self.went_back = True
            return GO_BACK
        if question.type is QuestionType.MULTIPLE_CHOICE:
            return ticked(question, [o.id for o in options], self.rng, 0.25)
        if question.type is QuestionType.SINGLE_CHOICE:
            return self.rng.choice(options).id
        if question.red_flag:
            return YES if self.rng.random() < 0.02 else NO
        return self.rng.choices(question.values, weights=[3, 6, 1][: len(question.values)])[0]


class Readings:
    """RSS after each person, in memory taken before the first person: recording adds nothing on the way.

    (A list of 10,000 ints would itself grow by about 0.4 MB while the kiosk runs.)
    """

    def __init__(self, people: int):
        self.values = array("q", bytes(8 * people))
        self.count = 0

    def take(self, _person: int = 0) -> None:
        self.values[self.count] = common.rss_bytes()
        self.count += 1

    def __iter__(self) -> Iterator[int]:
        return iter(self.values[: self.count])


DOWN, UP, SPACE, ENTER = "\x1b[B", "\x1b[A", " ", "\r"


def keys_for(question: Any, options: tuple[Any, ...], can_go_back: bool, default: Any, value: Any) -> str:
    """The keys a person presses in the interview's prompt (triage/frontends/asker.py) to give `value`."""
    from triage.frontends.asker import choices_for

    values = [v for v, _ in choices_for(question, options)]
    go_back_at = len(values) + (1 if question.help else 0)  # after "What does this mean?", if offered
    if question.type is QuestionType.MULTIPLE_CHOICE:
        ticked_before = set(default) if isinstance(default, tuple) else set()
        if value == GO_BACK:
            return DOWN * go_back_at + ENTER  # Enter on "Go back" acts, whatever is ticked
        keys = ""
        for i, v in enumerate(values):
            keys += (SPACE if (v in value) != (v in ticked_before) else "") + (DOWN if i < len(values) - 1 else "")
        return keys + ENTER
    start = values.index(default) if isinstance(default, str) and default in values else 0
    target = go_back_at if value == GO_BACK else values.index(value)
    return (DOWN * (target - start) if target >= start else UP * (start - target)) + ENTER


def keyed_asker(kiosk: Any, person: ScriptedPerson, pipe: Any) -> Any:
    """The kiosk's own asker (its one prompt application, its keys and idle timer), fed keys through a pipe.

    The script decides each answer; the keys that give it go into the pipe, and the real prompt reads them.
    """
    from triage.frontends.kiosk.kiosk import KioskAsker

    class KeyedAsker(KioskAsker):
        def choose(self, message: str, choices: list[tuple[str, str]]) -> str:
            value = person.choose(message, choices)
            pipe.send_text(DOWN * [v for v, _ in choices].index(value) + ENTER)
            got = super().choose(message, choices)
            assert got == value, (message, got, value)
            return got

        def ask(self, question: Any, options: tuple[Any, ...], progress: Any, can_go_back: bool,
                default: Any = None) -> Any:
            value = person.ask(question, options, progress, can_go_back, default)
            pipe.send_text(keys_for(question, options, can_go_back, default, value))
            got = super().ask(question, options, progress, can_go_back, default)
            assert got == value, (question.id, got, value)
            return got

    return KeyedAsker(kiosk)


def kiosk_loop(people: int, keyed: bool = False) -> tuple[Readings, str]:
    """RSS after each person, driving triage.frontends.kiosk.kiosk.Kiosk; or, without it, Session + Interview."""
    rng = random.Random(SEED)
    rss = Readings(people)
    kb = load_knowledge()
    try:
        from triage.frontends.kiosk.config import KioskConfig
        from triage.frontends.kiosk.kiosk import Kiosk, StaffExit
        from triage.frontends.kiosk.screen import Screen
        from triage.knowledge.reading import load_reading
        from triage.rete.engine import CompiledRules
    except ImportError:
        return interview_loop(kb, people, rng), "Session + Interview with a scripted asker (no kiosk module)"

    class ScriptedKiosk(Kiosk):
        def any_key(self, message: str) -> None:
            pass  # the person presses a key at once

    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    person = ScriptedPerson(people, rng, rss.take, StaffExit)
    config = KioskConfig(file="<benchmark>", emergency_number="112", staff_code_hash="", count_sessions=True)
    with open(os.devnull, "w", encoding="utf-8") as screen_out, create_pipe_input() as pipe:
        screen = Screen(stream=screen_out, pt_input=pipe, pt_output=DummyOutput())
        kiosk = ScriptedKiosk(CompiledRules(kb), load_reading(kb), config, screen)
        kiosk.asker = keyed_asker(kiosk, person, pipe) if keyed else person  # type: ignore[assignment]
        failures = []
        original_safe = kiosk._safe_screen

        def safe_screen() -> None:  # a failure the person would see as the safe screen: count it
            failures.append(person.started)
            original_safe()

        kiosk._safe_screen = safe_screen  # type: ignore[method-assign]
        kiosk.run()
        if failures:
            raise RuntimeError(f"{len(failures)} visits ended in the safe screen "
                               f"(first at person {failures[0]})")
    if keyed:
        return rss, ("triage.frontends.kiosk.kiosk.Kiosk.run (the kiosk's own loop) with its own asker and prompt "
                     "application, every answer given by keys through a pipe")
    return rss, "triage.frontends.kiosk.kiosk.Kiosk.run (the kiosk's own loop) with a scripted asker"


def interview_loop(kb: Any, people: int, rng: random.Random) -> Readings:
    from triage.rete.engine import CompiledRules

    rules = CompiledRules(kb)
    rss = Readings(people)
    for _ in range(people):
        person = ScriptedPerson(1, rng, lambda n: None, EOFError)
        person.started = 1
        Interview(rules, person).run()
        rss.take()
    return rss


def _run_child(people: int, keyed: bool) -> tuple[dict[str, Any], str]:
    import subprocess
    import sys

    # Each run in a fresh process, so that one run's memory is not the next one's start.
    command = [sys.executable, __file__, "--child", str(people)] + (["--keyed"] if keyed else [])
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    rss_after, driven = _parse(out.stdout)
    base = rss_after[min(SETTLE, len(rss_after)) - 1]
    growth = (rss_after[-1] - base) / 2**20
    return {"rss_after_first_mb": round(rss_after[0] / 2**20, 2),
            f"rss_after_{SETTLE}_mb": round(base / 2**20, 2),
            "rss_at_end_mb": round(rss_after[-1] / 2**20, 2),
            "max_mb": round(max(rss_after) / 2**20, 2),
            "growth_mb": round(growth, 3),
            "checkpoints_mb": {str(i + 1): round(rss_after[i] / 2**20, 2)
                               for i in sorted({0, SETTLE - 1, *range(999, len(rss_after), 1000),
                                                len(rss_after) - 1}) if i < len(rss_after)}}, driven


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = common.arguments(__doc__.splitlines()[0], runs=3, argv=argv,
                            extra=[("--people", {"type": int, "default": 10_000}),
                                   ("--keyed-people", {"type": int, "default": 10_000,
                                                       "help": "people in the run that answers by keys "
                                                               "(about 0.1 s each; 0: none)"})])
    people = 150 if args.smoke else args.people
    runs = 1 if args.smoke else args.runs
    details, driven = [], ""
    for _ in range(runs):
        detail, driven = _run_child(people, keyed=False)
        details.append(detail)
    growth = common.median([d["growth_mb"] for d in details])
    result = {
        "benchmark": "kiosk_memory",
        "runs": runs,
        "people": people,
        "driven": driven,
        "growth_mb": round(growth, 3),
        "per_run": details,
        "target_growth_mb": TARGET_GROWTH_MB,
    }
    keyed_people = 20 if args.smoke else args.keyed_people
    if keyed_people:
        keyed, keyed_driven = _run_child(keyed_people, keyed=True)
        result["keyed"] = {"people": keyed_people, "driven": keyed_driven, **keyed}
    result["met"] = growth < TARGET_GROWTH_MB and result.get("keyed", {}).get("growth_mb", 0) < TARGET_GROWTH_MB
    print(f"{people} people ({driven}): growth after the first {SETTLE}: {result['growth_mb']:.2f} MB "
          f"(runs: {[d['growth_mb'] for d in details]}); RSS {details[0][f'rss_after_{SETTLE}_mb']} -> "
          f"{details[0]['rss_at_end_mb']} MB")
    if "keyed" in result:
        k = result["keyed"]
        print(f"{k['people']} people ({k['driven']}): growth after the first {SETTLE}: {k['growth_mb']:.2f} MB; "
              f"RSS {k[f'rss_after_{SETTLE}_mb']} -> {k['rss_at_end_mb']} MB")
    common.write(result, args.json)
    return result


def _parse(stdout: str) -> tuple[list[int], str]:
    lines = stdout.strip().splitlines()
    return [int(x) for x in lines[-1].split(",")], lines[-2]


def child(people: int, keyed: bool) -> None:
    rss, driven = kiosk_loop(people, keyed)
    print(driven)
    print(",".join(str(x) for x in rss))


if __name__ == "__main__":
    import sys

    if len(sys.argv) in (3, 4) and sys.argv[1] == "--child":
        child(int(sys.argv[2]), keyed=sys.argv[3:] == ["--keyed"])
    else:
        main()
