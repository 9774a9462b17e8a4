"""Record on a stack, replay in the gate: the answers a stack's tiers gave come back from the mocks.

Here the recording is made from the local stack (its mock tiers stand in for the owner's models).
Replayed unchanged, AC2 is stored as before; with one tier's recorded answer changed, what
Paperless-ngx stores changes with it, which only the replay can explain.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixtures.corpus import load
from tests.controls.runner import REPO, run_suites

pytestmark = pytest.mark.control
AC1_ONE = "suites/test_ac1_routing.py::test_a_request_for_the_vllm_group_is_served_by_the_vllm_tier"
AC2_VLLM = (
    "suites/test_ac2_classification.py::"
    "test_every_golden_document_is_stored_as_classified_by_the_available_tier[all-tiers-up]"
)


def test_answers_recorded_from_a_stack_are_replayed_by_the_mock_tiers(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    first = run_suites([AC1_ONE, "--record-answers", str(answers)], REPO / "manifests", tmp_path / "rec")
    assert first.returncode == 0 and answers.is_file(), first.output[-3000:]
    data = json.loads(answers.read_text())
    documents = len(load().documents)
    assert len(data["answers"]) == 3 * documents and {a["status"] for a in data["answers"]} == {200}
    assert {a["tier"] for a in data["answers"]} == {"vllm", "ollama", "openai"}

    for entry in data["answers"]:  # the owner's vLLM titles every invoice its own way
        if entry["tier"] == "vllm":
            answer = json.loads(entry["content"])
            entry["content"] = json.dumps({**answer, "title": f"Replayed: {answer['title']}"[:120]})
    answers.write_text(json.dumps(data))
    second = run_suites(
        [AC2_VLLM, "--replay-answers", str(answers)],
        REPO / "manifests",
        tmp_path / "rep",
    )

    (outcome,) = second.outcomes.values()
    assert outcome.result == "failed", second.output[-3000:]
    assert f"{documents} of {documents} documents stored wrongly" in outcome.message
    assert "stored 'Replayed: " in outcome.message, outcome.message[:2000]
