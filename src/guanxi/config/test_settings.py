"""Settings for the test suite: the normal settings with GUANXI_ENV=test."""

import os

os.environ["GUANXI_ENV"] = "test"

from guanxi.config.settings import *  # noqa: E402,F403
