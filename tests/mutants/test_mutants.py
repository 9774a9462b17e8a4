"""The mutant catalog: every misconfiguration in ``catalog.yaml`` must be killed, by the right tests.

Each mutant's patched manifests run through the live local suite in a child pytest with the lint
deselected (so the behavioural tests have to catch it on their own), and through the lint in-process.
A mutant is killed when every expected live test fails (not errors) with a message naming the cause,
and every expected lint rule fires; or, for a mutant whose stack a real component refuses to run
(``refused``), when every test errors naming that refusal. Mutants run three at a time (2 cores, see
``PARALLEL``), the slow ones first; the kill rate and each mutant's killers go to ``mutants.json`` in
the run's report folder.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from fixtures.lint import ERROR, lint
from fixtures.plugin import summary_line
from fixtures.report.run_folder import RunFolder
from tests.controls.runner import params_of, pooled, run_suites
from tests.manifest_patch import apply

pytestmark = pytest.mark.control

CATALOG = Path(__file__).with_name("catalog.yaml")
MUTANTS: list[dict[str, Any]] = yaml.safe_load(CATALOG.read_text())["mutants"]
# Three at a time on 2 cores: a child run waits as much as it computes (Celery's recycle timer, a
# recovery budget), so three keep both cores busy; measured 306 s against 384 s two at a time.
PARALLEL = 3


@dataclass
class Verdict:
    id: str
    expected: list[str]
    killed_by_live: list[str] = field(default_factory=list)
    killed_by_lint: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "killed_by": self.killed_by_live + self.killed_by_lint,
            "expected": self.expected,
            "killed_by_live": self.killed_by_live,
            "killed_by_lint": self.killed_by_lint,
            "ok": self.ok,
            "problems": self.problems,
            "seconds": round(self.seconds, 1),
        }


def judge(mutant: dict[str, Any], workdir: Path) -> Verdict:
    started = time.monotonic()
    live: dict[str, str] = mutant.get("live") or {}
    rules: list[str] = mutant.get("lint") or []
    refusal = [f"the stack refuses to start: {mutant['refused']}"] if mutant.get("refused") else []
    verdict = Verdict(mutant["id"], [*live, *refusal, *rules])
    manifests = apply(mutant["patch"], workdir / "manifests")

    fired = sorted({f.rule for f in lint(manifests) if f.severity == ERROR})
    verdict.killed_by_lint = fired
    if missing := sorted(set(rules) - set(fired)):
        verdict.problems.append(f"lint rules that did not fire: {missing} (fired: {fired})")

    run = run_suites([*mutant["run"], "-m", "not lint"], manifests, workdir, timeout=400)
    verdict.killed_by_live = sorted(run.failed())
    if refused := mutant.get("refused"):  # the stack must refuse to start, every test naming why
        verdict.killed_by_live = sorted(n for n in run.errors() if refused in run.outcomes[n].message)
        if not run.errors() or verdict.killed_by_live != sorted(run.outcomes):
            verdict.problems.append(f"not every test errored naming {refused!r}: {run.output[-1500:]}")
    for name in sorted(run.errors()) if not refused else []:
        verdict.problems.append(f"the harness errored in {name}: {run.outcomes[name].message[:1500]}")
    if not run.outcomes:
        verdict.problems.append(
            f"the child run reported no tests (exit {run.returncode}): {run.output[-1500:]}"
        )
    for name, cause in live.items():
        outcome = run.outcomes.get(name)
        if outcome is None or outcome.result != "failed":
            verdict.problems.append(f"survived {name} ({outcome.result if outcome else 'not run'})")
        elif cause not in outcome.message:
            verdict.problems.append(
                f"{name} failed without naming the cause {cause!r}: {outcome.message[:600]}"
            )
    verdict.seconds = time.monotonic() - started
    return verdict


def child_runs(items: list[pytest.Item], root: Path) -> dict[str, Callable[[], Verdict]]:
    """Each selected mutant's judgement (a child run), slow ones first: for the session's pool."""
    ids = {m["id"] for m in params_of(items, __name__, "mutant")}
    chosen = [m for m in sorted(MUTANTS, key=lambda m: not m.get("slow")) if m["id"] in ids]
    return {f"mutant {m['id']}": (lambda m=m: judge(m, root / m["id"])) for m in chosen}


@pytest.fixture(scope="module")
def verdicts(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, run_folder: RunFolder
) -> Iterator[dict[str, Verdict]]:
    started = time.monotonic()
    root = tmp_path_factory.mktemp("mutants")
    # Only the mutants this session selected (``-k <id>`` judges one, not the whole catalog).
    jobs = child_runs(request.session.items, root)
    found = {key.removeprefix("mutant "): v for key, v in pooled(request, jobs, PARALLEL).items()}
    killed = sum(v.ok for v in found.values())
    wall = time.monotonic() - started  # what this module waited: little when the session's pool ran them
    runs_s = sum(v.seconds for v in found.values())  # the mutants' own runs, side by side with others
    run_folder.write_json(
        "mutants.json",
        {
            "mutants": [v.as_dict() for v in found.values()],
            "kill_rate": round(killed / len(found), 3),
            "killed": killed,
            "total": len(found),
            "waited_s": round(wall, 1),
            "runs_s": round(runs_s, 1),
            "parallel": PARALLEL,
        },
    )
    summary_line(
        request.config,
        f"mutants: kill rate {killed}/{len(found)}; their runs took {runs_s:.0f} s in all (side by side "
        f"in the session's pool, or {PARALLEL} at a time here); this module waited {wall:.0f} s for them",
    )
    yield found


def test_the_catalog_has_at_least_twelve_mutants_each_with_a_killer() -> None:
    assert len(MUTANTS) >= 12
    assert len({m["id"] for m in MUTANTS}) == len(MUTANTS), "mutant ids must be unique"
    assert all(m.get("live") or m.get("refused") or m.get("lint") for m in MUTANTS), (
        "a mutant nothing is expected to kill"
    )
    behavioural = [m["id"] for m in MUTANTS if m.get("live") or m.get("refused")]
    assert len(behavioural) >= 12, f"only {len(behavioural)} mutants are expected to be killed by live tests"


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m["id"] for m in MUTANTS])
def test_the_mutant_is_killed_by_the_expected_tests(
    verdicts: dict[str, Verdict], mutant: dict[str, Any]
) -> None:
    verdict = verdicts[mutant["id"]]

    assert verdict.ok, f"{mutant['id']} ({mutant['what']}):\n" + "\n".join(verdict.problems)
