"""Fixtures for the storage Client's tests: a Client that talks through the fault proxy."""

from __future__ import annotations

import pytest

from storage import Client
from tests.faultproxy import FaultProxy


@pytest.fixture
def pclient(proxy: FaultProxy, bucket: str) -> Client:
    """A Client on this test's bucket whose every request goes through ``proxy``.

    Short deadlines: a retried failure gives up after about a second.
    """
    return Client(bucket, endpoint=proxy.url, timeout=5, retry_deadline=1)
