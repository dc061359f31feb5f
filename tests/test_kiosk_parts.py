"""Kiosk parts without a terminal: configuration, staff code, reading pages, paging, one kiosk in-process.

The behaviour a person sees is tested against the real `triage kiosk` in tests/test_kiosk_terminal.py.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import weakref
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from triage.checks.wording import diagnostic_phrases
from triage.endings import Ending
from triage.errors import KnowledgeBaseError
from triage.frontends.kiosk.config import KioskConfigError, code_matches, hash_code, is_code_hash, load_config
from triage.frontends.kiosk.kiosk import Kiosk
from triage.frontends.kiosk.pages import (
    end_text,
    kiosk_notices,
    page_text,
    safe_text,
    staff_text,
    welcome_text,
)
from triage.frontends.kiosk.screen import CLEAR_ALL, Screen
from triage.knowledge.reading import load_reading
from triage.rete.engine import CompiledRules

REPO = Path(__file__).resolve().parent.parent
CODE = "7093-5518"
CODE_HASH = hash_code(CODE)


def write_config(tmp_path: Path, text: str, with_hash: bool = True) -> Path:
    path = tmp_path / "kiosk.toml"
    extra = f'staff_code_hash = "{CODE_HASH}"\n' if with_hash else ""
    path.write_text(textwrap.dedent(text) + extra, encoding="utf-8")
    path.chmod(0o600)  # the kiosk refuses a file others can read: it holds the staff code's hash
    return path


def config_messages(path: Path) -> list[str]:
    with pytest.raises(KioskConfigError) as info:
        load_config(path)
    return [str(p) for p in info.value.problems]


# --- configuration ----------------------------------------------------------------------------------------


def test_a_complete_configuration_is_read(tmp_path):
    config = load_config(write_config(tmp_path, """
        clinic_name = "Test Clinic"
        emergency_number = "112"
        idle_timeout_seconds = 90
        idle_warning_seconds = 25
        count_sessions = true
        """))
    assert (config.clinic_name, config.emergency_number, config.idle_timeout, config.idle_warning) == (
        "Test Clinic", "112", 90.0, 25.0)
    assert config.count_sessions and config.language == "en"


def test_defaults_are_two_minutes_with_a_warning_30_seconds_before(tmp_path):
    config = load_config(write_config(tmp_path, 'emergency_number = "112"\n'))
    assert (config.idle_timeout, config.idle_warning, config.count_sessions) == (120.0, 30.0, False)


def test_the_documented_example_refuses_to_start_until_a_staff_code_is_set(tmp_path):
    """examples/kiosk.toml ships without a code, so that nobody deploys a known one."""
    example = tmp_path / "kiosk.toml"
    example.write_text((REPO / "examples" / "kiosk.toml").read_text(encoding="utf-8"), encoding="utf-8")
    example.chmod(0o640)  # installed as docs/kiosk.md says
    assert config_messages(example) == [
        f"{example}, field 'staff_code_hash': no staff code is set, so the kiosk cannot be left; "
        "run `triage kiosk --hash-code` and put the line it prints into this file"]


def test_the_documented_example_is_valid_once_a_code_is_added(tmp_path):
    text = (REPO / "examples" / "kiosk.toml").read_text(encoding="utf-8")
    path = tmp_path / "kiosk.toml"
    path.write_text(text + f'staff_code_hash = "{CODE_HASH}"\n', encoding="utf-8")
    path.chmod(0o640)
    assert load_config(path).emergency_number == "112"


def test_every_problem_is_listed_at_once(tmp_path):
    messages = config_messages(write_config(tmp_path, """
        language = "de"
        idle_warning_seconds = 5
        colour = "blue"
        staff_code_hash = "secret"
        """, with_hash=False))
    name = str(tmp_path / "kiosk.toml")
    assert messages == [
        f"{name}, field 'colour': is not a known setting; known settings: clinic_name, count_sessions, "
        "emergency_number, idle_timeout_seconds, idle_warning_seconds, language, short_times_for_testing, "
        "staff_code_hash",
        f"{name}, field 'staff_code_hash': is not a hash made by `triage kiosk --hash-code`; "
        "run `triage kiosk --hash-code` and put the line it prints into this file",
        f"{name}, field 'emergency_number': is missing; write the local emergency number, e.g. "
        'emergency_number = "112"',
        f"{name}, field 'language': 'de' is not available; the texts exist only in: en",
        f"{name}, field 'idle_warning_seconds': must be at least 20 seconds, so that a person has time "
        "to react to the warning (WCAG 2.2.1), not 5",
    ]


def test_short_times_need_the_testing_switch(tmp_path):
    text = 'emergency_number = "112"\nidle_timeout_seconds = 6\nidle_warning_seconds = 3\n'
    assert len(config_messages(write_config(tmp_path, text))) == 1
    config = load_config(write_config(tmp_path, text + "short_times_for_testing = true\n"))
    assert (config.idle_timeout, config.idle_warning) == (6.0, 3.0)


def test_the_timeout_must_leave_room_after_the_warning(tmp_path):
    messages = config_messages(write_config(tmp_path, """
        emergency_number = "112"
        idle_timeout_seconds = 35
        idle_warning_seconds = 30
        """))
    assert messages == [f"{tmp_path / 'kiosk.toml'}, field 'idle_timeout_seconds': must be at least "
                        "idle_warning_seconds + 10 (40), not 35"]


def test_a_configuration_anyone_can_change_is_refused(tmp_path):
    import pwd

    path = write_config(tmp_path, 'emergency_number = "112"\n')
    path.chmod(0o666)
    owner = pwd.getpwuid(path.stat().st_uid).pw_name
    assert config_messages(path) == [
        f"{path}: others can read it (mode 666), and it holds the staff code's hash; run: chmod 640 {path} "
        f"(owner: {owner})"]


def test_a_missing_or_broken_file_is_one_readable_line(tmp_path):
    missing = tmp_path / "nope.toml"
    assert config_messages(missing) == [
        f"{missing}: no kiosk configuration here: copy examples/kiosk.toml, then "
        "run `triage kiosk --hash-code` and put the line it prints into this file"]
    broken = write_config(tmp_path, "emergency_number = \n")
    assert config_messages(broken)[0].startswith(f"{broken}: is not valid TOML: ")


# --- the staff code -----------------------------------------------------------------------------------------


def test_the_staff_code_is_stored_as_a_salted_hash():
    first, second = hash_code(CODE), hash_code(CODE)
    assert first != second and CODE not in first and first.startswith("scrypt$16384$8$1$")
    assert is_code_hash(first) and code_matches(CODE, first) and code_matches(CODE, second)
    assert not code_matches("7093-5519", first) and not code_matches("", first)


def test_a_pbkdf2_hash_is_accepted_too():
    import hashlib

    salt = bytes(range(16))
    digest = hashlib.pbkdf2_hmac("sha256", CODE.encode(), salt, 200_000)
    stored = f"pbkdf2_sha256$200000${salt.hex()}${digest.hex()}"
    assert code_matches(CODE, stored) and not code_matches("x", stored)


@pytest.mark.parametrize("stored", ["", "scrypt$1$8$1$00$00", "scrypt$16384$8$1$zz$zz", "md5$abc",
                                    "pbkdf2_sha256$1000$0011223344556677$00112233445566778899aabbccddeeff"])
def test_weak_or_malformed_hashes_are_refused(stored):
    assert not is_code_hash(stored) and not code_matches(CODE, stored)


def test_without_a_staff_code_the_kiosk_refuses_to_start_with_one_line(tmp_path):
    path = write_config(tmp_path, 'emergency_number = "112"\n', with_hash=False)
    done = subprocess.run([sys.executable, "-m", "triage", "kiosk", "--config", str(path)],
                          capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"error: {path}, field 'staff_code_hash': no staff code is set, so the kiosk cannot be left; "
        "run `triage kiosk --hash-code` and put the line it prints into this file"]


def test_the_kiosk_needs_a_terminal(tmp_path):
    path = write_config(tmp_path, 'emergency_number = "112"\n')
    done = subprocess.run([sys.executable, "-m", "triage", "kiosk", "--config", str(path)],
                          capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert (done.returncode, done.stderr) == (
        2, "error: triage kiosk: needs a terminal; run it on a console or in a terminal window, "
           "with no input or output redirected\n")


# --- reading pages ------------------------------------------------------------------------------------------


def test_the_reading_pages_cover_the_leaflet(real_kb):
    reading = load_reading(real_kb)
    titles = [p.title for p in reading.pages]
    assert titles[0] == "What calcifications are"
    assert {s.title for s in real_kb.sections} <= set(titles)
    assert {"How calcifications are found", "Treatment and follow-up", "Prevention"} <= set(titles)
    found = reading.page["how_found"]
    assert [p.label for p in found.paragraphs if p.label] == [w.name for w in real_kb.workups]
    assert all(p.source in real_kb.source and p.source != "safety" for p in reading.pages)


def test_every_page_ends_with_talk_to_a_doctor_and_never_says_what_you_have(real_kb):
    reading = load_reading(real_kb)
    for page in reading.pages:
        text = page_text(reading, page)
        assert " ".join(text.split()).endswith("talk to a doctor."), page.id
        assert "you have" not in " ".join(text.lower().split()), page.id
        assert diagnostic_phrases(" ".join(text.split())) == [], page.id
        assert max(len(line) for line in text.splitlines()) <= 78, page.id


def test_the_kiosk_screens_are_not_diagnostic_either(real_kb, tmp_path):
    config = load_config(write_config(tmp_path, 'emergency_number = "112"\ncount_sessions = true\n'))
    texts = [welcome_text(real_kb, config), safe_text(real_kb, config), end_text(config), *kiosk_notices(config),
             staff_text(real_kb, {})]
    assert [diagnostic_phrases(" ".join(t.split())) for t in texts] == [[]] * len(texts)


def test_reading_problems_name_the_file_page_and_field(tiny):
    tiny.write("reading.yaml", """
        closing: Talk to a doctor.
        pages:
          - {id: a, title: A, source: leaflet, section: lungs, workups: [xray, mri]}
          - {id: a, title: B, source: nowhere, text: Words.}
          - {id: c, source: leaflet, section: stomach}
          - {id: d, title: D, source: leaflet, colour: red}
        """)
    kb = tiny.load()
    with pytest.raises(KnowledgeBaseError) as info:
        load_reading(kb)
    name = f"{kb.label}/reading.yaml"
    assert [str(p) for p in info.value.problems] == [
        f"{name}:3, page 'a', field 'workups': mri not in workups.yaml; known: xray, calcium_blood",
        f"{name}:4, page 'a', field 'source': 'nowhere' is not a source in knowledge.yaml; "
        "known: leaflet, safety",
        f"{name}:4, page 'a', field 'id': 'a' is used by an earlier page; give each page its own id",
        f"{name}:5, page 'c', field 'section': 'stomach' is not a section in sections.yaml; known: general, "
        "lungs, kidneys",  # and only that: not also the title and text that section would have given
        f"{name}:6, page 'd', field 'colour': is not a known field here; known fields: cites, id, rationale, "
        "section, source, text, title, workups",
        f"{name}:6, page 'd': has nothing to show; give it a 'section', a 'text' or 'workups'",
    ]


def test_a_rules_folder_without_reading_pages_is_refused(tiny):
    kb = tiny.load()
    with pytest.raises(KnowledgeBaseError) as info:
        load_reading(kb)
    assert [str(p) for p in info.value.problems] == [
        f"{kb.label}/reading.yaml: cannot be read: No such file or directory; "
        "the kiosk needs its reading pages"]


def test_the_safe_screen_names_the_emergency_signs_and_the_number(tmp_path, real_kb):
    config = load_config(write_config(tmp_path, 'emergency_number = "999"\n'))
    text = " ".join(safe_text(real_kb, config).split())
    assert "Please talk to the staff at the desk." in text
    assert ("If you feel pain or pressure in your chest, you throw up blood, your lips turn blue, you can hardly "
            "breathe or you pass almost no urine, call 999 now.") in text


# --- paging -------------------------------------------------------------------------------------------------


def test_long_text_waits_for_a_key_before_it_would_scroll_away_unread():
    out = io.StringIO()
    screen = Screen(stream=out)
    pauses: list[int] = []
    screen.say("\n".join(f"line {n}" for n in range(1, 41)), more=lambda: pauses.append(screen.used))
    assert pauses == [18, 18]  # 24 rows less 6 kept for the prompt below
    assert out.getvalue().count("\033[H\033[2J") == 2 and out.getvalue().endswith("line 40\n")


def test_after_a_prompt_a_full_screen_is_cleared_without_waiting():
    screen = Screen(stream=io.StringIO())
    screen.say("\n".join(["x"] * 15), more=lambda: pytest.fail("nothing unread"))
    screen.prompted()
    pauses: list[int] = []
    screen.say("\n".join(["y"] * 10), more=lambda: pauses.append(1))
    assert pauses == [] and screen.used == 10


# --- one kiosk in this process ------------------------------------------------------------------------------


def test_each_person_gets_a_new_session_and_nothing_of_it_stays_in_memory(real_kb, tmp_path):
    """As each person starts, no earlier Session is alive and the engine holds no answer."""
    engine = CompiledRules(real_kb)  # its own: the shared one holds other tests' answers
    config = load_config(write_config(tmp_path, 'emergency_number = "112"\ncount_sessions = true\n'))
    reading = load_reading(engine.kb)
    sessions: list[weakref.ref] = []
    seen_at_start: list[tuple[int, int]] = []  # as a person starts: (sessions alive, answers in the engine)

    class Watched(Kiosk):
        def _answer(self) -> None:
            alive = sum(ref() is not None for ref in sessions)
            answers = sum(f.kind == "Answer" for f in self.engine.facts_held())
            seen_at_start.append((alive, answers))
            try:
                super()._answer()
            finally:
                if self.interview is not None:
                    sessions.append(weakref.ref(self.interview.session))

    enter, down, any_key = "\r", "\x1b[B", " "
    person_1 = enter + enter + enter + any_key  # answer, start, chest pain: yes -> emergency; a key to end
    person_2 = enter + enter + down + enter + "\x1b" + "\x18\x05"  # ... chest pain: no; the staff chord
    staff = CODE + enter + any_key
    out = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(person_1 + person_2 + staff)
        screen = Screen(stream=out, pt_input=pipe, pt_output=DummyOutput())
        kiosk = Watched(engine, reading, config, screen)
        assert kiosk.run() is Ending.FINISHED
    assert seen_at_start == [(0, 0), (0, 0)]
    assert len(sessions) == 2 and sessions[0]() is None and kiosk.interview is None
    assert not [f for f in engine.facts_held() if f.kind == "Answer"]
    assert kiosk.counts is None  # shown to staff, then dropped
    text = out.getvalue()
    assert text.count(CLEAR_ALL) >= 3 and "Emergency 1, Urgent 0, Soon 0, Routine 0" in text
    assert os.environ.get("CALCITRIAGE_KIOSK_FAIL_AT") is None
