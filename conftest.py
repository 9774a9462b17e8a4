"""Root conftest: the plugin that carries the fixtures, and the suite's command-line options
(declared and parsed in ``fixtures.core.options``)."""

from __future__ import annotations

import pytest

from fixtures.core.options import add_options

pytest_plugins = ["fixtures.report.hooks", "fixtures.plugin"]


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)
