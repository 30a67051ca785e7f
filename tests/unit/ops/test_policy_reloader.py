from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from piimask.ops.reload import PolicyReloader, ReloadMode


@dataclass(frozen=True)
class FakePolicy:
    version: str


class PolicyError(ValueError):
    pass


def load_fake(path: Path) -> FakePolicy:
    text = path.read_text()
    if not text.startswith("version: "):
        raise PolicyError("version: field required")
    return FakePolicy(text.removeprefix("version: ").strip())


class Holder:
    def __init__(self) -> None:
        self.policy = FakePolicy("v1")
        self.results: list[bool] = []
        self.changed = threading.Event()

    def swap(self, policy: FakePolicy) -> None:
        self.policy = policy
        self.changed.set()


def make(
    path: Path, holder: Holder, mode: ReloadMode, interval: float = 2.0
) -> PolicyReloader[FakePolicy]:
    return PolicyReloader(
        path,
        holder.swap,
        loader=load_fake,
        on_result=holder.results.append,
        mode=mode,
        interval=interval,
    )


def wait_for(cond: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.01)
    return False


def test_valid_policy_replaces_the_active_one(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("version: v2\n")
    holder = Holder()
    reloader = make(path, holder, mode="off")
    assert reloader.reload_now()
    assert holder.policy == FakePolicy("v2")
    assert (reloader.reloads, reloader.failures, holder.results) == (1, 0, [True])


@pytest.mark.parametrize("content", ["garbage", ""])
def test_invalid_policy_is_rejected_and_the_old_one_stays(tmp_path: Path, content: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(content)
    holder = Holder()
    reloader = make(path, holder, mode="off")
    assert not reloader.reload_now()
    assert holder.policy == FakePolicy("v1")
    assert reloader.last_error == "PolicyError (message withheld: it may quote input)"
    assert holder.results == [False]


def test_missing_policy_file_is_rejected(tmp_path: Path) -> None:
    holder = Holder()
    reloader = make(tmp_path / "gone.yaml", holder, mode="off")
    assert not reloader.reload_now()
    assert reloader.last_error is not None
    assert reloader.last_error.startswith("FileNotFoundError")
    assert holder.policy == FakePolicy("v1")


def test_a_callback_that_refuses_the_policy_counts_as_rejected(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("version: v2\n")

    def refuse(policy: FakePolicy) -> None:
        raise RuntimeError("masker could not be built")

    reloader = PolicyReloader(path, refuse, loader=load_fake, mode="off")
    assert not reloader.reload_now()
    assert reloader.failures == 1


def test_watch_mode_reloads_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("version: v1\n")
    holder = Holder()
    reloader = make(path, holder, mode="watch", interval=0.02)
    reloader.start()
    try:
        time.sleep(0.05)
        assert not holder.changed.is_set()
        path.write_text("version: v22\n")
        assert holder.changed.wait(5)
        assert holder.policy == FakePolicy("v22")
    finally:
        reloader.stop()


def test_watch_mode_keeps_old_policy_on_a_bad_edit_then_takes_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("version: v1\n")
    holder = Holder()
    reloader = make(path, holder, mode="watch", interval=0.02)
    reloader.start()
    try:
        path.write_text("broken!\n")
        assert wait_for(lambda: holder.results == [False])
        assert holder.policy == FakePolicy("v1")
        path.write_text("version: v3\n")
        assert wait_for(lambda: holder.policy == FakePolicy("v3"))
    finally:
        reloader.stop()


def test_sighup_triggers_a_reload(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("version: v5\n")
    holder = Holder()
    reloader = make(path, holder, mode="sighup")
    previous = signal.getsignal(signal.SIGHUP)
    reloader.start()
    try:
        os.kill(os.getpid(), signal.SIGHUP)
        assert holder.changed.wait(5)
        assert holder.policy == FakePolicy("v5")
    finally:
        reloader.stop()
    assert signal.getsignal(signal.SIGHUP) == previous


def test_sighup_in_an_event_loop_applies_the_policy_in_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("version: v7\n")
    applied_in: list[int | None] = []

    async def main() -> FakePolicy:
        loop = asyncio.get_running_loop()
        holder = Holder()

        def swap(policy: FakePolicy) -> None:
            applied_in.append(threading.get_ident())
            holder.swap(policy)

        reloader = PolicyReloader(path, swap, loader=load_fake, mode="sighup", loop=loop)
        reloader.start()
        try:
            os.kill(os.getpid(), signal.SIGHUP)
            for _ in range(500):
                if holder.changed.is_set():
                    break
                await asyncio.sleep(0.01)
            return holder.policy
        finally:
            reloader.stop()

    assert asyncio.run(main()) == FakePolicy("v7")
    assert applied_in == [threading.get_ident()]


def test_off_mode_starts_nothing(tmp_path: Path) -> None:
    holder = Holder()
    reloader = make(tmp_path / "p.yaml", holder, mode="off")
    reloader.start()
    reloader.stop()
    assert holder.results == []
