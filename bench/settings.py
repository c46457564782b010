"""The production settings, unchanged but for STATIC_ROOT: the benchmark collects static files
into a temporary folder of its own rather than the project's `staticfiles/`, which `make serve`
(or another developer) may be using. DEBUG, the secret key and the hosts still come from the
environment, as in production."""

import os
from pathlib import Path

from osceportal.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])

# The benchmark talks plain HTTP on loopback; in production TLS ends at the proxy or here.
SECURE_SSL_REDIRECT = False
