"""The README says what the code does: every lint rule is in its table, and the answer files are
documented in the shape the suite reads."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fixtures.doubles.tiers import recorded
from fixtures.lint import RULES
from tests.controls.runner import REPO

README = (REPO / "README.md").read_text()


def section(heading: str) -> str:
    """The text under ``## heading`` up to the next heading of that level ("" when there is none)."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", README, re.MULTILINE | re.DOTALL)
    return match.group(1) if match else ""


def test_every_rule_the_lint_knows_has_a_row_in_the_readme_table() -> None:
    rows = set(re.findall(r"^\| ([A-Z][A-Z0-9]{2}\d{3}) \|", section("The configuration lint"), re.MULTILINE))
    missing = [r.id for r in RULES if r.id not in rows]

    assert rows and not missing, f"README.md, 'The configuration lint': no row for {missing}"


def test_the_readme_documents_recording_and_replaying_answers() -> None:
    text = section("Recording and replaying answers")

    assert "`--record-answers FILE`" in text and "`--replay-answers FILE`" in text


def test_the_readme_example_answer_file_is_one_the_suite_replays(tmp_path: Path) -> None:
    example = re.search(r"```json\n(.*?)```", section("Recording and replaying answers"), re.DOTALL)
    assert example is not None, "README.md: no example answer file (a ```json block) in the section"
    (tmp_path / "answers.json").write_text(example.group(1))

    replayed = recorded.load(tmp_path / "answers.json")

    assert replayed.answers, "the example records no answer"
    # the prompt as --record-answers writes it today, not an older wording
    prompt = {"system": recorded.SYSTEM, "temperature": recorded.TEMPERATURE}
    assert json.loads(example.group(1))["prompt"] == prompt
