"""A shadow detector next to the live one: same outputs, agreement in the audit event only."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Sequence

from piimask.audit import CHAIN_PURPOSE, AuditChain, AuditEvent, verify_entries
from piimask.audit.trail import TrailEntry
from piimask.detect.shadow import Sampler, ShadowResult, ShadowRunner, TypeAgreement
from piimask.keys import KeyRing
from piimask.spans import Span
from piimask.stream.delivery import BatchSender, shadow_comparison
from piimask.stream.pipeline import BatchResult, Forward, Limits, process_batch
from piimask.stream.records import SourceRecord
from tests.unit.stream.helpers import RegexDetector, context, record
from tests.unit.stream.test_delivery import DEST, FakeProducer

LIMITS = Limits(max_message_bytes=30_000, max_output_bytes=60_000)
NAME = re.compile(r"\b[A-Z][a-z]+\b")


class NameShadow:
    """Finds capitalised words as PERSON, e-mail addresses as EMAIL_ADDRESS; may raise."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.texts: list[str] = []

    def detect_batch(self, texts: Sequence[str]) -> list[list[Span]]:
        self.texts.extend(texts)
        if self.fail:
            raise RuntimeError("shadow crashed")
        return [
            [Span(m.start(), m.end(), "PERSON", 0.8) for m in NAME.finditer(t)]
            + RegexDetector().detect_batch([t])[0]
            for t in texts
        ]


def runner(keyring: KeyRing, rate: float, shadow: NameShadow) -> ShadowRunner:
    return ShadowRunner(
        shadow,
        model_name="rampart+base",
        model_sha256="cd" * 32,
        sampler=Sampler(keyring.hmac_key("shadow-sample"), rate),
    )


def batch() -> list[SourceRecord]:
    values = [b"Ann wrote to ann@example.com", b"nothing", b"Bob", b"{broken", None]
    return [record(v, offset=i) for i, v in enumerate(values)] + [
        record(f"Mail {i} cid{i}@example.com".encode(), offset=5 + i) for i in range(40)
    ]


def run(keyring: KeyRing, shadow: ShadowRunner | None, fmt: str = "text") -> BatchResult:
    return process_batch(
        batch(),
        detector=RegexDetector(),
        masker=context(keyring, fmt).masker,
        limits=LIMITS,
        shadow=shadow,
    )


def outputs(result: BatchResult) -> list[tuple[object, ...]]:
    """Everything of an outcome that goes out, without the shadow's field."""
    rows: list[tuple[object, ...]] = []
    for o in result.outcomes:
        if isinstance(o, Forward):
            rows.append((o.record, o.payload, o.outcome, o.masks, o.key, o.headers))
        else:
            rows.append((o.record, o.reason, o.detail))
    return rows


def test_outputs_are_identical_with_and_without_a_shadow(keyring: KeyRing) -> None:
    plain = run(keyring, None)
    shadowed = run(keyring, runner(keyring, 1.0, NameShadow()))
    assert outputs(shadowed) == outputs(plain)
    assert all(getattr(o, "shadow", None) is None for o in plain.outcomes)


def test_every_sampled_scanned_record_gets_its_agreement(keyring: KeyRing) -> None:
    result = run(keyring, runner(keyring, 1.0, NameShadow()))
    first = result.outcomes[0]
    assert isinstance(first, Forward)
    # value "Ann wrote to ann@example.com" and key "k"; the live detector finds only the
    # e-mail address, the shadow also the name.
    assert first.shadow == ShadowResult(
        "rampart+base",
        "cd" * 32,
        False,
        (TypeAgreement("EMAIL_ADDRESS", 1, 0, 0), TypeAgreement("PERSON", 0, 0, 1)),
    )
    assert result.shadow_seconds >= 0
    broken = result.outcomes[3]  # text records: "{broken" is just text, still compared
    assert isinstance(broken, Forward)
    assert broken.shadow is not None


