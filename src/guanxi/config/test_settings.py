"""Settings for the test suite: the normal settings with GUANXI_ENV=test."""

import os

os.environ["GUANXI_ENV"] = "test"

import tempfile  # noqa: E402

from guanxi.config.settings import *  # noqa: E402,F403

# No test writes under var/: uploads and exports go to a directory of the test run's own.
MEDIA_ROOT = tempfile.mkdtemp(prefix="guanxi-test-media-")
STATIC_ROOT = tempfile.mkdtemp(prefix="guanxi-test-static-")
