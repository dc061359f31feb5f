"""Knowledge bases for a test: a tiny one written inline (TinyKB) and changed copies of the real one.

A test that is about one kind of mistake starts from TINY_FILES, changes one file with `tiny.replace`,
`tiny.append` or `tiny.write`, and loads it. `rules_copy` changes a copy of the built-in rules/ folder.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from triage.errors import KnowledgeBaseError, Problem
from triage.knowledge.load import builtin_rules_dir, load_knowledge
from triage.model import KnowledgeBase


def _dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# --- a tiny, valid knowledge base ------------------------------------------------------------------------

TINY_FILES: dict[str, str] = {
    "knowledge.yaml": _dedent("""
        name: tiny test knowledge base
        version: 9.9.9
        disclaimer: This is not a diagnosis and does not replace a doctor.
        about: A short questionnaire that helps you prepare for a talk with a doctor.
        urgency_levels:
          - {id: emergency, label: Emergency, timeframe: now, advice: Call the emergency number now.}
          - {id: urgent, label: Urgent, timeframe: within 24 hours, advice: See a doctor within 24 hours.}
          - {id: soon, label: Soon, timeframe: within two weeks, advice: See a doctor within two weeks.}
          - {id: routine, label: Routine, timeframe: at a planned visit,
             advice: Mention it at your next visit.}
        doctors:
          - {id: emergency_services, name: emergency services}
          - {id: gp, name: a family doctor}
          - {id: lung_doctor, name: a lung specialist}
          - {id: kidney_doctor, name: a kidney specialist}
        referral:
          several_doctors: gp
        sources:
          - {id: leaflet, title: The leaflet}
          - {id: safety, title: Emergency practice}
        """),
    "questions.yaml": _dedent("""
        - id: chest_pain
          topic: safety
          red_flag: true
          emergency_sign: you feel pain in your chest
          text: Is there pain or pressure in your chest right now?
          type: yes_no_unsure

        - id: sex
          topic: about_you
          text: What is your sex?
          type: single_choice
          options:
            - {id: male, label: Male}
            - {id: female, label: Female}

        - id: cough
          topic: lungs
          text: Do you cough often?
          type: yes_no_unsure

        - id: cough_blood
          topic: lungs
          text: Is there blood when you cough?
          type: yes_no
          ask_when: {question: cough, is: [yes, not_sure]}

        - id: past
          topic: general
          text: Were you ever treated for any of these?
          type: multiple_choice
          options:
            - {id: kidney_infection, label: A kidney infection}
            - {id: prostatitis, label: An inflamed prostate, ask_when: {question: sex, is: male}}
        """),
    "sections.yaml": _dedent("""
        - id: general
          title: What deposits are
          organ: false
          doctor: gp
          education: {what: Spots of calcium., causes: Old inflammation., signs: Tiredness.,
                      examination: An X-ray., next: A talk with a doctor.}

        - id: lungs
          title: Deposits in the lungs
          doctor: lung_doctor
          education: {what: Spots in the lungs., causes: Old infections., signs: Coughing.,
                      examination: A chest X-ray., next: Check-ups.}

        - id: kidneys
          title: Deposits in the kidneys
          doctor: kidney_doctor
          education: {what: Spots in the kidneys., causes: Old infections., signs: Less urine.,
                      examination: An ultrasound., next: Check-ups.}
        """),
    "workups.yaml": _dedent("""
        - {id: xray, name: X-ray, purpose: Shows deposits as dense spots.}
        - {id: calcium_blood, name: Blood test for calcium,
           purpose: Shows whether the blood holds too much calcium.}
        """),
    "findings.yaml": _dedent("""
        - {id: suspected, description: Deposits are worth looking for.}
        """),
    "advice.yaml": _dedent("""
        - {id: checkups, text: Keep your planned check-ups.}
        """),
    # Each rule ends with what it rests on (cites or reference), written where a blank line stood, so
    # that the line numbers tests name stayed as they were before sources had to be given.
    "rules/x.yaml": _dedent("""
        - id: baseline
          statement: Everyone may talk about their answers with a family doctor.
          source: leaflet
          when: {always: true}
          then: {referral: {to: gp, urgency: routine}}
          cites: [intro.1]
        - id: safety.chest_pain_yes
          statement: Chest pain right now needs emergency help.
          source: safety
          when: {question: chest_pain, is: yes}
          then: {referral: {to: emergency_services, urgency: emergency}}
          reference: a widely accepted emergency sign
        - id: safety.chest_pain_not_sure
          statement: Being unsure about chest pain means a doctor within 24 hours.
          source: safety
          when: {question: chest_pain, is: not_sure}
          then: {referral: {to: gp, urgency: urgent}}
          reference: a widely accepted emergency sign
        - id: lungs.cough
          statement: A frequent cough relates to the lungs section.
          source: leaflet
          when: {question: cough, is: yes}
          then: {concern: lungs}
          cites: [intro.1]
        - id: lungs.cough_blood
          statement: Blood when coughing means a lung specialist within 24 hours.
          source: leaflet
          when: {question: cough_blood, is: yes}
          then: {referral: {to: lung_doctor, urgency: urgent}}
          cites: [intro.1]
        - id: kidneys.past_infection
          statement: A past kidney infection relates to the kidneys section.
          source: leaflet
          when: {question: past, includes: kidney_infection}
          then: {concern: kidneys}
          cites: [intro.1]
        - id: referral.lungs
          statement: Answers about the lungs mean a lung specialist soon.
          source: leaflet
          when: {concern: lungs}
          then: {referral: {to: lung_doctor, urgency: soon}}
          cites: [intro.1]
        - id: referral.kidneys
          statement: Answers about the kidneys mean a kidney specialist soon.
          source: leaflet
          when: {concern: kidneys}
          then: {referral: {to: kidney_doctor, urgency: soon}}
          cites: [intro.1]
        - id: suspected
          statement: Answers about an organ make deposits there worth looking for.
          source: leaflet
          when: {any: [{concern: lungs}, {concern: kidneys}]}
          then: {finding: suspected}
          cites: [intro.1]
        - id: workups.xray
          statement: Deposits worth looking for make an X-ray worth considering.
          source: leaflet
          when: {finding: suspected}
          then: {workup: xray, reason: An X-ray is the usual way to look for deposits.}
          cites: [intro.1]
        - id: workups.calcium
          statement: Concerns about two organs make a calcium blood test worth considering.
          source: leaflet
          when: {organ_concerns_at_least: 2}
          then: {workup: calcium_blood, reason: Your answers relate to more than one organ.}
          cites: [intro.1]
        - id: advice.checkups
          statement: Everyone is reminded of planned check-ups.
          source: leaflet
          when: {always: true}
          then: {advice: checkups}
          cites: [intro.1]
        """),
}


class TinyKB:
    """A rules folder `kb` written from TINY_FILES into the test's own directory (the current one, so
    that messages read as they would after `triage ... --rules kb`), with files changed by the test."""

    label = "kb"

    def __init__(self, directory: Path):
        self.path = directory / self.label
        self.files = dict(TINY_FILES)

    def write(self, name: str, text: str | None) -> TinyKB:
        """Replace a whole file (None removes it)."""
        if text is None:
            self.files.pop(name, None)
        else:
            self.files[name] = _dedent(text)
        return self

    def replace(self, name: str, old: str, new: str, count: int = 1) -> TinyKB:
        """Change `old` into `new` in one file; fails loudly when `old` is not there (no silent no-op)."""
        assert old in self.files[name], f"{old!r} is not in the tiny {name}"
        self.files[name] = self.files[name].replace(old, new, count)
        return self

    def append(self, name: str, text: str) -> TinyKB:
        self.files[name] = self.files.get(name, "") + "\n" + _dedent(text)
        return self

    def save(self) -> str:
        """Write the folder; returns its name as given to --rules."""
        if self.path.exists():
            for old in sorted(self.path.rglob("*"), reverse=True):
                old.unlink() if old.is_file() else old.rmdir()
        for name, text in self.files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return self.label

    def load(self) -> KnowledgeBase:
        return load_knowledge(self.save())

    def problems(self) -> list[Problem]:
        """The problems loading reports; the test fails if the folder loads without any."""
        with pytest.raises(KnowledgeBaseError) as info:
            self.load()
        return info.value.problems

    def messages(self) -> list[str]:
        return [str(p) for p in self.problems()]


# --- changed copies of the real knowledge base -----------------------------------------------------------

REFUSAL = ("error: triage: refusing to start: {n} of {total} golden cases fail on this knowledge base; "
           "run 'triage rules test' for details")


def rules_copy(tmp_path: Path, changes: dict[str, tuple[str, str]]) -> Path:
    """A copy of the built-in rules with `old` replaced by `new` in some files (relative paths)."""
    target = tmp_path / "rules"
    shutil.copytree(builtin_rules_dir(), target)
    for name, (old, new) in changes.items():
        text = (target / name).read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {name}"
        (target / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def case_count() -> int:
    return len(load_knowledge().cases)
