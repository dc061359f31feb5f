"""The kiosk's keyboard reader and prompt guard without a terminal (issue 15, items 1-4).

Keys a keyboard sends come out as stock prompt_toolkit reads them (a differential test against its parser);
paste and mouse reports, cursor-position replies, unknown sequences and bytes that are not UTF-8 come out as
nothing. The same in a real terminal: tests/test_kiosk_input.py.
"""

from __future__ import annotations

import string

import pytest
from prompt_toolkit.application import Application
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.input.ansi_escape_sequences import ANSI_SEQUENCES
from prompt_toolkit.input.vt100_parser import Vt100Parser
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.key_binding.key_processor import KeyPress
from prompt_toolkit.layout import Layout, Window
from prompt_toolkit.layout.controls import FormattedTextControl
from prompt_toolkit.output import DummyOutput

from triage.frontends.kiosk.keys import NOT_KEYS, KeyReader
from triage.frontends.kiosk.screen import MAX_TYPED, Guard, PromptFailure, Screen, code_session


def stock(text: str) -> list[tuple[str, str]]:
    keys: list[KeyPress] = []
    Vt100Parser(keys.append).feed_and_flush(text)
    return [(k.key, k.data) for k in keys]


def ours(*parts: str) -> list[tuple[str, str]]:
    reader = KeyReader()
    keys = [k for part in parts for k in reader.feed(part)] + reader.flush()
    return [(k.key, k.data) for k in keys]


def not_utf8(raw: bytes) -> str:
    """What the terminal input makes of bytes that are not UTF-8 (prompt_toolkit decodes with surrogateescape)."""
    return raw.decode("utf-8", errors="surrogateescape")


KEYBOARD = sorted(s for s, key in ANSI_SEQUENCES.items() if key not in NOT_KEYS)


@pytest.mark.parametrize("typed", KEYBOARD + list(string.printable) + ["é", "€", "日本", "\x1bx", "\x1b\x1b"])
def test_a_key_comes_out_as_stock_prompt_toolkit_reads_it(typed):
    assert ours(typed) == stock(typed)


def test_a_whole_line_of_keys_comes_out_as_stock_prompt_toolkit_reads_it():
    typed = "".join(KEYBOARD) + string.printable + "é"
    assert ours(typed) == stock(typed)


@pytest.mark.parametrize("noise", [
    "\x1b[200~", "\x1b[201~",  # bracketed paste start and end
    "\x1b[M~!!", "\x1b[M   ", "\x1b[<0;12;5M", "\x1b[<64;1;1m", "\x1b[32;5;5M",  # mouse reports
    "\x1b[24;80R",  # a cursor-position reply
    "\x1b[99z", "\x1b[?1049h", "\x1b[1;2;3;4;5;6;7;8;9X", "\x1bOz", "\x1b[[Z",  # unknown sequences
    "\x1b[" + "1" * 500 + "A",  # an arrow with a number no terminal sends
    not_utf8(b"\xe9"), not_utf8(b"\xff\xfe"), not_utf8(b"\xed\xa0\x80"), "\x85",  # not UTF-8; a C1 control
])
def test_what_is_not_a_key_comes_out_as_nothing_and_the_next_key_counts(noise):
    assert ours(noise) == []
    assert ours(noise, "a") == [("a", "a")]


def test_a_paste_start_typed_slowly_is_nothing_and_locks_no_key():
    assert ours("\x1b", "[", "2", "0", "0", "~", "b", "\r") == [("b", "b"), ("c-m", "\r")]


def test_a_sequence_broken_off_by_a_key_is_dropped_and_the_key_counts():
    assert ours("\x1b[12", "\r") == [("c-m", "\r")]
    assert ours("\x1b[", "\x18\x05") == [("c-x", "\x18"), ("c-e", "\x05")]  # the staff chord gets through


def test_a_lone_escape_is_the_escape_key_once_nothing_follows():
    assert ours("\x1b") == [("escape", "\x1b")]


def test_reset_forgets_a_half_typed_sequence():
    reader = KeyReader()
    assert reader.feed("\x1b[20") == []
    reader.reset()
    assert reader.feed("0~a") == [KeyPress("0", "0"), KeyPress("~", "~"), KeyPress("a", "a")]


def test_a_failure_inside_a_prompt_ends_it_with_prompt_failure_and_prints_nothing(capfd):
    """prompt_toolkit would print 'Unhandled exception in event loop' and wait for Enter, with no timer."""
    kb = KeyBindings()

    @kb.add("x")
    def broken(event):
        raise ZeroDivisionError("a key binding that fails")

    with create_pipe_input() as pipe:
        app: Application[None] = Application(layout=Layout(Window(FormattedTextControl("?"))), key_bindings=kb,
                                              input=pipe, output=DummyOutput())
        Guard(timeout=30, warning=10).prepare(app)
        pipe.send_text("x")
        with pytest.raises(PromptFailure) as info:
            app.run()
    assert isinstance(info.value.__cause__, ZeroDivisionError)
    shown = capfd.readouterr()
    assert "Unhandled exception" not in shown.out + shown.err and "Press ENTER" not in shown.out + shown.err


def test_the_staff_code_prompt_keeps_at_most_max_typed_characters_and_enter_still_works():
    with create_pipe_input() as pipe:
        session = code_session(Screen(pt_input=pipe, pt_output=DummyOutput()))
        pipe.send_text("7" * 5000 + "\x7f" + "\r")  # then Backspace and Enter, which still work
        assert session.prompt() == "7" * (MAX_TYPED - 1)
