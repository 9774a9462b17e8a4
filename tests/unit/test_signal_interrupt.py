"""SIGTERM (a CI runner cancelling the job) becomes a ``SignalInterrupt``, a KeyboardInterrupt that
carries its signal: pytest unwinds as for Ctrl-C, and the report reads which signal from the exception
itself, never from its message (which redaction may rewrite)."""

from __future__ import annotations

import pickle
import signal

import pytest

from fixtures.core.errors import SignalInterrupt
from fixtures.plugin import _interrupt
from fixtures.report.hooks import RunState, SessionHooks


def test_the_handler_raises_a_keyboard_interrupt_that_carries_its_signal() -> None:
    with pytest.raises(SignalInterrupt) as raised:
        _interrupt(signal.SIGTERM.value, None)

    assert isinstance(raised.value, KeyboardInterrupt)
    assert raised.value.signal is signal.SIGTERM
    assert pickle.loads(pickle.dumps(raised.value)).signal is signal.SIGTERM


def _interrupted(exc: BaseException) -> RunState:
    state = RunState(running="suites/test_ac1_routing.py::test_x")
    try:
        raise exc  # as pytest's session sees it: raised, with a traceback
    except BaseException:
        SessionHooks(state).pytest_keyboard_interrupt(pytest.ExceptionInfo.from_current())
    return state


def test_the_report_reads_the_signal_from_the_exception_not_its_message() -> None:
    exc = SignalInterrupt(signal.SIGTERM)
    exc.args = ("[REDACTED]",)  # what ``pytest_redact_report`` may do to any exception's text

    state = _interrupted(exc)

    assert state.signal == "SIGTERM"
    assert state.during == "suites/test_ac1_routing.py::test_x"


def test_ctrl_c_still_reads_as_sigint() -> None:
    assert _interrupted(KeyboardInterrupt()).signal == "SIGINT (Ctrl-C)"


def test_pytest_stopping_the_session_itself_is_no_signal() -> None:
    state = _interrupted(pytest.Session.Interrupted("1 error during collection"))

    assert state.signal is None and state.during == ""