def test_dead_lettered_records_are_not_compared(keyring: KeyRing) -> None:
    shadow = NameShadow()
    result = run(keyring, runner(keyring, 1.0, shadow), fmt="json")  # no value is JSON
    assert all(isinstance(o, Forward) == (o.record.value is None) for o in result.outcomes)
    assert set(shadow.texts) == {"t1"}  # only the tombstone's header was scanned


def test_only_the_sampled_share_is_compared(keyring: KeyRing) -> None:
    shadow = NameShadow()
    result = run(keyring, runner(keyring, 0.25, shadow))
    compared = [o for o in result.outcomes if isinstance(o, Forward) and o.shadow is not None]
    assert 0 < len(compared) < 25
    sampler = Sampler(keyring.hmac_key("shadow-sample"), 0.25)
    # every record has a scanned text (the tombstone its header): all sampled ones compared
    assert {o.record.coordinates for o in compared} == {
        r.coordinates for r in batch() if sampler.sampled(r.coordinates)
    }


def test_a_failing_shadow_changes_no_output_and_marks_the_records(keyring: KeyRing) -> None:
    plain = run(keyring, None)
    failing = run(keyring, runner(keyring, 1.0, NameShadow(fail=True)))
    assert outputs(failing) == outputs(plain)
    marked = [o.shadow for o in failing.outcomes if isinstance(o, Forward) and o.shadow]
    assert marked
    assert all(s.failed for s in marked)


def test_a_shadow_whose_runner_itself_raises_is_ignored(keyring: KeyRing) -> None:
    class Broken(ShadowRunner):
        def compare(self, texts, live):  # type: ignore[no-untyped-def]
            raise MemoryError

    plain = run(keyring, None)
    broken = run(
        keyring,
        Broken(
            NameShadow(), model_name="x", model_sha256="cd" * 32, sampler=Sampler(b"k" * 32, 1.0)
        ),
    )
    assert outputs(broken) == outputs(plain)
    assert all(getattr(o, "shadow", None) is None for o in broken.outcomes)


def send(keyring: KeyRing, result: BatchResult) -> list[dict[str, object]]:
    producer = FakeProducer({"in.masked": 1})
    sender = BatchSender(DEST, keyring=keyring, chain=AuditChain.from_keyring(keyring))
    asyncio.run(sender.send(producer, result.outcomes, context(keyring)))
    return [s for s in producer.sent if s["topic"] == DEST.audit_topic]


def test_audit_events_carry_the_agreement_and_events_without_a_shadow_are_unchanged(
    keyring: KeyRing,
) -> None:
    plain = send(keyring, run(keyring, None))
    shadowed = send(keyring, run(keyring, runner(keyring, 0.25, NameShadow())))
    assert all(b'"shadow"' not in e["value"] for e in plain)  # type: ignore[operator]
    with_shadow = [json.loads(e["value"]) for e in shadowed if b'"shadow"' in e["value"]]  # type: ignore[operator]
    assert with_shadow
    first = AuditEvent.model_validate(with_shadow[0])
    assert first.shadow is not None
    assert first.shadow.status == "compared"
    assert first.shadow.model_name == "rampart+base"
    entries = [
        TrailEntry(text=e["value"].decode(), location=str(i)) for i, e in enumerate(shadowed)
    ]  # type: ignore[attr-defined]
    chain_key = keyring.hmac_key(CHAIN_PURPOSE)
    report = verify_entries(entries, lambda _kid: chain_key)
    assert report.ok, report


def test_a_shadow_result_that_breaks_the_event_format_is_left_out() -> None:
    bad = ShadowResult("x", "not-hex", False, (TypeAgreement("PERSON", 1, 0, 0),))
    assert shadow_comparison(bad) is None
    odd_type = ShadowResult("x", "cd" * 32, False, (TypeAgreement("no spaces allowed", 1, 0, 0),))
    assert shadow_comparison(odd_type) is None
