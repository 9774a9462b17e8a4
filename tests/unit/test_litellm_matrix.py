"""The LiteLLM upgrade gate reads each release's run back into one row, and a release that does not
install is a row saying why, not a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixtures.litellm.upgrade_gate import release as litellm_release
from fixtures.litellm.upgrade_gate.matrix import Row, _read, table

JUNIT = """<testsuites><testsuite>
<testcase name="test_a"/>
<testcase name="test_b"><failure message="AssertionError: agent AsyncOpenAI/Python 1.0">x</failure></testcase>
<testcase name="test_c"><skipped message="needs a real Ollama"/></testcase>
</testsuite></testsuites>"""


def test_a_run_folder_becomes_one_row_with_counts_p95_recovery_and_the_first_failure(tmp_path: Path) -> None:
    (tmp_path / "junit.xml").write_text(JUNIT)
    (tmp_path / "failover.json").write_text(
        json.dumps({"modes": {"hung": {"p95_s": 3.2}, "scaled_to_0": {"p95_s": 0.3}}})
    )
    figures = {
        "traffic_back_on_vllm_after_restore_s": 0.51,
        "litellm_routing_headers_in_gaming_mode": {
            "x-litellm-model-id": "o",
            "x-litellm-attempted-fallbacks": None,
        },
        "litellm_fallback_placement": {"when_both_set": "router_settings"},
    }
    (tmp_path / "figures.json").write_text(json.dumps(figures))
    (tmp_path / "components.json").write_text(
        json.dumps({"components": [{"name": "LiteLLM proxy", "version": "1.80.17"}]})
    )
    row = Row("1.80.17", installable=True)

    _read(tmp_path, row)

    assert (row.passed, row.failed, row.errors, row.skipped) == (1, 1, 0, 1)
    assert row.p95_s == {"scaled_to_0": 0.3, "hung": 3.2, "error_503": None} and row.back_on_vllm_s == 0.51
    assert (
        row.first_failure == "test_b: AssertionError: agent AsyncOpenAI/Python 1.0" and row.ran == "1.80.17"
    )
    assert row.verdict == "FAIL"
    assert row.headers_sent == ["model-id"] and row.fallbacks_when_both == "router_settings"
    line = (
        "| 1.80.17 | yes | FAIL | 1 / 1 / 0 / 1 | 0.30 / 3.20 / - | 0.51 | model-id | router_settings "
        "| test_b:"
    )
    assert line in table([row])


def test_a_run_without_junit_is_no_result_not_a_pass(tmp_path: Path) -> None:
    row = Row("1.90.7", installable=True)
    _read(tmp_path, row)
    assert row.verdict == "no result" and "no junit.xml" in row.reason


def test_a_release_that_does_not_exist_is_not_installable_with_the_installers_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    with pytest.raises(litellm_release.NotInstallable) as caught:
        litellm_release.install("0.0.0.dev0")

    assert caught.value.reason and "litellm[proxy]==0.0.0.dev0 is not installable" in str(caught.value)
    assert not litellm_release.install_dir("0.0.0.dev0").exists(), "half an install must not stay behind"
    row = Row("0.0.0.dev0", installable=False, reason=caught.value.reason)
    assert row.verdict == "not installable" and "| 0.0.0.dev0 | no | not installable | - |" in table([row])


def test_every_release_gets_prisma_at_the_harness_pin_as_the_image_has_it() -> None:
    """Without prisma a request with no key gets 500, not 401: measured on 1.100.5 and 1.108.7."""
    pins = litellm_release.companions()
    assert len(pins) == 1 and pins[0].startswith("prisma==")


def test_the_gate_finds_the_repository_it_runs_the_suites_of() -> None:
    """A path off by one folder (the modules moved into upgrade_gate/) fails only in a real matrix run."""
    from fixtures.litellm.upgrade_gate import matrix

    assert (matrix.REPO / "isolated").is_file() and (matrix.REPO / "suites").is_dir()
    assert litellm_release.REQUIREMENTS.is_file()
