"""Fixtures shared by the end-to-end tests."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from apihelpers import get_token
from cardocr.api.app import create_app
from cardocr.settings import Settings


@pytest.fixture(scope="module")
def live_api() -> tuple[TestClient, str]:
    """The real app (real pipeline, real models) on the default settings, and a token of the
    local development account."""
    client = TestClient(create_app(Settings()), raise_server_exceptions=False)
    with client:
        yield client, get_token(client)
