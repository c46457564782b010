"""A PostgreSQL primary and a streaming standby of it, made for one run in a temporary folder
on ports of their own and removed at the end (`make bench-replica`, tests/test_replicas.py).
Nobody else's server is touched.

Made as bench/fault_services.py makes its cluster: `initdb`, run as the `postgres` user when
started as root, since PostgreSQL refuses to run as root. The standby is a base backup of the
primary taken with `pg_basebackup -R`, which writes its connection to the primary, over a
replication slot, so the primary keeps the WAL the standby has not received (while it is
stopped, for instance); it streams the primary's WAL from then on, and answers read-only
queries meanwhile (hot standby)."""

import os
import shutil
import socket
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path

from .fault_services import READY_TIMEOUT, wait_for_postgres
from .processes import run

PROGRAMS = ("initdb", "pg_ctl", "pg_basebackup")
DEBIAN_PROGRAMS = Path("/usr/lib/postgresql")


def program(name):
    """The path of a PostgreSQL program: on PATH, or else in the newest of Debian's
    /usr/lib/postgresql/<version>/bin, which is not on PATH by default; None if neither has it."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(DEBIAN_PROGRAMS.glob(f"*/bin/{name}"), key=lambda path: int(path.parts[-3]))
    return str(versions[-1]) if versions else None


def missing_programs():
    return [name for name in PROGRAMS if program(name) is None]


def free_ports(count):
    """`count` distinct ports free on the loopback now (held together while they are chosen)."""
    with ExitStack() as stack:
        probes = [stack.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]


def as_postgres(command):
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Server:
    """One PostgreSQL server: its data folder in `workdir`, its port, its log."""

    def __init__(self, workdir, name, port, settings=()):
        self.workdir = workdir
        self.name = name
        self.data = workdir / name
        self.port = port
        self.settings = settings  # "name=value" for the server's command line

    def url(self, database="postgres"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def pg_ctl(self, *arguments):
        options = [
            f"-p {self.port}",
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={self.workdir}",
            *(f"-c {setting}" for setting in self.settings),
        ]
        command = [program("pg_ctl"), "-D", str(self.data), "-l", f"{self.data}.log", "-w"]
        run(
            as_postgres([*command, "-o", " ".join(options), *arguments]),
            timeout=READY_TIMEOUT,
            what=f"pg_ctl {arguments[0]} ({self.name})",
        )

    def start(self):
        self.pg_ctl("start")
        wait_for_postgres(self.url())

    def stop(self, mode="fast"):
        """`immediate` is a crash as far as the server knows: no checkpoint, sessions cut."""
        if (self.data / "postmaster.pid").exists():
            self.pg_ctl("stop", "-m", mode)


class ReplicatedPostgres:
    def __init__(self, workdir, primary_port, standby_port):
        self.workdir = Path(workdir)
        self.primary = Server(self.workdir, "primary", primary_port, ["wal_level=replica"])
        self.standby = Server(self.workdir, "standby", standby_port)

    def start_primary(self):
        initdb = [program("initdb"), "-D", str(self.primary.data), "-U", "postgres"]
        run(as_postgres([*initdb, "--auth=trust", "-E", "UTF8"]), timeout=120, what="initdb")
        self.primary.start()

    def start_standby(self):
        """A base backup of the primary as it is now, started as its streaming standby."""
        backup = [
            program("pg_basebackup"),
            *("-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres"),
            *("-D", str(self.standby.data), "-R", "-X", "stream"),
            *("--create-slot", "--slot=standby", "--checkpoint=fast"),
        ]
        run(as_postgres(backup), timeout=600, what="pg_basebackup")
        self.standby.start()

    def stop(self):
        for server in (self.standby, self.primary):
            server.stop("immediate")

    def describe(self):
        return (
            f"private PostgreSQL primary on port {self.primary.port}, "
            f"its streaming standby on {self.standby.port}"
        )


@contextmanager
def replicated_postgres(primary_port=None, standby_port=None):
    """A ReplicatedPostgres in a temporary folder, nothing started yet, on these ports or free
    ones; both servers stopped and the folder removed when the block ends, however it ends."""
    free = iter(free_ports(2))
    primary_port, standby_port = primary_port or next(free), standby_port or next(free)
    with tempfile.TemporaryDirectory(prefix="osceportal-replica-") as workdir:
        if os.geteuid() == 0:
            shutil.chown(workdir, user="postgres")
        cluster = ReplicatedPostgres(workdir, primary_port, standby_port)
        try:
            yield cluster
        finally:
            cluster.stop()
