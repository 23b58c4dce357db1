import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

# Every process a test starts (the daemon, the CLI, the fuzz executable) runs without the Swift
# runtime's crash handler: it can hang after a trap under the sanitizers (docs/reliability.md),
# and a crash must end the process at once, so that a test sees it as an exit, not a time-out.
os.environ["SWIFT_BACKTRACE"] = "enable=no"

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
