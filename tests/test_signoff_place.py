"""Issue 14, item 12: after the quick start's `pip install .`, `triage rules approve` from the project folder
wrote into the installed package, not the project's rules/reviews.yaml.

A sign-off without --rules is now refused when the built-in rules are a copy an installer put there (in
site-packages, or inside the package): one line naming where they are and the --rules to use, exit 2,
nothing written anywhere. A source checkout, whose built-in rules ARE its rules/ folder, signs off as before.
The installed copy is played by a copy of rules/ inside a folder laid out as a virtual environment's
site-packages; nothing is pip-installed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import triage.knowledge.load
import triage.knowledge.paths
from triage.knowledge.load import builtin_rules_dir

REVIEWER = ("--reviewer", "Dr A. Smith")
DECISIONS = {
    "approve": ("rules", "approve", "lungs.tb_history", *REVIEWER, "--role", "pulmonologist"),
    "reject": ("rules", "reject", "lungs.tb_history", *REVIEWER, "--role", "pulmonologist", "--comment", "too vague"),
    "revoke": ("rules", "revoke", "lungs.tb_history", *REVIEWER, "--comment", "signed the wrong rule"),
}
INSTALLED = "error: {rules}: these are the built-in rules, installed with the program; nothing was recorded (it " \
            "would be lost at the next install). "


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def builtin_at(monkeypatch):
    """Make the program's built-in rules a copy of rules/ at `folder` (for the loader and for the check)."""

    def place(folder: Path) -> Path:
        shutil.copytree(builtin_rules_dir(), folder)
        for module in (triage.knowledge.paths, triage.knowledge.load):  # load.py imported the function by name
            monkeypatch.setattr(module, "builtin_rules_dir", lambda: folder)
        return folder

    return place


@pytest.fixture
def installed(tmp_path, builtin_at) -> Path:
    """The built-in rules as `pip install .` leaves them: inside the package, in a venv's site-packages."""
    return builtin_at(tmp_path / "venv" / "lib" / "python3.11" / "site-packages" / "triage" / "rules")


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """The project folder a clinician works in, with its rules/ working copy; the current directory."""
    folder = tmp_path / "calcitriage"
    shutil.copytree(builtin_rules_dir(), folder / "rules")
    monkeypatch.chdir(folder)
    return folder


@pytest.mark.parametrize("decision", DECISIONS)
def test_a_decision_without_rules_from_the_project_folder_is_refused_and_names_rules_rules(
        cli, installed, project, decision):
    before = files_of(installed), files_of(project)
    result = cli(*DECISIONS[decision])
    assert (result.code, result.out) == (2, "")
    assert result.err == INSTALLED.format(rules=installed) + \
        "To sign off the working copy in this folder, add --rules rules\n"
    assert (files_of(installed), files_of(project)) == before


def test_from_another_folder_the_refusal_says_to_give_the_working_copy_with_rules_dir(
        cli, installed, tmp_path, monkeypatch):
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    before = files_of(installed)
    result = cli(*DECISIONS["reject"])
    assert (result.code, result.out) == (2, "")
    assert result.err == INSTALLED.format(rules=installed) + \
        "Sign off your working copy of the rules: add --rules DIR, the folder that holds its knowledge.yaml\n"
    assert files_of(installed) == before and list(elsewhere.iterdir()) == []


def test_with_rules_rules_the_working_copy_is_signed_off_even_after_an_install(cli, installed, project):
    before = files_of(installed)
    result = cli(*DECISIONS["reject"], "--rules", "rules")
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == "Recorded 1 decision(s) in rules/reviews.yaml"
    assert "too vague" in (project / "rules" / "reviews.yaml").read_text(encoding="utf-8")
    assert files_of(installed) == before


def test_a_source_checkout_signs_off_its_own_rules_folder_without_rules(cli, builtin_at, tmp_path):
    """An editable install or a checkout: the built-in rules are the project's rules/, and it works as before."""
    checkout = builtin_at(tmp_path / "calcitriage" / "rules")
    result = cli(*DECISIONS["reject"])
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == f"Recorded 1 decision(s) in {checkout}/reviews.yaml"
    assert "too vague" in (checkout / "reviews.yaml").read_text(encoding="utf-8")


def test_installed_copies_are_told_by_their_place_not_by_their_name(tmp_path):
    import sysconfig

    from triage.knowledge.paths import is_installed_copy

    assert not is_installed_copy(Path(__file__).resolve().parent.parent / "rules")  # this checkout's rules/
    assert not is_installed_copy(tmp_path / "rules")
    assert is_installed_copy(tmp_path / "venv" / "lib" / "python3.12" / "site-packages" / "triage" / "rules")
    assert is_installed_copy(Path("/usr/lib/python3/dist-packages/triage/rules"))
    assert is_installed_copy(Path(sysconfig.get_path("purelib")) / "triage" / "rules")
    assert is_installed_copy(Path(triage.knowledge.paths.__file__).parent.parent / "rules")  # where a wheel puts them
