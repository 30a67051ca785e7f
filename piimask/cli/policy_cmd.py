"""``piimask policy``: validate and summarize mask policies; generate key rings."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from piimask.mask.policy import Policy


@click.group()
def policy() -> None:
    """Mask policies and key rings."""


def summarize(policy_obj: Policy, source: str) -> list[str]:
    from piimask.mask.operators import describe_rule
    from piimask.mask.policy import KNOWN_ENTITY_TYPES

    p = policy_obj
    lines = [
        f"{source}: valid policy",
        f"  version {p.version!r}, sha256 {p.sha256[:16]}…",
    ]
    if p.description:
        lines.append(f"  {p.description}")
    lines.append(f"  default (any other type): {describe_rule(p.default, 'ENTITY_TYPE')}")
    if p.entities:
        width = max(len(name) for name in p.entities)
        lines.append("  entity types:")
        for name, rule in p.entities.items():
            lines.append(f"    {name:<{width}}  {describe_rule(rule, name)}")
    by_default = [t for t in KNOWN_ENTITY_TYPES if t not in p.entities]
    if by_default:
        lines.append(f"  detected types using the default rule: {', '.join(by_default)}")
    allow = p.allow
    lines.append(
        f"  allow list: {len(allow.values)} exact value(s), {len(allow.patterns)} pattern(s)"
    )
    j = p.json_rules
    scan = "every string" if j.scan is None else ", ".join(j.scan)
    numbers = " (and numbers)" if j.scan_numbers else " (numbers skipped)"
    lines.append(f"  JSON: scan {scan}{numbers}; max depth {j.max_depth}")
    names = "read with their keys (field names)" if j.field_names else "scanned alone"
    lines.append(f"  JSON values: {names}; a masked number becomes {j.masked_numbers}")
    for field_rule in j.fields:
        action = field_rule.action
        target = f"as {field_rule.entity_type}" if action == "mask_whole" else action
        lines.append(f"  JSON field {field_rule.key}: {target}")
    if j.mask_whole:
        whole = ", ".join(f"{w.path} as {w.entity_type}" for w in j.mask_whole)
        lines.append(f"  JSON mask whole: {whole}")
    if j.ignore:
        lines.append(f"  JSON ignore: {', '.join(j.ignore)}")
    object_keys = {
        "scan": "scanned, PII rewritten with the key rules",
        "reject": "scanned, a key with PII is rejected to the dead-letter topic",
        "keep": "not scanned",
    }[j.object_keys]
    lines.append(f"  JSON object keys: {object_keys}")
    record_key = {
        "keep": "kept as is",
        "scan": "scanned, PII rewritten with the key rules",
        "hash": "replaced whole by a keyed hash",
        "encrypt": "replaced whole by an encrypt token",
        "reject": "scanned, a key with PII is rejected to the dead-letter topic",
    }[p.record_key]
    lines.append(f"  record key: {record_key}")
    keyed = {**p.key_rules.entities}
    if p.key_rules.default is not None:
        lines.append(f"  keys, default rule: {describe_rule(p.key_rules.default, 'ENTITY_TYPE')}")
    else:
        lines.append(
            "  keys, default rule: the type's own rule if hash, encrypt or keep, else hash"
        )
    for name, rule in keyed.items():
        lines.append(f"    in keys: {name}  {describe_rule(rule, name)}")
    named = ", ".join(f"{n}: {a}" for n, a in p.headers.names.items())
    lines.append(
        f"  headers: {p.headers.default} by default"
        + (f"; {named}" if named else "")
        + "; piimask-* untouched"
    )
    unexpected = (
        "handled as text" if p.on_unexpected == "text" else "rejected to the dead-letter topic"
    )
    lines.append(f"  unexpected input (non-JSON, non-string at a listed path): {unexpected}")
    unknown = [t for t in p.entities if t not in KNOWN_ENTITY_TYPES]
    if unknown:
        lines.append(
            f"  note: {', '.join(unknown)} not produced by the built-in detector "
            "(fine for custom detectors)"
        )
    return lines


@policy.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def validate(file: Path) -> None:
    """Check a policy FILE (YAML or JSON) and print what it does."""
    from piimask.mask.policy import PolicyError, load_policy

    try:
        loaded = load_policy(file)
    except PolicyError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    for line in summarize(loaded, str(file)):
        click.echo(line)


@policy.command()
@click.option("--key-id", default="k1", show_default=True, help="Id of the new key.")
@click.option(
    "--rotate",
    "rotate_from",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Existing key ring file: keep its keys, add the new one and make it active.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the ring to this file (created with mode 0600) instead of stdout.",
)
def keygen(key_id: str, rotate_from: Path | None, output: Path | None) -> None:
    """Print a new key ring (JSON with a fresh random key) for PIIMASK_KEYS / PIIMASK_KEY_FILE."""
    from piimask.keys import KeyRing, KeyRingError

    try:
        if rotate_from is not None:
            ring = KeyRing.from_file(rotate_from).with_new_key(key_id)
        else:
            ring = KeyRing.generate(key_id)
    except KeyRingError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    text = ring.to_json() + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        click.echo(f"error: {output} exists; choose a new file name", err=True)
        raise SystemExit(1) from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    click.echo(f"wrote key ring to {output} (active key {ring.active_id!r})", err=True)
