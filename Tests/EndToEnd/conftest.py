import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from harness import BIN, Daemon  # noqa: E402


def pytest_sessionstart(session):
    if not os.access(BIN, os.X_OK):
        raise pytest.UsageError(f"tracejoin binary not found at {BIN}; run `swift build` or set TRACEJOIN_BIN")


@pytest.fixture
def daemon():
    d = Daemon()
    d.start()
    yield d
    d.cleanup()
