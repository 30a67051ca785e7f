"""``piimask audit``: report, verify, find and index the audit trail — never seeing raw PII."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from piimask.audit.chain import CHAIN_PURPOSE
from piimask.audit.find import Match, find_by_source, find_by_values, parse_source
from piimask.audit.index import AuditIndex
from piimask.audit.render import csv_text, report_rows, report_table, table
from piimask.audit.report import TimeRange, build_report
from piimask.audit.sources import TrailSource, index_topic
from piimask.audit.topic import AuditTopicError, read_topic
from piimask.audit.trail import TrailEntry
from piimask.audit.verify import Verifier
from piimask.cli.options import bootstrap_option, key_file_option, load_keyring, load_settings
from piimask.keys import KeyRingError
from piimask.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])

_FORMATS = click.Choice(["table", "json", "csv"])


def _client_kwargs(settings: Settings) -> dict[str, object]:
    from piimask.stream.kafka_security import KafkaSecurityError, client_security_kwargs

    try:
        return dict(client_security_kwargs(settings))
    except KafkaSecurityError as exc:
        raise click.ClickException(str(exc)) from None


def source_options(func: F) -> F:
    options = [
        click.option(
            "--db",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Read an index built by `piimask audit index`.",
        ),
        click.option(
            "--file",
            "file_",
            type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
            help="Read a JSONL file of audit events ('-' = stdin).",
        ),
        bootstrap_option,
        click.option("--topic", help="Audit topic [default: PIIMASK_AUDIT_TOPIC]."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _source(
    db: Path | None, file_: Path | None, bootstrap: str | None, topic: str | None
) -> TrailSource:
    if db is not None and file_ is not None:
        raise click.UsageError("give either --db or --file, not both")
    if db is not None or file_ is not None:
        return TrailSource(db=db, file=file_)
    return _topic_source(bootstrap, topic)[0]


def _topic_source(bootstrap: str | None, topic: str | None) -> tuple[TrailSource, str, str]:
    settings = load_settings()
    bootstrap_ = bootstrap or settings.kafka_bootstrap
    topic_ = topic or settings.audit_topic
    source = TrailSource(bootstrap=bootstrap_, topic=topic_, client_kwargs=_client_kwargs(settings))
    return source, bootstrap_, topic_


def _run(action: Callable[[], Any]) -> Any:
    """Turn the expected failures of reading a trail into one-line errors."""
    try:
        return action()
    except (FileNotFoundError, ValueError, AuditTopicError, KeyRingError) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"{exc.strerror or type(exc).__name__}") from None
    except Exception as exc:
        if type(exc).__module__.startswith("aiokafka"):
            raise click.ClickException(f"kafka: {exc}") from None
        raise


def _parse_time(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not an ISO 8601 time: {value!r}", param_hint=option) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _default_format(fmt: str | None) -> str:
    if fmt is not None:
        return fmt
    return "table" if sys.stdout.isatty() else "json"


@click.group()
def audit() -> None:
    """Inspect the audit trail: totals, tamper checks, data-subject look-ups.

    The trail is read from the audit topic (--bootstrap/--topic, from the beginning to
    the current end), from an index file (--db, see `audit index`) or from a JSONL copy
    (--file).
    """


@audit.command()
@source_options
@click.option("--since", help="Only events at or after this ISO time (UTC if no zone).")
@click.option("--until", help="Only events before this ISO time (UTC if no zone).")
@click.option(
    "--format",
    "fmt",
    type=_FORMATS,
    help="Output format [default: table on a terminal, else json].",
)
def report(
    db: Path | None,
    file_: Path | None,
    bootstrap: str | None,
    topic: str | None,
    since: str | None,
    until: str | None,
    fmt: str | None,
) -> None:
    """Records, outcomes, findings and score distributions over a time range."""
    window = TimeRange(_parse_time(since, "--since"), _parse_time(until, "--until"))
    source = _source(db, file_, bootstrap, topic)

    def build() -> dict[str, Any]:
        with source.open_index() as index:
            return build_report(index, window)

    result = _run(build)
    fmt = _default_format(fmt)
    if fmt == "json":
        click.echo(json.dumps(result, indent=2))
    elif fmt == "csv":
        click.echo(csv_text(["section", "name", "metric", "value"], report_rows(result)))
    else:
        click.echo(report_table(result))


@audit.command()
@source_options
@key_file_option
@click.option(
    "--partial-start",
    is_flag=True,
    help="Accept chains whose beginning is missing (audit topic retention); report a notice.",
)
@click.option(
    "--allow-gaps",
    is_flag=True,
    help="Report offset gaps as notices (input topics with transaction markers or compaction).",
)
@click.option(
    "--expect-through",
    multiple=True,
    metavar="TOPIC:PARTITION:OFFSET",
    help="Fail unless that chain has events up to OFFSET (detects a truncated tail).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--quiet", "-q", is_flag=True, help="Print errors and the verdict only.")
def verify(
    db: Path | None,
    file_: Path | None,
    bootstrap: str | None,
    topic: str | None,
    key_file: Path | None,
    partial_start: bool,
    allow_gaps: bool,
    expect_through: tuple[str, ...],
    fmt: str,
    quiet: bool,
) -> None:
    """Check the hash chains: no gaps, broken links or edited events. Exit 1 if any."""
    expected: dict[tuple[str, int], int] = {}
    for text in expect_through:
        try:
            t, p, o = parse_source(text)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--expect-through") from None
        expected[(t, p)] = o
    keyring = load_keyring(key_file, offer_dev_keys=False)

    def chain_key(key_id: str | None) -> bytes | None:
        if key_id is not None and not keyring.has_key(key_id):
            return None
        return keyring.hmac_key(CHAIN_PURPOSE, key_id)

    verifier = Verifier(
        chain_key, partial_start=partial_start, allow_gaps=allow_gaps, expect_through=expected
    )
    source = _source(db, file_, bootstrap, topic)
    _run(lambda: source.stream_entries(verifier))
    result = verifier.finish()

    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        if not quiet and result.chains:
            click.echo(
                table(
                    ["chain", "events", "first offset", "last offset", "segments", "duplicates"],
                    [
                        [
                            f"{c.topic}:{c.partition}",
                            c.events,
                            c.first_offset,
                            c.last_offset,
                            c.segments,
                            c.duplicates,
                        ]
                        for c in result.chains
                    ],
                )
            )
            click.echo("")
        for issue in result.issues:
            if issue.severity == "error" or not quiet:
                click.echo(issue.render())
        errors = len(result.errors)
        notices = len(result.issues) - errors
        verdict = "OK" if result.ok else "FAILED"
        click.echo(
            f"{verdict}: {result.entries} events in {len(result.chains)} chain(s) from"
            f" {source.describe()}; {errors} error(s), {notices} notice(s)"
        )
    if not result.ok:
        sys.exit(1)


def _read_values(values: tuple[str, ...], value_file: IO[str] | None) -> list[str]:
    collected = list(values)
    if value_file is not None:
        collected += [line.rstrip("\r\n") for line in value_file if line.strip()]
    return collected


_FIND_COLUMNS = [
    "time",
    "source",
    "output",
    "outcome",
    "matched",
    "value",
    "entity_type",
    "field",
    "start",
    "end",
    "operator",
    "masked",
    "reason",
    "count",
]


@audit.command()
@source_options
@key_file_option
@click.option(
    "--value",
    "values",
    multiple=True,
    help="A value to look for (repeatable). Prefer --value-file: command lines are visible.",
)
@click.option(
    "--value-file",
    type=click.File("r", encoding="utf-8"),
    help="Values to look for, one per line ('-' = stdin).",
)
@click.option(
    "--source",
    "source_coords",
    metavar="TOPIC:PARTITION:OFFSET",
    help="List the findings of one input record instead.",
)
@click.option("--format", "fmt", type=_FORMATS, help="[default: table on a terminal, else json]")
def find(
    db: Path | None,
    file_: Path | None,
    bootstrap: str | None,
    topic: str | None,
    key_file: Path | None,
    values: tuple[str, ...],
    value_file: IO[str] | None,
    source_coords: str | None,
    fmt: str | None,
) -> None:
    """Records that contained a value (data-subject requests), or the findings of one record.

    A value is matched by its keyed fingerprint, as given and trimmed/lower-cased, under
    every key id in the ring. Output names which value matched by position (value 1, 2,
    ...), never the value itself. Records with more findings than an audit event lists
    match through the event's fingerprint digest ("value_digest": probably held, about
    1% false positives, no position).
    """
    asked = _read_values(values, value_file)
    if bool(asked) == bool(source_coords):
        raise click.UsageError("give --value/--value-file or --source (one of them)")
    coords: tuple[str, int, int] | None = None
    if source_coords is not None:
        try:
            coords = parse_source(source_coords)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--source") from None
    keyring = load_keyring(key_file, offer_dev_keys=False) if asked else None
    source = _source(db, file_, bootstrap, topic)

    def look_up() -> list[Match]:
        with source.open_index() as index:
            if coords is not None:
                return find_by_source(index, *coords)
            assert keyring is not None
            return find_by_values(index, keyring, asked)

    matches: list[Match] = _run(look_up)
    fmt = _default_format(fmt)
    records = sorted({m.source for m in matches})
    if fmt == "json":
        click.echo(
            json.dumps({"records": records, "matches": [m.to_dict() for m in matches]}, indent=2)
        )
        return
    rows = [
        [
            m.time,
            m.source,
            m.output,
            m.outcome,
            m.matched,
            None if m.value_index is None else f"#{m.value_index}",
            m.entity_type,
            m.field,
            m.start,
            m.end,
            m.operator,
            None if m.masked is None else ("yes" if m.masked else "no"),
            m.reason,
            m.count,
        ]
        for m in matches
    ]
    if fmt == "csv":
        click.echo(csv_text(_FIND_COLUMNS, rows))
        return
    if not matches:
        click.echo(f"no records found in {source.describe()}")
        return
    click.echo(table(_FIND_COLUMNS, rows))
    click.echo(f"\n{len(records)} record(s), {len(matches)} match(es)")


@audit.command("index")
@click.option(
    "--db",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="SQLite index file (created if missing; updated incrementally).",
)
@bootstrap_option
@click.option("--topic", help="Audit topic [default: PIIMASK_AUDIT_TOPIC].")
@click.option(
    "--file",
    "file_",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="Index a JSONL file of events instead of the topic.",
)
def index_command(db: Path, bootstrap: str | None, topic: str | None, file_: Path | None) -> None:
    """Consume the audit topic (only what is new since the last run) into an SQLite index."""
    if file_ is not None:
        file_source = TrailSource(file=file_)

        def add_file() -> str:
            with AuditIndex(db) as index:
                stats = index.add(file_source.file_entries())
                total, _ = index.counts()
            return f"indexed {stats.added} event(s), {stats.rejected} rejected; {db} holds {total}"

        click.echo(_run(add_file))
        return
    source, bootstrap_, topic_ = _topic_source(bootstrap, topic)

    def add_topic() -> str:
        with AuditIndex(db) as index:
            stats, positions = index_topic(index, bootstrap_, topic_, source.client_kwargs)
            total, _ = index.counts()
        offsets = ", ".join(f"{p}:{o}" for p, o in sorted(positions.items()))
        return (
            f"indexed {stats.added} event(s), {stats.rejected} rejected from {topic_}"
            f" (next offsets {offsets}); {db} holds {total}"
        )

    click.echo(_run(add_topic))


@audit.command()
@bootstrap_option
@click.option("--topic", help="Audit topic [default: PIIMASK_AUDIT_TOPIC].")
@click.option(
    "--output",
    "-o",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="JSONL file to write [default: stdout].",
)
def dump(bootstrap: str | None, topic: str | None, output: IO[str]) -> None:
    """Copy the audit topic, event by event as stored, to a JSONL file (verify --file reads it)."""
    source, bootstrap_, topic_ = _topic_source(bootstrap, topic)

    def on_batch(entries: list[TrailEntry], _positions: dict[int, int]) -> None:
        for entry in entries:
            # raw line breaks can only be whitespace between JSON tokens: safe to flatten
            output.write(entry.text.replace("\r", " ").replace("\n", " ") + "\n")

    _run(
        lambda: asyncio.run(
            read_topic(bootstrap_, topic_, on_batch, client_kwargs=source.client_kwargs)
        )
    )


# Exit status of `audit drift` when a period holds too few records to judge.
DRIFT_CANNOT_JUDGE = 3


@audit.command()
@source_options
@click.option(
    "--baseline",
    required=True,
    metavar="FROM..TO",
    help="Baseline period: ISO times (UTC if no zone), [FROM, TO); a side may be empty.",
)
@click.option(
    "--window", required=True, metavar="FROM..TO", help="Period compared with the baseline."
)
@click.option(
    "--max-rate-change",
    type=click.FloatRange(min=0.0),
    default=0.5,
    show_default=True,
    help="Flag a type whose findings per 1,000 records moved by more than this (relative).",
)
@click.option(
    "--max-psi",
    type=click.FloatRange(min=0.0),
    default=0.25,
    show_default=True,
    help="Flag a type whose score distribution's PSI (and the type mix's) passes this.",
)
@click.option(
    "--min-findings",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Judge a type only when one period holds this many of its findings.",
)
@click.option(
    "--min-records",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help=f"Each period needs this many scanned records, else exit {DRIFT_CANNOT_JUDGE}.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def drift(
    db: Path | None,
    file_: Path | None,
    bootstrap: str | None,
    topic: str | None,
    baseline: str,
    window: str,
    max_rate_change: float,
    max_psi: float,
    min_findings: int,
    min_records: int,
    fmt: str,
) -> None:
    """Compare two periods of the trail: exit 1 on drift past the limits (for cron or CI).

    Per entity type: findings per 1,000 scanned records and the score distribution (PSI);
    over all types, the entity-type mix (PSI). Exit 0: no drift; 1: drift;
    3: a period has too few records to judge.
    """
    from piimask.audit.drift import (
        DriftLimits,
        compare,
        format_drift,
        parse_time_range,
        period_stats,
    )

    try:
        base_range = parse_time_range(baseline)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--baseline") from None
    try:
        window_range = parse_time_range(window)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--window") from None
    source = _source(db, file_, bootstrap, topic)
    limits = DriftLimits(max_rate_change, max_psi, min_findings, min_records)

    def build() -> Any:
        with source.open_index() as index:
            return compare(
                period_stats(index, base_range), period_stats(index, window_range), limits
            )

    result = _run(build)
    click.echo(json.dumps(result.to_dict(), indent=2) if fmt == "json" else format_drift(result))
    if result.insufficient:
        sys.exit(DRIFT_CANNOT_JUDGE)
    if result.drifted:
        sys.exit(1)
