"""What the build's helper processes (the reader, the full-text folders) share."""

from __future__ import annotations

import os
import threading
import time


def exit_with_parent(parent: int) -> None:
    """In a helper process: exit within a second of the build process going. A build killed with SIGKILL cannot
    stop its helpers, so each watches for itself, whatever it is doing (reading, waiting on a full queue, or
    flushing the queue into a pipe nobody reads as it ends)."""

    def watch():
        while os.getppid() == parent:
            time.sleep(0.25)
        os._exit(1)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()
