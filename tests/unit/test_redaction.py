"""Secrets are replaced as output is written, and each one a component printed is kept as a finding."""

from __future__ import annotations

from fixtures.core.redaction import Leak, Redactor, Secrets, fingerprint, placeholder


def test_every_known_secret_is_replaced_by_its_name_and_fingerprint_longest_first() -> None:
    secrets = Secrets()
    secrets.register("LiteLLM master key", "sk-conformance-abcdef0123456789")
    secrets.register("short", "sk-conf")  # shorter than a real secret: never registered
    secrets.register("prefix", "sk-conformance-abcdef")

    text, found = secrets.redact("key=sk-conformance-abcdef0123456789 other=sk-conformance-abcdef!")

    assert text == (
        f"key={placeholder('LiteLLM master key', 'sk-conformance-abcdef0123456789')} "
        f"other={placeholder('prefix', 'sk-conformance-abcdef')}!"
    )
    assert found == ["LiteLLM master key", "prefix"] and "short" not in secrets.known()
    assert fingerprint("sk-conformance-abcdef") in text


def test_a_redactor_keeps_bytes_that_are_not_utf8_and_records_the_line_of_each_leak() -> None:
    secrets = Secrets()
    secrets.register("Paperless token", "0123456789abcdef0123")
    redactor = Redactor("Paperless-AI", "logs/paperless-ai.log", secrets)

    first = redactor.line(b"starting \xff\xfe\n")
    second = redactor.line(b"Authorization: Token 0123456789abcdef0123\n")

    assert first == b"starting \xff\xfe\n"
    assert b"0123456789abcdef0123" not in second and b"<secret:Paperless token:" in second
    assert secrets.leaks == [Leak("Paperless-AI", "Paperless token", "logs/paperless-ai.log", 2)]
