"""AC1, configuration drift: what Paperless-AI is given is what it uses, in both its views.

The story's failure: the ConfigMap said ``custom``/LiteLLM, the persistent ``data/.env`` still said
``ollama``; classification followed the environment while the setup check followed the file. And
a ConfigMap key Paperless-AI never reads (``LLM_MODEL``) looks like configuration but does nothing.
Both fail here with the key, what each source says, and which behaviour follows which.
"""

from __future__ import annotations

from pathlib import Path

from fixtures.api import DRIFT, Pipeline, disagreements, discover, paperless_ai_settings, unread_keys

pytestmark = [*DRIFT]


def test_the_configmap_holds_only_variables_paperless_ai_reads(manifests_dir: Path) -> None:
    settings, source = paperless_ai_settings(discover(manifests_dir))
    unread = unread_keys(settings)

    assert not unread, (
        f"{source}: keys Paperless-AI never reads:\n"
        + "\n".join(f"  data.{drift}" for drift in unread)
    )


def test_the_persistent_data_env_names_the_same_gateway_as_the_configmap(pipeline: Pipeline) -> None:
    found = disagreements(pipeline.env, pipeline.ai.data_env())

    assert not found, (
        f"{pipeline.ai.workdir / 'data' / '.env'} disagrees with the ConfigMap/Secret:\n"
        + "\n".join(f"  {drift}" for drift in found)
    )
