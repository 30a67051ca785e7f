"""Where a masked record goes: output topic name, partition, headers, key fingerprint text."""

from __future__ import annotations

import base64
import re
import string
from collections.abc import Iterable

from piimask.stream.records import Headers

POLICY_VERSION_HEADER = "piimask-policy-version"
MODEL_HEADER = "piimask-model"
OWN_HEADERS = frozenset({POLICY_VERSION_HEADER, MODEL_HEADER})

_TOPIC_RE = re.compile(r"^[A-Za-z0-9._\-]{1,249}$")


class RoutingError(ValueError):
    """The output topic template or topic layout would loop or is not a valid topic name."""


def output_topic_for(template: str, topic: str) -> str:
    """The output topic of ``topic``: ``template`` with ``{topic}`` replaced."""
    return template.replace("{topic}", topic)


def check_template(template: str) -> None:
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    unknown = fields - {"topic"}
    if unknown:
        raise RoutingError(
            f"PIIMASK_OUTPUT_TOPIC_TEMPLATE: unknown placeholder(s) {sorted(unknown)}; "
            "only {topic} is supported"
        )
    if not _TOPIC_RE.match(output_topic_for(template, "x")):
        raise RoutingError(
            "PIIMASK_OUTPUT_TOPIC_TEMPLATE: does not make a valid topic name "
            "(letters, digits, '.', '_', '-')"
        )


def check_topics(inputs: Iterable[str], template: str, audit_topic: str, dlq_topic: str) -> None:
    """Refuse layouts where the worker would read its own output (an endless loop)."""
    check_template(template)
    own = {audit_topic: "PIIMASK_AUDIT_TOPIC", dlq_topic: "PIIMASK_DLQ_TOPIC"}
    for topic in inputs:
        out = output_topic_for(template, topic)
        if out == topic:
            raise RoutingError(
                f"output topic of {topic} would be {topic} itself: "
                "PIIMASK_OUTPUT_TOPIC_TEMPLATE must contain more than {topic}"
            )
        if topic in own:
            raise RoutingError(f"input topic {topic} is also {own[topic]}")
        if out in own:
            raise RoutingError(f"output topic {out} of {topic} is also {own[out]}")


def is_own_output(topic: str, template: str, audit_topic: str, dlq_topic: str) -> bool:
    """Whether ``topic`` is written by the worker (pattern subscriptions must skip it)."""
    if topic in (audit_topic, dlq_topic):
        return True
    prefix, sep, suffix = template.partition("{topic}")
    if not sep:
        return topic == template
    return (
        len(topic) > len(prefix) + len(suffix)
        and topic.startswith(prefix)
        and topic.endswith(suffix)
        and (prefix or suffix) != ""
    )


def choose_partition(input_partition: int, output_partitions: int) -> int | None:
    """Same partition number as the input when the output has it; else the key decides.

    Keeping the number keeps each input partition's order in one output partition. When
    the output topic has fewer partitions, ``None`` lets the producer's default
    partitioner hash the key, which still keeps per-key order.
    """
    if 0 <= input_partition < output_partitions:
        return input_partition
    return None


def output_headers(
    original: Headers, *, policy_version: str, model: str
) -> list[tuple[str, bytes]]:
    """The input's headers (minus stale piimask ones) plus the policy version and model."""
    headers = [(name, value) for name, value in original if name not in OWN_HEADERS]
    headers.append((POLICY_VERSION_HEADER, policy_version.encode("utf-8")))
    headers.append((MODEL_HEADER, model.encode("utf-8")))
    return headers


def key_text(key: bytes | None) -> str | None:
    """Text to fingerprint for a record key: UTF-8 as is, other bytes as ``base64:...``."""
    if key is None:
        return None
    try:
        return key.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(key).decode("ascii")
