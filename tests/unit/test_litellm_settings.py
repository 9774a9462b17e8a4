"""The LiteLLM defaults the lint computes with, held to the installed release's own source.

LLM004 (worst-case failover) and LLM008 (cooldown against the recovery budget) use LiteLLM's retry
count, back-off and cooldown when a config leaves them unset; a release that changes one fails here,
naming it, instead of the lint silently computing with the old figure.
"""

from __future__ import annotations

import os

import pytest

from fixtures.lint.model import (
    DEFAULT_COOLDOWN_TIME_S,
    DEFAULT_REQUEST_TIMEOUT_S,
    DEFAULT_RETRIES,
    INITIAL_RETRY_DELAY_S,
    JITTER_S,
    MAX_RETRY_DELAY_S,
)


@pytest.fixture(scope="module")
def litellm():  # type: ignore[no-untyped-def]
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # its bundled model list, no fetch
    import litellm as module

    return module


def test_the_cooldown_the_lint_assumes_is_litellms_default(litellm) -> None:  # type: ignore[no-untyped-def]
    assert litellm.constants.DEFAULT_COOLDOWN_TIME_SECONDS == DEFAULT_COOLDOWN_TIME_S


def test_the_back_off_the_lint_assumes_is_litellms(litellm) -> None:  # type: ignore[no-untyped-def]
    constants = litellm.constants
    assert (constants.INITIAL_RETRY_DELAY, constants.MAX_RETRY_DELAY, constants.JITTER) == (
        INITIAL_RETRY_DELAY_S,
        MAX_RETRY_DELAY_S,
        JITTER_S,
    )


def test_the_retries_of_a_config_without_num_retries_are_the_routers_default(litellm) -> None:  # type: ignore[no-untyped-def]
    """A Router given no num_retries takes litellm.num_retries, else the OpenAI client's default."""
    import openai

    router = litellm.Router(
        model_list=[{"model_name": "g", "litellm_params": {"model": "openai/x", "api_key": "k"}}]
    )

    assert litellm.num_retries is None and router.num_retries == openai.DEFAULT_MAX_RETRIES == DEFAULT_RETRIES


def test_an_attempt_on_a_deployment_without_a_timeout_gets_the_routers_default(litellm) -> None:  # type: ignore[no-untyped-def]
    """What LLM003 says bounds a hung tier with no timeout and no request_timeout / router timeout: the
    Router passes litellm.request_timeout's default on as the attempt's timeout (6000 s, not 600 s);
    router_settings.timeout replaces it."""
    deployment = {"model_name": "g", "litellm_params": {"model": "openai/x", "api_key": "k"}}

    bare = litellm.Router(model_list=[deployment])
    capped = litellm.Router(model_list=[deployment], timeout=90)

    assert not litellm.request_timeout_explicitly_set
    assert bare._get_timeout(kwargs={}, data=deployment["litellm_params"]) == DEFAULT_REQUEST_TIMEOUT_S
    assert capped._get_timeout(kwargs={}, data=deployment["litellm_params"]) == 90
