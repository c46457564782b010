"""What the figures were measured on, written with them: a shared, noisy machine needs it."""

import os
import platform
import subprocess
import timeit
from importlib import metadata
from pathlib import Path

from .load import require_wrk
from .processes import PROJECT_ROOT


def git(*arguments):
    """A read-only git command's output; GIT_OPTIONAL_LOCKS=0 keeps `git status` from taking
    the index lock while others commit in the same tree."""
    completed = subprocess.run(
        ["git", *arguments],
        cwd=PROJECT_ROOT,
        env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    )
    return completed.stdout.strip()


def git_state():
    try:
        commit = git("rev-parse", "HEAD")
        changes = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return {"git_commit": None, "git_dirty": None}
    return {"git_commit": commit, "git_dirty": bool(changes)}


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def wrk_version():
    completed = subprocess.run(
        [require_wrk(), "-v"], capture_output=True, text=True, timeout=10, check=False
    )
    return (completed.stdout or completed.stderr).splitlines()[0].strip()


def cpu_reference_ms():
    """The best of five runs of a fixed piece of Python (a sum of a million squares), in ms.
    The machines this runs on are shared: the same code's figures moved by half between runs an
    hour apart, and this moved with them (bench/README.md, "Search words"). A figure means
    little without the machine's speed at the time."""
    runs = timeit.repeat("sum(i * i for i in range(1_000_000))", number=1, repeat=5)
    return round(min(runs) * 1000, 1)


def machine_info(postgres_version):
    return {
        "cpu_reference_ms": cpu_reference_ms(),
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "loadavg_before": [round(load, 2) for load in os.getloadavg()],
        "python": platform.python_version(),
        "django": metadata.version("Django"),
        "gunicorn": metadata.version("gunicorn"),
        "postgres": postgres_version,
        "wrk": wrk_version(),
        **git_state(),
    }
