"""Issue 14, items 7 and 9: the program fails early and plainly, in a real pseudo-terminal.

`--save` is checked before the opening screen and the first question (before, an unwritable path was found
only after the whole interview, even after emergency advice, and `triage --save x run ...` silently wrote
nothing); `--version` exists; every option of `run` and `questions` says what it does.
"""

from __future__ import annotations

import pexpect

from support.terminals import Terminal


def ended(t: Terminal) -> int:
    t.child.expect(pexpect.EOF)
    t.child.close()
    return t.child.exitstatus


def test_save_into_a_folder_that_does_not_exist_is_refused_before_anything_is_asked(spawn, tmp_path):
    target = tmp_path / "no-such-folder" / "answers.json"
    t = spawn("--save", str(target))
    assert ended(t) == 2
    assert t.text.strip().splitlines() == [f"error: --save {target}: the folder {target.parent} does not exist"]
    assert "Question 1" not in t.text and "Do you want to start?" not in t.text


def test_save_onto_a_folder_is_refused_with_an_example_of_a_file_name(spawn, tmp_path):
    t = spawn("interview", "--save", str(tmp_path))
    assert ended(t) == 2
    assert t.text.strip().splitlines() == [
        f"error: --save {tmp_path}: this is a folder; give a file name, for example {tmp_path}/my-answers.json"]


def test_save_with_run_is_refused_rather_than_silently_writing_nothing(spawn, tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text("sex: female\n", encoding="utf-8")
    t = spawn("--save", str(tmp_path / "out.json"), "run", "--answers", str(answers))
    assert ended(t) == 2
    assert t.text.strip().splitlines() == [
        "error: --save is for the interview; 'triage run' does not save answers (redirect its output to a file "
        "instead)"]
    assert not (tmp_path / "out.json").exists()


def test_a_writable_save_path_is_left_as_it_was_until_the_interview_saves(spawn, tmp_path):
    """The check neither creates the file nor empties one that is there."""
    kept = tmp_path / "earlier.json"
    kept.write_text("{}\n", encoding="utf-8")
    t = spawn("--save", str(kept))
    t.wait("Do you want to start?")
    assert kept.read_text(encoding="utf-8") == "{}\n"
    t.child.terminate(force=True)
    fresh = tmp_path / "fresh.json"
    t = spawn("--save", str(fresh))
    t.wait("Do you want to start?")
    assert not fresh.exists()
    t.child.terminate(force=True)


def test_version_prints_the_program_and_its_version(spawn):
    from importlib.metadata import version

    t = spawn("--version")
    assert ended(t) == 0
    assert t.text.strip() == f"triage (calcitriage) {version('calcitriage')}"


def test_every_option_of_run_and_questions_says_what_it_does(cli):
    says = {"run": "--format {text,json,fhir,cds-card} text for people to read (the default), json for programs, "
                   "fhir for a FHIR R4 Bundle, cds-card for a CDS Hooks card (docs/fhir.md)",
            "questions": "--format {text,json,fhir} text for people to read (the default), json for programs, or fhir "
                         "for a FHIR R4 Questionnaire (docs/fhir.md)"}
    for command, text in says.items():
        out = " ".join(cli(command, "--help").out.split())
        assert text in out, command
