"""The kiosk's fixed screens as text: welcome, reading pages, the safe screen, the staff summary.

Pure: values in, strings out. The wording a person sees on the kiosk, apart from the interview's, is here.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Mapping

from triage.frontends.kiosk.config import KioskConfig
from triage.model import KnowledgeBase
from triage.knowledge.reading import Reading, ReadingPage

WIDTH = 78


def _fill(text: str, first: str = "", rest: str = "") -> str:
    return textwrap.fill(" ".join(text.split()), WIDTH, initial_indent=first, subsequent_indent=rest)


def _heading(title: str) -> str:
    return f"{title}\n{'=' * len(title)}"


def emergency_line(config: KioskConfig) -> str:
    return _fill(f"Emergency number: {config.emergency_number}")


def welcome_text(kb: KnowledgeBase, config: KioskConfig) -> str:
    title = f"Welcome to {config.clinic_name}" if config.clinic_name else "Welcome"
    return "\n".join([
        _heading(title), "",
        _fill("Here you can answer a few questions to prepare for a talk with a doctor about calcifications, "
              "or read about them. Nothing you do here is saved."), "",
        _fill(kb.emergency_notice), emergency_line(config), "",
    ])


def kiosk_notices(config: KioskConfig) -> tuple[str, ...]:
    """Shown on the interview's opening screen, under its own texts."""
    minutes = config.idle_timeout / 60
    idle = f"{minutes:g} minutes" if minutes >= 1 else f"{config.idle_timeout:g} seconds"
    return (f"Emergency number: {config.emergency_number}.",
            f"Your answers are not saved. When you finish, or after {idle} without a key, the screen is "
            "cleared and your answers are forgotten.")


def page_text(reading: Reading, page: ReadingPage) -> str:
    lines = [_heading(page.title), ""]
    for paragraph in page.paragraphs:
        if paragraph.label:
            lines.append(_fill(f"{paragraph.label}: {paragraph.text}", "- ", "  "))
        else:
            lines += [_fill(paragraph.text), ""]
    if lines[-1]:
        lines.append("")
    lines += ["-" * WIDTH, _fill(reading.closing)]
    return "\n".join(lines)


def safe_text(config: KioskConfig) -> str:
    """The fixed screen after anything unexpected: no detail, no traceback."""
    return "\n".join([
        _heading("Sorry, something went wrong"), "",
        _fill("This screen cannot go on. Please talk to the staff at the desk."), "",
        _fill(f"If you have chest pain, vomit blood, have blue lips or cannot breathe, call "
              f"{config.emergency_number} now."), "",
        _fill("Your answers were not saved and have been cleared."), "",
    ])


def end_text(config: KioskConfig) -> str:
    return f"Emergency number: {config.emergency_number}. Press any key when you have read this; " \
           "the screen will then be cleared."


def staff_text(kb: KnowledgeBase, counts: Mapping[str, Counter[str]] | None) -> str:
    lines = [_heading("The kiosk was stopped by staff"), ""]
    if counts is None:
        lines.append("Session counting is off (count_sessions in the configuration).")
    elif not counts:
        lines.append("No results were shown since the kiosk started.")
    else:
        lines.append("Results shown since the kiosk started, by day and urgency (kept in memory only):")
        for day, counter in sorted(counts.items()):
            parts = ", ".join(f"{u.label} {counter.get(u.id, 0)}" for u in kb.urgency_levels)
            lines.append(f"  {day}: {parts}")
    return "\n".join(lines + [""])
