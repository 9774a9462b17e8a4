"""The sign-off report: its verdict logic, that it renders in a browser, and that no report leaks a secret."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path
from typing import get_args

import pytest

from fixtures.report.page import TESTS_BEHIND, Block, markdown, page, sections
from fixtures.report.run_folder import RunFolder, prune, scan
from fixtures.report.signoff import (
    CRITERIA,
    NOT_ELIGIBLE,
    NOT_PROVEN_HEADLINE,
    PARTIAL,
    SIGN_OFF_FAIL,
    SIGN_OFF_PASS,
    NodeOutcome,
    Signoff,
    build,
)
from tests.controls.runner import REPO, child_pytest, run_suites

MANIFESTS = REPO / "manifests"
REAL = {"sign_off_eligible": True, "components": [], "stack": "cluster"}
DOUBLES = {
    "sign_off_eligible": False,
    "why": "needs the real Paperless-AI; this run used a double",
    "components": [],
}
FAILOVER = {
    "budget_s": 5.0,
    "baseline": {"n": 20, "p50_s": 0.08, "p95_s": 0.09, "max_s": 0.1},
    "modes": {"hung": {"n": 20, "p50_s": 3.2, "p95_s": 5.4, "max_s": 5.5}},
}


def every_criterion(outcome: str = "passed") -> list[NodeOutcome]:
    return [NodeOutcome(f"suites/t.py::test_{c}", outcome, [c]) for c in CRITERIA]


# --- the verdict ----------------------------------------------------------------------------------


def test_every_criterion_passed_with_real_components_is_a_sign_off_pass() -> None:
    assert build(every_criterion(), REAL, None, {}).headline == SIGN_OFF_PASS


def test_every_criterion_passed_with_doubles_is_not_eligible() -> None:
    signoff = build(every_criterion(), DOUBLES, None, {})

    assert signoff.headline == NOT_ELIGIBLE and "real Paperless-AI" in signoff.why


def test_one_failed_test_fails_its_criterion_and_the_sign_off() -> None:
    outcomes = [*every_criterion(), NodeOutcome("suites/t.py::test_hung", "failed", ["nfr65"])]

    signoff = build(outcomes, REAL, None, {})

    assert signoff.headline == SIGN_OFF_FAIL and signoff.why == "failed: NFR65"
    assert {c.id: c.verdict for c in signoff.criteria}["nfr65"] == "fail"


def test_a_criterion_with_only_skipped_tests_is_not_proven_and_the_sign_off_says_so() -> None:
    outcomes = [o for o in every_criterion() if "ac2" not in o.criteria] + [
        NodeOutcome(
            "x::y", "skipped", ["ac2"], message="needs journals, which the cluster stack does not offer"
        )
    ]

    signoff = build(outcomes, REAL, None, {})

    assert signoff.headline == NOT_PROVEN_HEADLINE and "AC2 1 of 1" in signoff.why
    assert "needs journals, which the cluster stack does not offer: `x::y`" in markdown(signoff)


def test_the_failover_table_marks_a_mode_over_budget() -> None:
    text = markdown(build(every_criterion(), REAL, FAILOVER, {"stack": "cluster"}))

    assert "| hung | 20 | 3.200 s | 5.400 s | 5.500 s | OVER |" in text
    assert "| healthy baseline | 20 | 0.080 s | 0.090 s | 0.100 s |  |" in text


def test_security_findings_and_degraded_outcomes_are_on_the_page_and_in_the_headline_reason() -> None:
    finding = {
        "component": "Paperless-AI",
        "secret": "LiteLLM master key",
        "log": "logs/paperless-ai.log",
        "line": 12,
        "lines": [12, 40],
        "why": "anyone who can read its logs gets the key",
        "mitigation": "a virtual key of its own",
    }
    cases = [
        {
            "case": "vllm answers prose",
            "document": "08",
            "written": False,
            "paperless_ai_error": "Invalid JSON",
        },
        {"case": "vllm answers <think>", "document": "07", "written": True, "stored_as_expected": True},
        {"case": "x", "document": "09", "written": True, "stored_as_expected": False},
    ]

    signoff = build(every_criterion(), REAL, None, {}, [finding], cases)
    text, html = markdown(signoff), page(signoff, None)

    assert signoff.headline == SIGN_OFF_PASS and signoff.why.endswith("with 1 security finding (below)")
    assert "| Paperless-AI | LiteLLM master key | logs/paperless-ai.log line 12 (and 1 more lines) |" in text
    assert "| vllm answers prose | 08 | nothing written (retried at the next scan) | Invalid JSON |" in text
    assert "| x | 09 | WRONG WRITE |" in text and "stored as expected" in text
    assert 'id="findings"' in html and 'id="degradation"' in html


def test_the_topology_the_stack_discovered_is_a_table_on_both_pages() -> None:
    row = {
        "component": "model group vllm-qwen",
        "object": "Deployment ml/vllm-server",
        "file": "vllm/deployment.yaml",
        "via": "api_base -> Service ml/vllm-api -> Deployment ml/vllm-server",
    }
    signoff = build(every_criterion(), {**REAL, "topology": [row]}, None, {})

    assert "| model group vllm-qwen | Deployment ml/vllm-server | vllm/deployment.yaml |" in markdown(signoff)
    assert '<table id="topology">' in page(signoff, None) and "ml/vllm-api" in page(signoff, None)
    assert "Topology" not in markdown(build(every_criterion(), REAL, None, {}))


def test_the_page_escapes_what_it_shows() -> None:
    outcomes = [NodeOutcome("suites/t.py::test_x[<script>]", "passed", ["ac1"])]

    html = page(build(outcomes, DOUBLES, None, {"manifests": "<dir>"}), None)

    assert "<script>" not in html and "&lt;script&gt;" in html and 'id="verdicts"' in html


def every_section(mark: str = "") -> Signoff:
    """A sign-off with every optional section; ``mark`` goes into the text of each block kind."""
    outcomes = [
        *every_criterion(),
        NodeOutcome(f"suites/t.py::test_f[{mark}]", "failed", ["ac1"], message=f"boom {mark}\nline 2"),
        NodeOutcome("suites/t.py::test_s", "skipped", ["ac2"], message=f"needs journals {mark}"),
        NodeOutcome("suites/t.py::test_l", "left out", ["ac2"]),
    ]
    topology = [{"component": "c", "object": "o", "file": "f", "via": f"v {mark}"}]
    finding = {"component": "P", "secret": "K", "log": "l", "line": 1, "why": f"w {mark}", "mitigation": "m"}
    cases = [{"case": f"prose {mark}", "document": "08", "written": False, "paperless_ai_error": "x"}]
    shapes = {
        "default_shapes": {"vllm": f"bare {mark}"},
        "stop_classification": [{"shape": "p", "what": "w", "tiers": ["vllm"], "owner_can": "o"}],
    }
    resilience = {"profile": "short", "seed": 1, "score": {}, "traffic": {"phases": {}}}
    signoff = build(
        outcomes, {**REAL, "topology": topology}, FAILOVER, {"stack": f"cluster {mark}"}, [finding], cases,
        shapes=shapes, resilience=resilience,
    )  # fmt: skip
    signoff.changes = {"edits": [{"rule": "R", "file": "f", "what": f"w {mark}"}], "left": [], "prove": "p"}
    signoff.changes_diff = f"-a\n+b {mark}\n"
    return signoff


def test_both_pages_have_the_same_sections_in_the_same_order_from_one_page_model() -> None:
    signoff = every_section()
    found = sections(signoff, None)
    titles = [s.title for s in found]

    markdown_titles = re.findall(r"^## (.*)$", markdown(signoff), re.MULTILINE)
    html_titles = [unescape(t) for t in re.findall(r"<h2>(.*?)</h2>", page(signoff, None))]

    assert {type(b) for s in found for b in s.blocks} == set(get_args(Block)), "not every block kind shown"
    assert len(titles) == 13 and len(set(titles)) == len(titles), titles
    assert html_titles == titles
    # Markdown cannot list a verdict's tests in its table cell: its rendering of the same verdicts
    # block lists them after the sections, under one more heading.
    assert markdown_titles == [*titles, TESTS_BEHIND]


def test_every_block_kind_is_escaped_in_the_html_and_the_plots_are_embedded(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\nplot"
    for name in ("failover.png", "resilience.png"):
        (tmp_path / name).write_bytes(png)
    signoff = every_section("<script>alert(1)</script>")

    html, text = page(signoff, tmp_path / "failover.png"), markdown(signoff)

    assert "<script>" not in html and html.count("&lt;script&gt;") >= 10
    assert html.count('src="data:image/png;base64,') == 2 and '<img alt="failover' in html
    assert "](failover.png)" in text and "](resilience.png)" in text
    assert 'src="data:' not in page(signoff, None), "no run folder, no plot to embed"


def test_old_run_folders_are_pruned_beyond_the_count_and_other_files_are_kept(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("kept")
    runs = [RunFolder.create(tmp_path) for _ in range(4)]
    for run in runs:  # each ran a test: retention counts those
        (run.root / "outcomes.jsonl").write_text('{"nodeid": "t", "called": true}\n')

    removed = prune(tmp_path, keep=2, current=runs[-1].root)

    left = sorted(p.name for p in tmp_path.iterdir() if p.is_dir() and not p.is_symlink())
    assert len(removed) == 2 and left == sorted(r.root.name for r in runs[-2:])
    assert (tmp_path / "README.md").read_text() == "kept" and (tmp_path / "latest").resolve() == runs[-1].root


def test_the_secret_scan_finds_a_planted_secret_in_any_file(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "litellm.log").write_bytes(b"\x00binary... Bearer sk-planted-0123456789abcdef ...")
    (tmp_path / "clean.json").write_text("{}")

    hits = scan(tmp_path, {"LiteLLM master key": "sk-planted-0123456789abcdef", "other": "not-there-at-all"})

    assert hits == ["LiteLLM master key in logs/litellm.log"]


# --- the live report ------------------------------------------------------------------------------


@pytest.mark.control
def test_a_run_writes_a_sign_off_that_renders_in_chromium_with_allure_html_and_junit(
    tmp_path: Path, run_folder: RunFolder
) -> None:
    if shutil.which("node") is None or not Path("/usr/bin/chromium").exists():
        pytest.fail("the render check needs node and /usr/bin/chromium: `make setup` installs them")
    run = run_suites(
        [
            "suites/test_config_conformance.py",
            "suites/test_ac1_routing.py",
            "-k",
            "lint or raw_vllm or without_a_key",
        ],
        MANIFESTS,
        tmp_path,
        timeout=300,
        allure_html=True,
    )
    folder = (tmp_path / "reports" / "latest").resolve()
    assert run.returncode == 0, run.output

    for name in ("signoff.html", "signoff.md", "allure.html", "junit.xml", "components.json"):
        assert (folder / name).is_file(), (
            f"{name} missing in {folder}: {sorted(p.name for p in folder.iterdir())}"
        )
    assert (folder / "allure.html").read_bytes().lstrip().lower().startswith(b"<!doctype html")
    shot = folder / "signoff.png"
    check = subprocess.run(
        ["node", str(REPO / "tests/report/render_check.mjs"), str(folder / "signoff.html"), str(shot)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, f"the sign-off did not render: {check.stderr or check.stdout}"
    seen = json.loads(check.stdout.strip().splitlines()[-1])
    assert seen["rows"] == 7, f"the verdict table should show 6 criteria, it shows {seen['rows'] - 1}"
    assert seen["headline"] == PARTIAL, "a -k selection is not a sign-off"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    shutil.copy(
        shot, run_folder.path("signoff-screenshot.png")
    )  # the self-test's evidence, in this run's folder
    text = (folder / "signoff.md").read_text()
    assert "| AC1: Paperless-AI talks to LLMs only through LiteLLM | **not proven** |" in text
    assert "| AC2: an uploaded document is classified and stored correctly | **not run** |" in text


@pytest.mark.control
def test_no_report_file_of_a_run_contains_any_of_its_secrets(tmp_path: Path) -> None:
    out = tmp_path / "secrets.json"
    argv, env = child_pytest(["tests/report/probe_secrets.py"], tmp_path / "reports")
    env["PROBE_OUT"] = str(out)
    done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1 and out.is_file(), (
        f"the probe did not get as far as its secrets:\n{done.stdout[-3000:]}"
    )
    found_secrets: dict[str, str] = json.loads(out.read_text())
    # Every secret the run generated, Paperless-ngx's secret key and admin password included (they were
    # redacted from the logs but left out of the scan before).
    expected = {"LiteLLM master key", "OpenAI key", "Paperless token", "Paperless-AI API key",
                "Paperless secret key", "Paperless admin password"}  # fmt: skip
    assert set(found_secrets) == expected, sorted(found_secrets)
    assert all(len(v) >= 16 for v in found_secrets.values()), found_secrets

    files = [p for p in (tmp_path / "reports").rglob("*") if p.is_file()]
    hits = scan(tmp_path / "reports", found_secrets)

    assert len(files) > 20, f"the probe's report folder is too thin to prove anything: {files}"
    assert any(re.search(r"allure\.html$", str(p)) for p in files) and any("junit" in p.name for p in files)
    assert not hits, "secrets found in the reports:\n" + "\n".join(hits)
    junit = next(p for p in files if p.name == "junit.xml").read_text()
    assert junit.count("&lt;secret:") >= 3, (
        "the three failures should show the secrets' placeholders in JUnit"
    )
    (findings,) = [json.loads(p.read_text()) for p in files if p.name == "security-findings.json"]
    assert [(f["component"], f["secret"], f["log"]) for f in findings] == [
        ("Paperless-AI", "LiteLLM master key", "logs/paperless-ai.log")
    ], "the real Paperless-AI prints CUSTOM_API_KEY at start: one finding naming its log"


def test_answer_shapes_that_stop_classification_are_listed_with_the_default_shapes() -> None:
    shapes = {
        "default_shapes": {"vllm": "bare JSON", "ollama": "JSON in a fence"},
        "stop_classification": [
            {
                "shape": "prose",
                "what": "a sentence | a fence",
                "tiers": ["ollama", "vllm"],
                "owner_can": "prompt",
            }
        ],
    }
    signoff = build(every_criterion(), REAL, None, {})
    signoff.shapes = shapes

    text, html = markdown(signoff), page(signoff, None)

    assert "Mock tiers' default shapes: vllm: bare JSON; ollama: JSON in a fence." in text
    assert "| prose | a sentence / a fence | ollama, vllm | prompt |" in text
    assert 'id="answer-shapes"' in html


def test_the_page_says_what_the_verdict_covers_stack_real_components_mocks_and_network() -> None:
    components = {
        "stack": "local",
        "sign_off_eligible": True,
        "components": [
            {"name": "LiteLLM proxy", "version": "1.108.7", "real": True, "note": ""},
            {"name": "vllm tier", "version": "mock", "real": False, "note": ""},
            {"name": "Paperless-ngx", "version": "2.18.4", "real": True, "note": ""},
            {"name": "network", "version": "loopback only", "real": True, "note": ""},
        ],
    }
    signoff = build(every_criterion(), components, None, {})

    expected = "local stack; real: LiteLLM proxy 1.108.7, Paperless-ngx 2.18.4; mock or double: vllm tier; "
    assert signoff.covers == expected + "network: loopback only"
    assert f"Covers: {signoff.covers}." in markdown(signoff) and 'id="covers"' in page(signoff, None)
    assert "unknown" in build(every_criterion(), None, None, {}).covers


def test_the_resilience_score_and_each_phase_are_on_the_page() -> None:
    resilience = {
        "profile": "short",
        "seed": 1465,
        "traffic": {
            "phases": {
                "gaming mode": {
                    "n": 30,
                    "failures": 2,
                    "unharmed_share": 0.9333,
                    "p99_s": 0.4,
                    "tiers": {"ollama": 28},
                }
            }
        },
        "batch": {"documents": 12, "lost": 1, "doubled": 0, "wrong": 0, "unharmed_share": 0.9167, "flips": 6},
        "score": {"requests_unharmed": 0.9333, "documents_unharmed": 0.9167, "worst_phase": "gaming mode"},
    }
    signoff = build(every_criterion(), REAL, None, {}, resilience=resilience)

    text = markdown(signoff)
    assert "worst phase: gaming mode" in text and "| gaming mode | 30 | 2 | 93% | 0.4 | ollama 28 |" in text
    assert "| documents while vLLM flapped | 12 | lost 1, doubled 0, wrong 0 | 92% | - | 6 flips |" in text
    assert 'id="resilience"' in page(signoff, None)
    assert "Resilience" not in markdown(build(every_criterion(), REAL, None, {}))


def test_a_clusters_drift_from_the_tree_is_listed_on_the_sign_off(tmp_path: Path) -> None:
    from fixtures.report.ledger import signoff_from

    (tmp_path / "selection.json").write_text(json.dumps({"facts": {}, "started": 0}))
    row = {"component": "Paperless-AI", "object": "ConfigMap docs/paperless-ai-config", "key": "AI_PROVIDER",
           "tree": "custom", "cluster": "ollama"}  # fmt: skip
    (tmp_path / "drift.json").write_text(json.dumps({"drift": [row], "skipped": []}))

    facts = signoff_from(tmp_path).facts

    assert facts["drift from the tree"].startswith("1 difference")
    expected = "Paperless-AI ConfigMap docs/paperless-ai-config AI_PROVIDER: tree custom, cluster ollama"
    assert facts["drift 1"] == expected


def test_a_failing_runs_sign_off_says_what_to_change_and_how_to_prove_it(tmp_path: Path) -> None:
    from fixtures.report.ledger import signoff_from

    (tmp_path / "selection.json").write_text(json.dumps({"facts": {}, "started": 0}))
    changes = {
        "edits": [
            {"rule": "PAI005", "file": "paperless-ai/configmap.yaml", "what": "LLM_MODEL -> CUSTOM_MODEL"}
        ],
        "left": [{"rule": "K8S007", "key": "vllm/deployment.yaml:image", "decide": "which build to run"}],
        "prove": "./conformance fix tree --out <new folder> --prove",
    }
    (tmp_path / "what-to-change.json").write_text(json.dumps(changes))
    (tmp_path / "what-to-change.diff").write_text("-  LLM_MODEL: vllm-qwen\n+  CUSTOM_MODEL: vllm-qwen\n")

    signoff = signoff_from(tmp_path)
    text, html = markdown(signoff), page(signoff, None)

    assert "## What to change (./conformance fix; not proven)" in text
    assert "- PAI005 paperless-ai/configmap.yaml: LLM_MODEL -> CUSTOM_MODEL" in text
    assert "+  CUSTOM_MODEL: vllm-qwen" in text and "--prove" in text
    assert 'id="what-to-change"' in html and "which build to run" in html


def test_a_fix_proven_by_a_proof_run_of_the_same_tree_is_named_proven_and_a_changed_tree_is_not(
    tmp_path: Path,
) -> None:
    """``what_to_change`` recomputes the fixed tree and looks its content digest up among the proofs
    ``./conformance fix --prove`` recorded; one byte of difference and the proof no longer applies."""
    import shutil

    from fixtures.lint.fix import fix_tree
    from fixtures.lint.proof import Proof, record, tree_digest
    from fixtures.report.hooks import what_to_change
    from fixtures.report.ledger import signoff_from
    from fixtures.report.run_folder import RunFolder

    example = Path(__file__).resolve().parents[2] / "examples" / "home-lab-14.3"
    reports = tmp_path / "reports"
    fixed = fix_tree(example, tmp_path / "fixed")
    assert fixed.edits, "the example tree has mechanical fixes"
    digest = tree_digest(tmp_path / "fixed")
    record(reports, Proof(digest, str(example), "NOT PROVEN (x)", 0, "reports/r1", "today", "abc"))

    run = RunFolder.create(reports, publish=False)
    (run.root / "selection.json").write_text(json.dumps({"facts": {}, "started": 0}))
    what_to_change(run, example)
    changes = json.loads((run.root / "what-to-change.json").read_text())
    assert changes["proof"]["digest"] == digest and changes["proof"]["passed"] is True
    text = markdown(signoff_from(run.root))
    assert "## What to change (./conformance fix; proven)" in text
    assert f"digest {digest[:12]}): NOT PROVEN (x), exit 0" in text

    changed = tmp_path / "changed"
    shutil.copytree(example, changed)
    first = sorted(changed.rglob("*.yaml"))[0]
    first.write_text(first.read_text() + "# one more line\n")
    run2 = RunFolder.create(reports, publish=False)
    (run2.root / "selection.json").write_text(json.dumps({"facts": {}, "started": 0}))
    what_to_change(run2, changed)
    assert json.loads((run2.root / "what-to-change.json").read_text())["proof"] is None
    assert "## What to change (./conformance fix; not proven)" in markdown(signoff_from(run2.root))
