"""An unexpected failure in the terminal interview still leaves the person with the emergency advice."""

from __future__ import annotations

from triage.frontends.interview import Interview
from triage.texts import emergency_notice


def test_a_crash_inside_the_interview_shows_the_emergency_notice_and_no_traceback(cli, monkeypatch, real_kb):
    def broken(self):  # type: ignore[no-untyped-def]
        raise RuntimeError("simulated failure inside a session")

    monkeypatch.setattr(Interview, "run", broken)
    result = cli("interview", "--plain", stdin="1\n")
    assert result.code == 1
    assert "Something went wrong and the questions cannot go on." in result.out
    assert " ".join(emergency_notice(real_kb.emergency_signs).split()) in " ".join(result.out.split())
    assert "Traceback" not in result.out + result.err
    assert "simulated failure" not in result.out + result.err
