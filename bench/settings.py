"""Settings for the benchmark: the application's own, plus the floor view's URL."""

import warnings

from config.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.urls"

# bench/run.py does not run collectstatic; WhiteNoise's warning about the missing STATIC_ROOT is noise here.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
