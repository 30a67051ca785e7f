"""``piimask dlq``: list and replay dead letters."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import click

from piimask.cli.options import env_file_option, load_settings

_topic = click.option(
    "--topic", default=None, help="Dead-letter topic (default: PIIMASK_DLQ_TOPIC)."
)


@click.group("dlq")
def dlq() -> None:
    """Inspect and replay the dead-letter topic (payloads stay encrypted in the topic)."""


@dlq.command("list")
@env_file_option
@_topic
@click.option("--reason", "reasons", multiple=True, help="Only letters with this reason.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per letter.")
def list_letters(
    env_file: Path | None, topic: str | None, reasons: tuple[str, ...], as_json: bool
) -> None:
    """Show reasons and source coordinates of dead letters (never their payloads)."""
    from piimask.stream.replay import read_letters

    settings = load_settings(env_file)
    name = topic or settings.dlq_topic

    async def run() -> None:
        counts: dict[str, int] = {}
        async for stored in read_letters(settings, name):
            letter = stored.letter
            if letter is None:
                counts["unreadable"] = counts.get("unreadable", 0) + 1
                if not reasons:
                    click.echo(f"{stored.address}\t-\tunreadable\t{stored.error}")
                continue
            if reasons and letter.reason not in reasons:
                continue
            counts[letter.reason] = counts.get(letter.reason, 0) + 1
            if as_json:
                doc = letter.model_dump(
                    mode="json",
                    exclude={"key_encrypted", "value_encrypted", "headers_encrypted"},
                )
                doc["dlq_address"] = stored.address
                doc["replayable"] = letter.replayable
                click.echo(json.dumps(doc))
            else:
                size = "-" if letter.value_size is None else f"{letter.value_size}B"
                click.echo(
                    f"{stored.address}\t{letter.source}\t{letter.reason}\t"
                    f"{letter.dead_lettered_at.isoformat(timespec='seconds')}\t{size}\t"
                    f"{'replayable' if letter.replayable else 'not-replayable'}\t{letter.detail}"
                )
        if not as_json:
            total = sum(counts.values())
            by_reason = ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "none"
            click.echo(f"{total} dead letter(s): {by_reason}", err=True)

    try:
        asyncio.run(run())
    except (LookupError, TimeoutError) as exc:
        raise click.ClickException(str(exc)) from None


@dlq.command("replay")
@env_file_option
@_topic
@click.option("--reason", "reasons", multiple=True, help="Replay letters with this reason.")
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="TOPIC:PARTITION:OFFSET",
    help="Replay the letter of this input record (repeatable).",
)
@click.option("--all", "replay_all", is_flag=True, help="Replay every letter (no filter).")
@click.option("--dry-run", is_flag=True, help="Show what would be replayed; send nothing.")
def replay_letters(
    env_file: Path | None,
    topic: str | None,
    reasons: tuple[str, ...],
    sources: tuple[str, ...],
    replay_all: bool,
    dry_run: bool,
) -> None:
    """Re-send chosen dead letters, decrypted, to their input topic (after a fix).

    The worker then processes them again like new records. Needs the key ring that
    encrypted them (PIIMASK_KEYS / PIIMASK_KEY_FILE).
    """
    from piimask.coordinates import parse_source, source_text
    from piimask.keys import KeyRingError
    from piimask.loaders import load_keyring
    from piimask.stream.replay import Selection, replay

    if not (reasons or sources or replay_all):
        raise click.UsageError("choose letters with --reason, --source or --all")
    try:
        chosen_sources = frozenset(source_text(*parse_source(s)) for s in sources)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--source") from None
    settings = load_settings(env_file)
    try:
        keyring = load_keyring(settings)
    except KeyRingError as exc:
        raise click.ClickException(
            f"replay decrypts dead letters: set PIIMASK_KEYS or PIIMASK_KEY_FILE ({exc})"
        ) from None
    selection = Selection(reasons=frozenset(reasons), sources=chosen_sources)
    try:
        report = asyncio.run(
            replay(settings, topic or settings.dlq_topic, selection, keyring, dry_run=dry_run)
        )
    except (LookupError, TimeoutError) as exc:
        raise click.ClickException(str(exc)) from None
    verb = "would replay" if dry_run else "replayed"
    for source in report.replayed:
        click.echo(f"{verb}\t{source}")
    for source, why in report.skipped:
        click.echo(f"skipped\t{source}\t{why}")
    click.echo(f"{len(report.replayed)} {verb}, {len(report.skipped)} skipped", err=True)
