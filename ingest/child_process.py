"""What the build's helper processes (the reader, the full-text folders, the second process) share."""

from __future__ import annotations

import os
import queue as queues
import threading
import time

# How often a wait on a helper's queue checks that the helper is still alive.
ALIVE_CHECK_S = 5


def exit_with_parent(parent: int) -> None:
    """In a helper process: exit within a second of the build process going. A build killed with SIGKILL cannot
    stop its helpers, so each watches for itself, whatever it is doing (reading, waiting on a full queue, or
    flushing the queue into a pipe nobody reads as it ends)."""

    def watch():
        while os.getppid() == parent:
            time.sleep(0.25)
        os._exit(1)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


def get_while_alive(queue, process, name: str):
    """The next item `process` puts on `queue`, waiting as long as it lives: a helper that dies without a word
    raises RuntimeError naming it (`name`) and its exit code, instead of hanging the build."""
    while True:
        try:
            return queue.get(timeout=ALIVE_CHECK_S)
        except queues.Empty:
            if not process.is_alive():
                raise RuntimeError(f"{name} died (exit code {process.exitcode})") from None
