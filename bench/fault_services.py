"""The PostgreSQL and Redis that `make bench-faults` restarts and stops.

- PrivateServices (the default): a PostgreSQL cluster made for the run in a temporary folder
  (initdb, as the `postgres` user when run as root) and a Redis server without persistence, on
  ports of their own; both are removed at the end. Nobody else's services are touched.
- ExternalServices: servers the operator names, with the shell commands that restart PostgreSQL
  and stop and start Redis (for a staging machine, e.g. `systemctl restart postgresql`).
"""

import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import redis

from .processes import BenchError, run

READY_TIMEOUT = 60


def wait_for_postgres(url):
    """Until a connection to `url` succeeds: the moment the database is back."""
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise BenchError(f"PostgreSQL at {url} did not come back") from None
            time.sleep(0.1)


def wait_for_redis(url):
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        try:
            redis.Redis.from_url(url, socket_timeout=1).ping()
            return
        except redis.RedisError:
            if time.monotonic() > deadline:
                raise BenchError(f"Redis at {url} did not come back") from None
            time.sleep(0.1)


class PrivateServices:
    def __init__(self, workdir, pg_port, redis_port, database="osceportal_faults"):
        self.workdir = Path(workdir)
        self.data = self.workdir / "pg"
        self.pg_port = pg_port
        self.redis_port = redis_port
        self.database_url = f"postgres://postgres@127.0.0.1:{pg_port}/{database}"
        self.redis_url = f"redis://127.0.0.1:{redis_port}/0"
        self.redis_process = None

    def as_postgres(self, command):
        # PostgreSQL refuses to run as root.
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

    def pg_ctl(self, *arguments):
        options = (
            f"-p {self.pg_port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.workdir}"
        )
        command = ["pg_ctl", "-D", str(self.data), "-l", str(self.workdir / "postgresql.log")]
        run(
            self.as_postgres([*command, "-w", "-o", options, *arguments]),
            timeout=READY_TIMEOUT,
            what=f"pg_ctl {arguments[0]}",
        )

    def start(self):
        if os.geteuid() == 0:
            shutil.chown(self.workdir, user="postgres")
        initdb = ["initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        run(self.as_postgres(initdb), timeout=120, what="initdb")
        self.pg_ctl("start")
        wait_for_postgres(self.maintenance_url)
        self.start_redis()

    @property
    def maintenance_url(self):
        return f"postgres://postgres@127.0.0.1:{self.pg_port}/postgres"

    def restart_postgres(self):
        # -m fast: open sessions are ended at once, as a restart for an upgrade would.
        self.pg_ctl("restart", "-m", "fast")
        wait_for_postgres(self.database_url)

    def start_redis(self):
        command = [
            "redis-server",
            *("--port", str(self.redis_port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no"),
        ]
        with open(self.workdir / "redis.log", "ab") as log:
            self.redis_process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        wait_for_redis(self.redis_url)

    def stop_redis(self):
        if self.redis_process and self.redis_process.poll() is None:
            self.redis_process.terminate()
            self.redis_process.wait(timeout=READY_TIMEOUT)

    def stop(self):
        self.stop_redis()
        if (self.data / "postmaster.pid").exists():
            self.pg_ctl("stop", "-m", "immediate")

    def describe(self):
        return f"private PostgreSQL on port {self.pg_port}, private Redis on {self.redis_port}"


class ExternalServices:
    def __init__(self, database_url, redis_url, restart_postgres, stop_redis, start_redis):
        self.database_url = database_url
        self.redis_url = redis_url
        self.commands = {
            "restart postgres": restart_postgres,
            "stop redis": stop_redis,
            "start redis": start_redis,
        }

    def shell(self, name):
        command = self.commands[name]
        completed = subprocess.run(command, shell=True, timeout=READY_TIMEOUT, check=False)
        if completed.returncode != 0:
            raise BenchError(f"{name}: `{command}` failed (exit status {completed.returncode})")

    def restart_postgres(self):
        self.shell("restart postgres")
        wait_for_postgres(self.database_url)

    def stop_redis(self):
        self.shell("stop redis")

    def start_redis(self):
        self.shell("start redis")
        wait_for_redis(self.redis_url)

    def describe(self):
        return f"PostgreSQL {self.database_url}, Redis {self.redis_url} (the operator's)"


@contextmanager
def private_services(pg_port, redis_port):
    with tempfile.TemporaryDirectory(prefix="osceportal-faults-") as workdir:
        services = PrivateServices(workdir, pg_port, redis_port)
        try:
            services.start()
            yield services
        finally:
            services.stop()
