"""Process-tree housekeeping for ``satchel-serve``: parent-death signals, reaping, groups.

Linux's ``prctl`` gives the two guarantees a supervisor needs (a child told to stop when its
parent dies; orphans handed to the supervisor, not to init); elsewhere they are no-ops and
the process-group clean-up still holds.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36


def _prctl(option: int, value: int) -> None:
    if sys.platform != "linux":
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(option, value, 0, 0, 0)


def die_with_parent() -> None:
    """In a child before exec: receive SIGTERM when the parent dies (``preexec_fn``)."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def become_subreaper() -> None:
    """Adopt this process's orphaned descendants, so they are reaped here."""
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)


def reap_orphans(keep: int | None) -> None:
    """Collect every exited child except ``keep`` (its status belongs to its Popen)."""
    while True:
        try:
            info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return
        if info is None or info.si_pid == keep:
            return
        try:
            os.waitpid(info.si_pid, 0)
        except ChildProcessError:
            return


def alive(pid: int) -> bool:
    """Tell whether a process with this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def group_alive(pgid: int) -> bool:
    """Tell whether any process is left in the process group."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def kill_group(pgid: int, sig: int) -> None:
    """Send ``sig`` to the process group, if anything is left in it."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass
