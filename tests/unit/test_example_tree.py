"""The owner-style example tree (``examples/home-lab-14.3``): what the lint finds in it, and nothing else.

The tree reproduces the settings of the owner's story-14.3 commit; each error below is a defect of that
configuration, proven elsewhere against the application: LLM_MODEL is read by no file of Paperless-AI
3.0.9 (its env table), so CUSTOM_MODEL is unset; no init step writes data/.env (Paperless-AI then counts
itself unconfigured: the live AC1 test); a hung vLLM costs 3 s x 2 attempts + back-off (NFR65's bench).
The Secrets kept out of git are information, never an error; PAPERLESS_URL is read by the RAG service.
"""

from __future__ import annotations

from pathlib import Path

from fixtures.lint import ERROR, INFO, lint

TREE = Path(__file__).resolve().parents[2] / "examples" / "home-lab-14.3" / "applications"


def _findings() -> list[tuple[str, str, str]]:
    return [(f.rule, f.severity, f.key) for f in lint(TREE)]


def test_the_example_trees_errors_are_the_owners_known_defects_and_nothing_else() -> None:
    errors = sorted((rule, key) for rule, severity, key in _findings() if severity == ERROR)

    assert errors == sorted([
        ("PAI003", "data.CUSTOM_MODEL"),
        ("PAI005", "data.LLM_MODEL"),
        ("LLM004", "data.config.yaml: model_list[0].litellm_params.timeout"),
        ("K8S002", "spec.template.spec.initContainers"),
    ])  # fmt: skip


def test_secrets_kept_out_of_git_are_information_naming_the_keys_the_run_generates() -> None:
    found = [f for f in lint(TREE) if f.rule == "SEC001"]

    assert {f.severity for f in found} == {INFO}
    assert {f.key for f in found} == {"Secret docs/paperless-ai-secrets", "Secret ml/litellm-secrets"}
    assert any("LITELLM_MASTER_KEY, OPENAI_API_KEY" in f.message for f in found)


def test_paperless_url_is_named_as_read_only_by_the_rag_service_not_as_unread() -> None:
    found = {(f.rule, f.key): f for f in lint(TREE)}

    assert ("PAI005", "data.PAPERLESS_URL") not in found
    assert found[("PAI008", "data.PAPERLESS_URL")].severity == INFO
    assert "RAG service" in found[("PAI008", "data.PAPERLESS_URL")].message


def test_the_subpath_mount_of_litellms_config_is_not_a_finding() -> None:
    assert not [f for f in lint(TREE) if f.rule == "K8S004"]


def test_the_fixes_name_what_the_owners_configuration_needs() -> None:
    """His vLLM timeout is 3 s already (only the default retries break NFR65), his PORT was meant to keep
    a Service link's variable out (Paperless-AI listens on PAPERLESS_AI_PORT): each fix says what his
    tree needs, not the reference's generic advice."""
    fixes = {(f.rule, f.key): f.fix for f in lint(TREE)}

    llm004 = fixes[("LLM004", "data.config.yaml: model_list[0].litellm_params.timeout")]
    assert llm004.startswith("set num_retries: 0") and "lower" not in llm004
    assert fixes[("PAI005", "data.PORT")].startswith(
        "remove PORT: Paperless-AI reads the port it listens on from"
    )
    assert fixes[("PAI005", "data.LLM_MODEL")] == "rename LLM_MODEL to CUSTOM_MODEL"
    assert "TAGS (pre-process)" in fixes[("PAI009", "data.PROCESS_PREDEFINED_DOCUMENTS")]
