"""The kiosk's fixed screens as text: welcome, reading pages, the safe screen, the staff summary.

Pure: values in, strings out. The wording a person sees on the kiosk, apart from the interview's, is here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from triage.frontends.kiosk.config import KioskConfig
from triage.frontends.kiosk.staff import Verdict
from triage.knowledge.reading import Reading, ReadingPage
from triage.model import KnowledgeBase
from triage.render.layout import fill, heading, rule
from triage.texts import emergency_notice, plain_list, ui


def emergency_line(config: KioskConfig) -> str:
    return fill(ui("kiosk.emergency_number", number=config.emergency_number))


def welcome_text(kb: KnowledgeBase, config: KioskConfig) -> str:
    title = ui("kiosk.welcome_to", clinic=config.clinic_name) if config.clinic_name else ui("kiosk.welcome")
    return "\n".join([
        heading(title), "",
        fill(ui("kiosk.welcome_text")), "",
        fill(emergency_notice(kb.emergency_signs)), emergency_line(config), "",
    ])


def larger_window_text(kb: KnowledgeBase, config: KioskConfig, columns: int, rows: int) -> str:
    """While the window is too small to use: ask for a larger one, and keep the emergency signs in view."""
    return "\n".join([ui("kiosk.window_too_small", columns=columns, rows=rows), "",
                      " ".join(emergency_notice(kb.emergency_signs).split()),
                      ui("kiosk.emergency_number", number=config.emergency_number)])


def kiosk_notices(config: KioskConfig) -> tuple[str, ...]:
    """Shown on the interview's opening screen, under its own texts."""
    minutes = config.idle_timeout / 60
    idle = (ui("kiosk.idle_minutes", minutes=f"{minutes:g}") if minutes >= 1
            else ui("kiosk.idle_seconds", seconds=f"{config.idle_timeout:g}"))
    return (ui("kiosk.emergency_number_notice", number=config.emergency_number), ui("kiosk.not_saved", idle=idle))


def page_text(reading: Reading, page: ReadingPage) -> str:
    lines = [heading(page.title), ""]
    for paragraph in page.paragraphs:
        if paragraph.label:
            lines.append(fill(f"{paragraph.label}: {paragraph.text}", "- ", "  "))
        else:
            lines += [fill(paragraph.text), ""]
    if lines[-1]:
        lines.append("")
    lines += [rule("-"), fill(reading.closing)]
    return "\n".join(lines)


def safe_text(kb: KnowledgeBase, config: KioskConfig) -> str:
    """The fixed screen after anything unexpected: no detail, no traceback; the red flags' signs."""
    return "\n".join([
        heading(ui("kiosk.safe_heading")), "",
        fill(ui("kiosk.safe_staff")), "",
        fill(ui("kiosk.safe_emergency", signs=plain_list(kb.emergency_signs), number=config.emergency_number)
             if kb.emergency_signs else ui("kiosk.safe_emergency_without_signs", number=config.emergency_number)), "",
        fill(ui("safety_net.talk_to_doctor")), "",
        fill(ui("kiosk.safe_cleared")), "",
    ])


def end_text(config: KioskConfig) -> str:
    return ui("kiosk.end", number=config.emergency_number)


def staff_text(kb: KnowledgeBase, counts: Mapping[str, Counter[str]] | None, disagreements: int = 0,
               wrong_codes: int = 0) -> str:
    """What staff see when they stop the kiosk: results by day, how often the second opinion disagreed, and
    how many wrong staff codes were typed (someone guessing shows here)."""
    lines = [heading(ui("staff.stopped_heading")), "", fill(ui("staff.wrong_codes", count=wrong_codes)), ""]
    if disagreements:
        lines += [fill(ui("safety_net.staff_disagreements", count=disagreements)), ""]
    if counts is None:
        lines.append(ui("staff.not_counting"))
    elif not counts:
        lines.append(ui("staff.no_results"))
    else:
        lines.append(ui("staff.results"))
        for day, counter in sorted(counts.items()):
            parts = ", ".join(f"{u.label} {counter.get(u.id, 0)}" for u in kb.urgency_levels)
            lines.append(f"  {day}: {parts}")
    return "\n".join(lines + [""])


def staff_wait_text(state: Verdict, seconds: float) -> str:
    """Above the staff code prompt while codes are not checked: why, and for how long."""
    seconds = max(1, round(seconds))
    left = ui("staff.minutes", count=-(-seconds // 60)) if seconds > 90 else ui("staff.seconds", count=seconds)
    return fill(ui("staff.locked", left=left) if state is Verdict.LOCKED else ui("staff.wait", left=left))
