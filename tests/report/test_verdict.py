"""The headline cannot claim more than the run showed (issue 11, problem 1), and the exit status agrees."""

from __future__ import annotations

import json
from pathlib import Path

from fixtures.report import ledger
from fixtures.report.page import markdown, page
from fixtures.report.signoff import (
    CRITERIA,
    INTERRUPTED,
    PARTIAL,
    SIGN_OFF_FAIL,
    SIGN_OFF_PASS,
    Ending,
    NodeOutcome,
    build,
    failing_exit,
)

REAL = {"sign_off_eligible": True, "components": [], "stack": "local"}
CLEAN = {"secrets_checked": ["LiteLLM master key"], "hits": []}


def one_per_criterion(outcome: str = "passed") -> list[NodeOutcome]:
    return [NodeOutcome(f"suites/t.py::test_{c}", outcome, [c]) for c in CRITERIA]


def verdicts(outcomes: list[NodeOutcome], ending: Ending | None = None) -> dict[str, str]:
    return {c.id: c.verdict for c in build(outcomes, REAL, None, {}, ending=ending).criteria}


def test_five_selected_tests_passing_while_the_suites_define_more_is_partial_never_pass() -> None:
    left = [NodeOutcome(f"suites/t.py::test_hung[{n}]", "left out", ["nfr65"]) for n in range(7)]

    signoff = build(one_per_criterion() + left, REAL, None, {}, ending=Ending(secret_scan=CLEAN))

    assert signoff.headline == PARTIAL and "NFR65 7 of 8" in signoff.why
    assert verdicts(one_per_criterion() + left)["nfr65"] == "not proven"


def test_a_lint_failure_is_a_criterion_row_of_its_own_and_fails_the_sign_off() -> None:
    outcomes = [*one_per_criterion(), NodeOutcome("suites/c.py::test_rule[PAI006]", "failed", ["lint"])]

    signoff = build(outcomes, REAL, None, {})

    assert signoff.headline == SIGN_OFF_FAIL and signoff.why == "failed: LINT"
    lint = signoff.criteria[0]
    assert lint.title.startswith("Configuration lint") and lint.verdict == "fail"


def test_a_secret_in_the_reports_fails_a_run_whose_every_criterion_passed() -> None:
    hit = {"secrets_checked": ["LiteLLM master key"], "hits": ["LiteLLM master key in logs/litellm.log"]}

    signoff = build(one_per_criterion(), REAL, None, {}, ending=Ending(exitstatus=1, secret_scan=hit))

    assert signoff.headline == SIGN_OFF_FAIL and "logs/litellm.log" in signoff.why
    assert "SECRETS FOUND" in markdown(signoff) and 'id="secret-scan"' in page(signoff, None)


def test_an_interrupted_run_says_which_signal_and_how_many_tests_did_not_run() -> None:
    ac2 = [NodeOutcome("suites/a.py::t[1]", "passed", ["ac2"])]
    ac2 += [NodeOutcome(f"suites/a.py::t[{n}]", "not run", ["ac2"]) for n in (2, 3)]
    ending = Ending(exitstatus=2, signal="SIGTERM", during="suites/a.py::t[2]")

    signoff = build(one_per_criterion() + ac2, REAL, None, {}, ending=ending)

    assert signoff.headline == f"{INTERRUPTED} (SIGTERM): 2 tests did not run"
    assert "2 of 9 selected tests did not run, stopped during suites/a.py::t[2]" in signoff.why
    assert verdicts(one_per_criterion() + ac2, ending)["ac2"] == "not proven"


def test_pass_only_with_exit_0_and_fail_never_with_exit_0() -> None:
    after_error = build(one_per_criterion(), REAL, None, {}, ending=Ending(exitstatus=3))
    not_run = build(one_per_criterion()[1:], REAL, None, {})

    assert after_error.headline == SIGN_OFF_FAIL and "pytest exited 3" in after_error.why
    assert not_run.headline == SIGN_OFF_FAIL and failing_exit(not_run, 0) == 1
    assert build(one_per_criterion(), REAL, None, {}).headline == SIGN_OFF_PASS


def test_a_failure_outside_the_criteria_keeps_the_headline_from_pass() -> None:
    outcomes = [*one_per_criterion(), NodeOutcome("tests/unit/test_x.py::test_y", "failed", [])]

    assert build(outcomes, REAL, None, {}).headline == SIGN_OFF_FAIL


def test_each_failed_test_shows_its_reason_and_one_broken_input_is_said_once() -> None:
    reason = "Failed: starting the local stack: reading the manifests: x.yaml: binary, not YAML text"
    broken = [NodeOutcome(f"suites/a.py::t[{n}]", "error", ["ac1"], message=reason) for n in range(30)]

    text = markdown(build(broken, REAL, None, {}))

    assert text.count(reason) == 1 and "- 30 tests: " + reason in text


def test_a_killed_run_is_rebuilt_from_outcomes_jsonl_as_incomplete(tmp_path: Path) -> None:
    selected = one_per_criterion("not run")
    ledger.write_selection(tmp_path, selected, [], {"stack": "local"})
    ledger.append(tmp_path, NodeOutcome(selected[0].nodeid, "failed", ["lint"], 0.1, "PAI006 inline"), True)
    (tmp_path / "components.json").write_text(json.dumps(REAL))

    signoff = ledger.write_signoff(tmp_path)

    assert signoff.headline.startswith("INCOMPLETE: the run was killed; rebuilt from outcomes.jsonl")
    assert "1 of 6 selected tests finished" in signoff.why and "failed: LINT" in signoff.why
    assert "PAI006 inline" in (tmp_path / "signoff.md").read_text() and (tmp_path / "signoff.html").is_file()
