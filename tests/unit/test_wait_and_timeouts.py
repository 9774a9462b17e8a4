"""The one waiting primitive and the named timeouts."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fixtures.core.errors import ComponentError, OptionError, WaitTimeout
from fixtures.core.options import Options
from fixtures.core.timeouts import DEPRECATED_TIMEOUT, Timeouts, seconds_option, timeout_option
from fixtures.core.wait import wait_for
from fixtures.report.run_folder import keep_count


def test_wait_for_returns_the_first_truthy_value() -> None:
    values = iter([None, 0, "ready"])
    assert wait_for(lambda: next(values), timeout=2, what="x", interval=0.01) == "ready"


def test_a_failed_read_means_not_yet() -> None:
    calls = []

    def flaky() -> bool:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("refused")
        return True

    assert wait_for(flaky, timeout=2, what="x", interval=0.01) is True


def test_a_timeout_says_what_was_awaited_and_the_last_state_seen() -> None:
    def refused() -> bool:
        raise ConnectionError("connection refused")

    with pytest.raises(
        WaitTimeout, match=r"waiting for the vllm tier: not reached within 0.2 s.*refused"
    ) as info:
        wait_for(refused, timeout=0.2, what="the vllm tier", interval=0.05, diagnostics=lambda: "LOG TAIL")
    assert "LOG TAIL" in str(info.value)


def test_a_harness_error_ends_the_wait_at_once() -> None:
    started = time.monotonic()

    def died() -> bool:
        raise ComponentError("LiteLLM", "exited with code 1", "Traceback: boom")

    with pytest.raises(ComponentError, match="exited with code 1"):
        wait_for(died, timeout=10, what="LiteLLM")
    assert time.monotonic() - started < 1


def test_timeouts_take_overrides_by_name() -> None:
    assert Timeouts.from_options(["startup=5", "request=1.5"]) == Timeouts(startup=5, request=1.5)


@pytest.mark.parametrize(
    "bad", ["startup", "nap=3", "request=soon", "request=-1", "startup=nan", "startup=inf", "settle=-5"]
)
def test_a_bad_timeout_override_names_the_option(bad: str) -> None:
    with pytest.raises(OptionError, match=r"--stack-timeout"):
        Timeouts.from_options([bad])


@pytest.mark.parametrize(
    ("option", "value"),
    [("--stack-timeout", "startup=nan"), ("--stack-timeout", "request=inf"), ("--cold-start-budget", "-5"),
     ("--cold-start-budget", "nan"), ("--keep-reports", "0")],
)  # fmt: skip
def test_a_number_an_option_cannot_use_is_a_usage_error_naming_the_option(option: str, value: str) -> None:
    parser = argparse.ArgumentParser(exit_on_error=False)
    parser.add_argument("--stack-timeout", type=timeout_option)
    parser.add_argument("--cold-start-budget", type=seconds_option)
    parser.add_argument("--keep-reports", type=keep_count)

    with pytest.raises(argparse.ArgumentError, match=f"argument {option}: .*{value.split('=')[-1]}"):
        parser.parse_args([f"{option}={value}"])


def test_the_first_spelling_timeout_still_overrides_with_a_deprecation_warning(tmp_path: Path) -> None:
    given = Options(deprecated_timeout=("request=7", "startup=1"), stack_timeout=("startup=5",))
    assert given.timeouts == Timeouts(startup=5, request=7), "--stack-timeout wins over --timeout"

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "suites", "-m", "lint", "-q", "-p", "no:cacheprovider",
         "--timeout", "request=7", "--reports", str(tmp_path), "--allure-html", "off", "--collect-only"],
        cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert DEPRECATED_TIMEOUT in done.stdout + done.stderr
