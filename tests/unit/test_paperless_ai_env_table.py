"""The table of every environment variable Paperless-AI reads (``fixtures/paperless_ai/env_table.json``).

The committed table must be what the pinned release tree gives today (the installed copy, else the
vendor archive unpacked here), and what it says must be on the lines it cites. The scanner's rules
are checked on small sources written in the test, so a rule that breaks is named by its own test.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.core.errors import ComponentError
from fixtures.paperless_ai import env_table
from fixtures.paperless_ai.env_table import EnvRead, EnvTable, EnvWrite

RELEASE = "3.0.9"


@pytest.fixture(scope="module")
def release_tree() -> Iterator[tuple[Path, str | None]]:
    stack = contextlib.ExitStack()
    try:
        found = stack.enter_context(env_table.release_tree())
    except ComponentError as exc:  # neither installed nor an archive beside the checkout
        pytest.skip(f"no Paperless-AI {RELEASE} release tree to read: {exc}")
    with stack:
        yield found


@pytest.fixture(scope="module")
def tree(release_tree: tuple[Path, str | None]) -> Path:
    return release_tree[0]


@pytest.fixture(scope="module")
def table() -> EnvTable:
    return env_table.table()


def source_line(tree: Path, file: str, line: int) -> str:
    return (tree / file).read_text(errors="replace").splitlines()[line - 1]


def reads_of(table: EnvTable, variable: str) -> tuple[EnvRead, ...]:
    info = table.variables.get(variable)
    return info.reads if info else ()


# --- the committed table against the release ---------------------------------------------------------


def test_the_committed_table_is_what_the_release_tree_gives(release_tree: tuple[Path, str | None]) -> None:
    tree, checksum = release_tree
    regenerated = env_table.render(env_table.build(tree, checksum))
    committed = env_table.TABLE.read_text()
    assert regenerated == committed, (
        f"the release tree at {tree} no longer gives the committed table; review the change, then run "
        f"`{env_table.GENERATOR}`:\n{env_table.diff(committed, regenerated)}"
    )


def test_the_table_is_for_the_pinned_release_and_renders_stably(table: EnvTable) -> None:
    text = env_table.TABLE.read_text()
    assert table.release == RELEASE
    assert env_table.render(json.loads(text)) == text  # sorted and stable: a regeneration diff is real
    assert list(table.variables) == sorted(table.variables)


def test_every_recorded_read_and_write_names_its_variable_on_the_cited_line(
    tree: Path, table: EnvTable
) -> None:
    for name, info in table.variables.items():
        cited: list[EnvRead | EnvWrite] = [*info.reads, *info.writes]
        for item in cited:
            where = f"{item.file}:{item.line}"
            text = source_line(tree, item.file, item.line)
            assert name in text, f"{name} is recorded at {where}, which reads {text.strip()!r}"
            if item.file.endswith(".js"):  # a comment naming a variable is not a read
                assert "//" not in text.split(name, 1)[0].replace("://", ""), where


def test_the_listed_facts_hold_in_the_table_and_on_the_cited_lines(tree: Path, table: EnvTable) -> None:
    facts = {  # variable: (file, how) as read from the source by hand
        "CUSTOM_MODEL": ("config/config.js", "default ''"),
        "CUSTOM_BASE_URL": ("config/config.js", "default ''"),
        "CUSTOM_API_KEY": ("config/config.js", "default ''"),
        "PAPERLESS_API_URL": ("services/documentsService.js", "required"),
        "PAPERLESS_API_TOKEN": ("main.py", "fallback for PAPERLESS_TOKEN"),
        "PAPERLESS_USERNAME": ("services/paperlessService.js", "read"),
        "AI_PROVIDER": ("config/config.js", "default 'openai'"),
        "PROCESS_PREDEFINED_DOCUMENTS": ("services/paperlessService.js", "read"),
        "TAGS": ("services/paperlessService.js", "read"),
        "ADD_AI_PROCESSED_TAG": ("config/config.js", "default 'no'"),
        "USE_EXISTING_DATA": ("config/config.js", "default 'no'"),
        "TOKEN_LIMIT": ("config/config.js", "default 128000"),
        "RAG_SERVICE_ENABLED": ("server.js", "default 'true'"),
        "PAPERLESS_AI_INITIAL_SETUP": ("routes/setup.js", "read"),
        "PAPERLESS_AI_PORT": ("server.js", "default 3000"),
        "SCAN_INTERVAL": ("config/config.js", "default '*/30 * * * *'"),
    }
    for variable, (file, how) in facts.items():
        matching = [r for r in reads_of(table, variable) if r.file == file and r.how == how]
        assert matching, f"{variable}: no read in {file} as {how!r}: {reads_of(table, variable)}"
        text = source_line(tree, file, matching[0].line)
        assert variable in text
        if how.startswith("default "):
            assert how.removeprefix("default ") in text, f"{matching[0].where}: {text.strip()!r}"


def test_paperless_url_is_read_only_by_the_rag_service_as_a_fallback_for_paperless_api_url(
    tree: Path, table: EnvTable
) -> None:
    assert env_table.read_only_by_rag("PAPERLESS_URL")
    assert not env_table.read_by_node("PAPERLESS_URL")
    assert env_table.fallback_for("PAPERLESS_URL") == "PAPERLESS_API_URL"
    fallback = next(r for r in reads_of(table, "PAPERLESS_URL") if r.primary)
    assert (fallback.file, fallback.after) == ("main.py", ("PAPERLESS_API_URL",))
    text = source_line(tree, fallback.file, fallback.line)
    chain = r"getenv\(\s*['\"]PAPERLESS_API_URL['\"]\s*\)\s*or\s+os\.getenv\(\s*['\"]PAPERLESS_URL"
    assert re.search(chain, text), f"{fallback.where}: {text.strip()!r}"
    described = env_table.describe("PAPERLESS_URL")
    assert described.startswith("read only by the RAG service (main.py:")
    assert f"as a fallback when PAPERLESS_API_URL is unset (main.py:{fallback.line})" in described


def test_llm_model_is_read_by_no_file_and_the_custom_provider_takes_custom_model(
    tree: Path, table: EnvTable
) -> None:
    mentions = [
        path.relative_to(tree).as_posix()
        for path in tree.rglob("*")
        if path.is_file()
        and "node_modules" not in path.relative_to(tree).parts
        and b"LLM_MODEL" in path.read_bytes()
    ]
    assert mentions == [], f"LLM_MODEL appears in {mentions}: the table says 3.0.9 never reads it"
    assert env_table.lookup("LLM_MODEL") is None
    assert "LLM_MODEL" in table.not_read
    assert env_table.describe("LLM_MODEL").startswith(f"not read by any file of Paperless-AI {RELEASE}")
    chat = [r for r in reads_of(table, "CUSTOM_MODEL") if r.file == "services/chatService.js"]
    assert chat, "the chat service's model for AI_PROVIDER=custom is CUSTOM_MODEL"
    branch = (tree / chat[0].file).read_text().splitlines()[chat[0].line - 12 : chat[0].line]
    assert any("'custom'" in line for line in branch), f"no custom-provider branch above {chat[0].where}"
    assert env_table.read_by_node("CUSTOM_MODEL")


def test_port_is_not_read_and_the_node_server_listens_on_paperless_ai_port(table: EnvTable) -> None:
    assert env_table.lookup("PORT") is None
    assert "PORT" in table.not_read
    listen = [r for r in reads_of(table, "PAPERLESS_AI_PORT") if r.file == "server.js"]
    assert listen and all(r.how == "default 3000" for r in listen)


def test_the_dotenv_load_is_recorded_with_whether_it_overrides(tree: Path, table: EnvTable) -> None:
    node = table.dotenv[0]
    assert (node.file, node.component, node.loads, node.override) == (
        "config/config.js",
        "node",
        "<cwd>/data/.env",
        False,
    )
    text = source_line(tree, node.file, node.line)
    assert "require('dotenv').config(" in text and "override" not in text
    rag = [d for d in table.dotenv if d.component == "rag"]
    assert rag and rag[0].loads == "<dir of main.py>/data/.env" and not rag[0].override
    for load in table.dotenv:
        assert "dotenv" in source_line(tree, load.file, load.line)


def test_setup_writing_every_key_into_process_env_is_recorded_as_a_computed_write(table: EnvTable) -> None:
    assert [(d.file, d.what) for d in table.dynamic] == [
        ("services/setupService.js", "writes process.env by a computed name")
    ]


# --- the scanner's rules, on sources written here ----------------------------------------------------


def scan(tmp_path: Path, files: dict[str, str]) -> list[EnvRead]:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return env_table.scan(tmp_path)


def hows(reads: list[EnvRead]) -> set[tuple[str, int, str]]:
    return {(r.variable, r.line, r.how) for r in reads}


def test_javascript_reads_defaults_fallbacks_and_dereferences(tmp_path: Path) -> None:
    source = "\n".join(
        [
            "const a = process.env.A || 'x';",  # 1
            "const b = process.env.B1 || process.env.B2 || process.env.B3;",  # 2
            "const c = process.env.C.replace('/api', '');",  # 3
            "if (!process.env.D) { return; }",  # 4
            "const d = process.env.D.split(',');",  # 5
            "const e = parse(process.env.E, 'yes');",  # 6
            "function parse(value, fallback) { if (!value) return fallback; return value; }",  # 7
            "if (!process.env.F || process.env.F === 'no') {}",  # 8
            "const g = `${process.env.G}/v1`;",  # 9
            "const h = process.env['H'] ?? 42;",  # 10
        ]
    )
    found = hows(scan(tmp_path, {"server.js": source}))
    assert found == {
        ("A", 1, "default 'x'"),
        ("B1", 2, "read"),
        ("B2", 2, "fallback for B1"),
        ("B3", 2, "fallback for B1"),
        ("C", 3, "required"),
        ("D", 4, "read"),
        ("D", 5, "read"),  # checked first: a dereference that cannot meet it unset
        ("E", 6, "default 'yes'"),
        ("F", 8, "read"),  # negated and compared: neither a default nor a fallback
        ("G", 9, "read"),
        ("H", 10, "default 42"),
    }
    b3 = next(r for r in env_table.scan(tmp_path) if r.variable == "B3")
    assert b3.after == ("B1", "B2")


def test_javascript_comments_and_strings_are_not_reads_and_assignments_are_writes(tmp_path: Path) -> None:
    source = "\n".join(
        [
            "// process.env.IN_A_COMMENT",
            "/* process.env.IN_A_BLOCK */ const url = 'http://x/process.env.IN_A_STRING';",
            "const re = /process.env.IN_A_REGEX/;",
            "process.env.SET = process.env.SET || 'on';",
            "process.env[key] = value;",
            "const { DESTRUCTURED, WITH_DEFAULT = 'd' } = process.env;",
        ]
    )
    reads = scan(tmp_path, {"server.js": source})
    assert hows(reads) == {
        ("SET", 4, "default 'on'"),
        ("DESTRUCTURED", 6, "read"),
        ("WITH_DEFAULT", 6, "default 'd'"),
    }
    found = env_table.scan_tree(tmp_path)
    assert [(w.variable, w.line, w.value) for w in found.writes] == [("SET", 4, "'on' when unset")]
    assert [(d.line, d.what) for d in found.dynamic] == [(5, "writes process.env by a computed name")]


def test_python_chains_defaults_and_required_reads(tmp_path: Path) -> None:
    source = "\n".join(
        [
            "import os",  # 1
            "from dotenv import load_dotenv",  # 2
            "load_dotenv(dotenv_path=os.path.join(os.path.dirname(__file__), 'data', '.env'), override=True)",
            "url = os.getenv('P1') or os.getenv('P2') or os.environ.get('P3')",  # 4
            "port = os.environ.get('PORTISH', '8000')",  # 5
            "key = os.environ['KEY']",  # 6
            "print(f\"{os.getenv('IN_FSTRING')}\")",  # 7
            "name = os.getenv('N') or 'anon'",  # 8
        ]
    )
    found = hows(scan(tmp_path, {"main.py": source}))
    assert found == {
        ("P1", 4, "read"),
        ("P2", 4, "fallback for P1"),
        ("P3", 4, "fallback for P1"),
        ("PORTISH", 5, "default '8000'"),
        ("KEY", 6, "required"),
        ("IN_FSTRING", 7, "read"),
        ("N", 8, "default 'anon'"),
    }
    (load,) = env_table.scan_tree(tmp_path).dotenv
    assert (load.line, load.loads, load.override) == (3, "<dir of main.py>/data/.env", True)


def test_shell_and_dockerfile_reads_skip_the_scripts_own_variables(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "#!/bin/bash",
            "# $IN_A_COMMENT",
            'python main.py --port "${RAG_PORT:-8000}" &',  # 3
            "PID=$!",  # 4
            'echo "$PID ${NEEDED:?set it}"',  # 5
            "echo '$NOT_EXPANDED'",  # 6
            'export RAG_SERVICE_URL="http://localhost:8000"',  # 7
        ]
    )
    dockerfile = 'FROM node\nENV PATH="/venv/bin:$PATH"\nEXPOSE ${APP_PORT:-3000}\nCMD ["./start.sh"]\n'
    found = hows(scan(tmp_path, {"start.sh": script, "Dockerfile": dockerfile}))
    assert found == {
        ("RAG_PORT", 3, "default 8000"),
        ("NEEDED", 5, "required"),
        ("PATH", 2, "read"),
        ("APP_PORT", 3, "default 3000"),
    }
    writes = {(w.file, w.variable, w.value) for w in env_table.scan_tree(tmp_path).writes}
    assert writes == {
        ("start.sh", "RAG_SERVICE_URL", "http://localhost:8000"),
        ("Dockerfile", "PATH", "/venv/bin:$PATH"),
    }


def test_a_note_that_a_variable_is_not_read_is_refused_once_the_release_reads_it(tmp_path: Path) -> None:
    scan(
        tmp_path,
        {
            "config/config.js": "module.exports = {PAPERLESS_AI_VERSION: '3.0.9', m: process.env.LLM_MODEL}",
            "server.js": "",
        },
    )
    with pytest.raises(ValueError, match=r"LLM_MODEL is read at config/config.js:1"):
        env_table.build(tmp_path, "0" * 64)


def test_dependencies_are_pruned_not_scanned(tmp_path: Path) -> None:
    reads = scan(
        tmp_path,
        {"server.js": "process.env.OWN;\n", "node_modules/express/index.js": "process.env.NODE_ENV;\n"},
    )
    assert [r.variable for r in reads] == ["OWN"]
