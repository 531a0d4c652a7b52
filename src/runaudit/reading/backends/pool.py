"""The local parser processes: a process pool whose workers never outlive the run.

:func:`start_pool` makes the :class:`~concurrent.futures.ProcessPoolExecutor` of
:func:`runaudit.intake.pipeline.read_all`. Each worker, when it starts:

- ignores SIGINT: Ctrl-C in a terminal reaches the whole process group, and the
  parent alone decides what an interrupt means (it stops the workers itself);
- takes the default SIGTERM action back (a forked worker inherits the CLI's
  SIGTERM handler), so stopping it never prints a traceback;
- dies with its parent: on Linux ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` makes the
  kernel kill it when the parent dies, even by ``kill -9``; everywhere a daemon
  thread checks every :data:`WATCH_EVERY_S` seconds that the parent is still
  there (on POSIX the parent pid changes when the parent dies; on Windows the
  parent's process handle is waited on) and ends the worker if not.

:func:`stop_pool` ends the pool: after a normal run it waits for the workers;
after an interrupt it kills them at once, so Ctrl-C does not wait for the files
in flight.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

#: How often a worker checks that its parent is alive [s].
WATCH_EVERY_S = 0.5
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def start_pool(jobs: int) -> ProcessPoolExecutor:
    """A pool of ``jobs`` worker processes that exit when this process dies."""
    context = multiprocessing.get_context()
    # fork and spawn make this process the workers' parent; forkserver makes its server it
    expected = os.getpid() if context.get_start_method() in ("fork", "spawn") else None
    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=init_worker, initargs=(expected,)
    )


def stop_pool(pool: ProcessPoolExecutor, *, kill: bool) -> None:
    """Shut ``pool`` down; with ``kill``, kill its workers first instead of letting them finish."""
    if kill:
        killer = getattr(pool, "kill_workers", None)  # Python 3.14+
        if killer is not None:
            killer()
        else:
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                with contextlib.suppress(OSError, ValueError):
                    process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def init_worker(parent_pid: int | None) -> None:
    """Pool initializer: signal dispositions and dying with the parent (module docstring).

    ``parent_pid`` is the pid the worker's parent must have, or None when the
    worker was started by a fork server.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        _set_parent_death_signal(signal.SIGKILL)
    ppid = os.getppid()
    if parent_pid is not None and ppid != parent_pid:
        os._exit(1)  # the parent died before this worker got here
    watchdog = threading.Thread(
        target=_watch_parent, args=(ppid,), name="runaudit-parent-watch", daemon=True
    )
    watchdog.start()


def _set_parent_death_signal(signum: int) -> bool:
    """Linux: have the kernel send ``signum`` to this process when its parent dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(ppid: int) -> None:
    parent = multiprocessing.parent_process()
    while True:
        time.sleep(WATCH_EVERY_S)
        if not _parent_alive(ppid, parent):
            os._exit(1)


def _parent_alive(ppid: int, parent: multiprocessing.process.BaseProcess | None) -> bool:
    if os.name == "nt":  # Windows keeps the old parent pid: wait on its process handle
        return parent is None or parent.is_alive()
    return os.getppid() == ppid  # POSIX: an orphan is adopted by init or a subreaper
