"""Assemble and run a worker from :class:`Settings`: keys, policy, model, ops hooks, signals."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import TYPE_CHECKING

from piimask.ops.health import Health, HealthServer
from piimask.ops.metrics import WorkerMetrics
from piimask.ops.reload import PolicyReloader
from piimask.settings import Settings
from piimask.stream.delivery import MaskingContext
from piimask.stream.detection import build_detection
from piimask.stream.worker import Worker, WorkerError

if TYPE_CHECKING:
    from piimask.detect import DetectionEngine
    from piimask.keys import KeyRing
    from piimask.mask import Policy

log = logging.getLogger(__name__)


class StartupError(Exception):
    """The worker cannot start; the message says which setting to fix."""


def load_keyring(settings: Settings) -> KeyRing:
    from piimask.keys import KeyRingError
    from piimask.loaders import load_keyring as load

    try:
        return load(settings)
    except KeyRingError as exc:
        hint = "" if "PIIMASK_KEY" in str(exc) else " (set PIIMASK_KEYS or PIIMASK_KEY_FILE)"
        raise StartupError(
            f"the worker needs a key ring and will not start without one: {exc}{hint}"
        ) from None


def load_active_policy(settings: Settings) -> Policy:
    from piimask.loaders import load_policy

    return load_policy(settings)


def masking_context(policy: Policy, keyring: KeyRing, settings: Settings) -> MaskingContext:
    from piimask.mask.record import RecordMasker

    return MaskingContext(
        masker=RecordMasker(policy, keyring, message_format=settings.message_format),
        policy_version=str(policy.version),
        policy_sha256=str(policy.sha256),
    )


def build_worker(
    settings: Settings,
    *,
    engine: DetectionEngine | None = None,
    keyring: KeyRing | None = None,
    metrics: WorkerMetrics | None = None,
    health: Health | None = None,
    shadow_engine: DetectionEngine | None = None,
) -> Worker:
    """A ready-to-run worker; loads the key ring, policy and model unless given (and the
    shadow detector's model, when ``PIIMASK_SHADOW_SAMPLE_RATE`` is set, unless given)."""
    if keyring is None:
        keyring = load_keyring(settings)
    health = health if health is not None else Health()
    policy = load_active_policy(settings)
    detection = build_detection(
        settings, keyring=keyring, engine=engine, shadow_engine=shadow_engine, metrics=metrics
    )
    health.set_model_loaded(True)
    return Worker(
        settings,
        detector=detection.detector,
        model_name=detection.model_name,
        model_sha256=detection.model_sha256,
        keyring=keyring,
        context=masking_context(policy, keyring, settings),
        metrics=metrics,
        health=health,
        shadow=detection.shadow,
    )


async def serve(worker: Worker, *, http_port: int | None = None) -> int:
    """Run ``worker`` with signal handling, policy reload and the health server; exit code."""
    settings = worker.settings
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    signals = 0

    def on_signal() -> None:
        nonlocal signals
        signals += 1
        if signals == 1:
            log.info("stopping: finishing the batches in flight, then committing")
            worker.stop()
        elif main is not None:
            log.warning("second stop signal: exiting without waiting (nothing more committed)")
            main.cancel()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal)

    server: HealthServer | None = None
    port = settings.metrics_port if http_port is None else http_port
    if port and worker.metrics is not None:
        server = HealthServer(worker.health, port, worker.metrics.registry)
        server.start()

    reloader: PolicyReloader[Policy] | None = None
    if settings.policy_file is not None and settings.policy_reload != "off":
        metrics = worker.metrics
        keyring = worker.keyring
        reloader = PolicyReloader(
            settings.policy_file,
            lambda policy: worker.set_context(masking_context(policy, keyring, settings)),
            mode=settings.policy_reload,
            interval=settings.policy_watch_interval,
            loop=loop,
            on_result=None if metrics is None else metrics.policy_reload,
        )
        reloader.start()
    try:
        await worker.run()
    except WorkerError:
        return 1
    except asyncio.CancelledError:
        return 1
    finally:
        if reloader is not None:
            reloader.stop()
        if server is not None:
            server.stop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
    return 0
