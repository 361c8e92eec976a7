"""One child process measured by itself: its CPU seconds and peak resident memory, read from
`os.wait4` in a small launcher process that starts it, so the figures never include the parent.

Why a launcher: Linux records a process's high-water resident memory when `exec` drops the memory
it was forked with, so a child forked from a 1.6 GB test worker reports a peak of 1.6 GB whatever
it does itself. Forked from a launcher of ~10 MB, its peak is its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import IO

__all__ = ["ChildRun", "run_child"]

# Started with `python -c`: fork and exec the command, kill it past the deadline, wait for it,
# and write its exit code and its own rusage as JSON to the report file.
_LAUNCHER = """\
import json, os, signal, sys
report, seconds, *command = sys.argv[1:]
pid = os.fork()
if pid == 0:
    try:
        os.execvp(command[0], command)
    finally:
        os._exit(127)
if float(seconds) > 0:
    signal.signal(signal.SIGALRM, lambda *_: os.kill(pid, signal.SIGKILL))
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
_, status, usage = os.wait4(pid, 0)
signal.setitimer(signal.ITIMER_REAL, 0)
with open(report, "w", encoding="ascii") as out:
    json.dump({"code": os.waitstatus_to_exitcode(status), "user": usage.ru_utime,
               "system": usage.ru_stime, "maxrss_kb": usage.ru_maxrss}, out)
"""


@dataclass(frozen=True, slots=True)
class ChildRun:
    """One child run to its end: exit code (negative: the signal that ended it), CPU seconds
    (user + system), wall seconds, peak resident MB."""

    returncode: int
    cpu_seconds: float
    wall_seconds: float
    peak_rss_mb: float


def run_child(
    command: list[str],
    *,
    stdin: IO[bytes] | int = subprocess.DEVNULL,
    stdout: IO[bytes] | int = subprocess.DEVNULL,
    stderr: IO[bytes] | int = subprocess.DEVNULL,
    timeout: float = 0,
) -> ChildRun:
    """Run `command` to its end through the launcher (killed past `timeout` seconds when > 0)."""
    started = time.perf_counter()
    with tempfile.NamedTemporaryFile(prefix="cnpolicy-child-", suffix=".json") as report:
        subprocess.run(
            [sys.executable, "-c", _LAUNCHER, report.name, str(timeout), *command],
            stdin=stdin, stdout=stdout, stderr=stderr, check=True,
        )  # fmt: skip
        figures = json.loads(report.read())
    return ChildRun(
        returncode=figures["code"],
        cpu_seconds=figures["user"] + figures["system"],
        wall_seconds=time.perf_counter() - started,
        peak_rss_mb=figures["maxrss_kb"] / 1024,
    )
