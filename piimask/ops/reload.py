"""Policy reload without restart: on SIGHUP or when the policy file changes.

A new policy is loaded and validated first; only a policy that loads and is
accepted by the worker's callback replaces the old one. A bad file is logged
(with a content-free reason) and the old policy stays active.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from piimask.ops.logs import safe_exc

log = logging.getLogger(__name__)

P = TypeVar("P")
ReloadMode = Literal["sighup", "watch", "off"]


def _default_loader(path: Path) -> Any:
    # Imported late: piimask.mask pulls in the key ring and crypto, which callers may not need.
    mask = importlib.import_module("piimask.mask")
    return mask.load_policy(path)


class PolicyReloader(Generic[P]):
    """Reloads a policy file and hands the new policy to ``on_change``.

    ``on_change(policy)`` swaps the worker's policy; if it raises, the swap is
    treated as rejected. With ``loop`` given, ``on_change`` runs in that event
    loop (scheduled thread-safely), otherwise in the reloader's own thread, so
    the callback should do no more than an atomic swap.

    Modes: ``sighup`` reloads when the process receives SIGHUP; ``watch``
    polls the file's modification time and size every ``interval`` seconds
    (works with Kubernetes ConfigMap volume updates, which swap a symlink);
    ``off`` reloads only when :meth:`reload_now` is called.
    """

    def __init__(
        self,
        path: Path,
        on_change: Callable[[P], None],
        *,
        loader: Callable[[Path], P] | None = None,
        mode: ReloadMode = "sighup",
        interval: float = 2.0,
        loop: asyncio.AbstractEventLoop | None = None,
        on_result: Callable[[bool], None] | None = None,
    ) -> None:
        self.path = path
        self.mode = mode
        self.interval = interval
        self._on_change = on_change
        self._loader: Callable[[Path], P] = loader if loader is not None else _default_loader
        self._loop = loop
        self._on_result = on_result
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._previous_handler: Any = None
        self._signal_installed = False
        self._stamp = self._file_stamp()
        self.reloads = 0
        self.failures = 0
        self.last_error: str | None = None

    def reload_now(self) -> bool:
        """Load the file and, if valid, apply it. Returns whether the new policy is active."""
        with self._lock:
            self._stamp = self._file_stamp()
            try:
                policy = self._loader(self.path)
                self._apply(policy)
            except Exception as exc:
                self.failures += 1
                self.last_error = safe_exc(exc)
                log.error(
                    "policy reload rejected; keeping the active policy",
                    extra={"policy_file": str(self.path), "error": self.last_error},
                )
                self._report(False)
                return False
            self.reloads += 1
            self.last_error = None
            log.info(
                "policy reloaded",
                extra={
                    "policy_file": str(self.path),
                    "policy_version": str(getattr(policy, "version", "")),
                },
            )
            self._report(True)
            return True

    def _apply(self, policy: P) -> None:
        if self._loop is None or not self._loop.is_running():
            self._on_change(policy)
            return
        if _running_loop() is self._loop:
            self._on_change(policy)
            return
        done = asyncio.run_coroutine_threadsafe(self._call_in_loop(policy), self._loop)
        # A hung loop must not hang the reloader forever; the old policy stays on timeout.
        done.result(timeout=30)

    async def _call_in_loop(self, policy: P) -> None:
        self._on_change(policy)

    def _report(self, ok: bool) -> None:
        if self._on_result is None:
            return
        try:
            self._on_result(ok)
        except Exception as exc:
            log.warning("policy reload result hook failed", extra={"error": safe_exc(exc)})

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    # --- lifecycle ---------------------------------------------------------

    def start(self) -> None:
        """Install the SIGHUP handler or start the file watcher (per ``mode``)."""
        if self.mode == "off" or self._thread is not None:
            return
        self._stop.clear()
        if self.mode == "sighup":
            self._install_signal()
        self._thread = threading.Thread(target=self._run, name="piimask-policy-reload", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._signal_installed:
            self._uninstall_signal()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def request_reload(self) -> None:
        """Ask the reloader thread to reload (safe from a signal handler)."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            woken = self._wake.wait(timeout=self.interval if self.mode == "watch" else None)
            if self._stop.is_set():
                return
            if woken:
                self._wake.clear()
                self.reload_now()
            elif self.mode == "watch":
                stamp = self._file_stamp()
                if stamp is not None and stamp != self._stamp:
                    self.reload_now()

    def _install_signal(self) -> None:
        loop = self._loop if self._loop is not None else _running_loop()
        if loop is not None:
            loop.add_signal_handler(signal.SIGHUP, self.request_reload)
            self._loop_for_signal: asyncio.AbstractEventLoop | None = loop
        else:
            self._loop_for_signal = None
            self._previous_handler = signal.signal(
                signal.SIGHUP, lambda _signum, _frame: self.request_reload()
            )
        self._signal_installed = True

    def _uninstall_signal(self) -> None:
        self._signal_installed = False
        try:
            if self._loop_for_signal is not None:
                self._loop_for_signal.remove_signal_handler(signal.SIGHUP)
            elif self._previous_handler is not None:
                signal.signal(signal.SIGHUP, self._previous_handler)
        except (RuntimeError, ValueError):
            # Loop already closed or not in the main thread at shutdown: nothing left to undo.
            pass


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
