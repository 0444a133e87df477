"""Fixtures shared by the tests. Any test during which the service reports an internal error
(a bug: see cardocr.telemetry) fails, unless it is marked `internal_error` (it provokes one)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from apihelpers import get_token
from cardocr.api.app import create_app
from cardocr.settings import Settings
from cardocr.telemetry import internal_error_count


def pytest_configure(config):
    config.addinivalue_line("markers", "internal_error: the test provokes an internal error on purpose")


@pytest.fixture(autouse=True)
def no_internal_errors(request):
    before = internal_error_count()
    yield
    if request.node.get_closest_marker("internal_error") is None:
        assert internal_error_count() == before, "the service reported an internal error (see the log)"


@pytest.fixture(scope="module")
def live_api() -> tuple[TestClient, str]:
    """The real app (real pipeline, real models) on the default settings, and a token of the
    local development account."""
    client = TestClient(create_app(Settings()), raise_server_exceptions=False)
    with client:
        yield client, get_token(client)


# --- the fuzz suite's tally of answer classes (tests/fuzzkit.py), across xdist workers -------


def pytest_sessionfinish(session):
    from fuzzkit import ANSWERS

    if hasattr(session.config, "workeroutput"):  # an xdist worker: hand the tally over
        session.config.workeroutput["fuzz_answers"] = dict(ANSWERS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    from fuzzkit import ANSWERS

    ANSWERS.update(getattr(node, "workeroutput", {}).get("fuzz_answers", {}))


def pytest_terminal_summary(terminalreporter):
    from fuzzkit import ANSWERS, summary

    if ANSWERS:
        for line in summary(ANSWERS):
            terminalreporter.write_line(line)
