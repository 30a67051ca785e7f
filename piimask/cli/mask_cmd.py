"""``piimask mask`` (detect + mask a JSONL file offline) and ``piimask unmask``."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

import click

from piimask.cli.options import (
    detector_options,
    engine_from_options,
    input_argument,
    key_file_option,
    load_keyring,
    load_policy_option,
    output_option,
    policy_option,
)
from piimask.reasons import Reason

if TYPE_CHECKING:
    from piimask.mask.record import Document, Headers
    from piimask.spans import Span
    from piimask.stream.pipeline import Masked, RecordInput, Rejected


# --- piimask mask ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Reject:
    number: int
    reason: str
    detail: str
    sha256: str

    def to_json(self) -> str:
        return json.dumps(
            {
                "line": self.number,
                "reason": self.reason,
                "detail": self.detail,
                "sha256": self.sha256,
            }
        )


@dataclass(frozen=True, slots=True)
class _Line:
    """One input line on its way through the pipeline: where it came from, what it holds."""

    number: int
    raw: bytes
    record_id: object
    kind: Literal["text", "value"]
    has_key: bool
    has_headers: bool


def _raw_lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    yield from enumerate(stream, 1)


class _LineError(Exception):
    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _input_spans(value: dict[str, Any]) -> list[list[Span]]:
    """Spans given in the input line (gold ``label`` or ``entity_type`` keys), text input only."""
    from piimask.spans import Span

    raw = value.get("spans")
    if not isinstance(raw, list):
        raise _LineError(Reason.INVALID_SPANS, "field 'spans' must be a list")
    spans = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise _LineError(Reason.INVALID_SPANS, f"spans[{i}] must be an object")
        entity = item.get("entity_type", item.get("label"))
        start, end = item.get("start"), item.get("end")
        if not isinstance(entity, str) or not isinstance(start, int) or not isinstance(end, int):
            raise _LineError(
                Reason.INVALID_SPANS, f"spans[{i}] needs integer start/end and a label"
            )
        score = item.get("score", 1.0)
        detector = item.get("detector", "input")
        try:
            spans.append(Span(start, end, entity, float(score), str(detector)))
        except (TypeError, ValueError):
            raise _LineError(Reason.INVALID_SPANS, f"spans[{i}]: score must be a number") from None
    return [spans]


def _record_key(value: dict[str, Any]) -> bytes | None:
    key = value.get("key")
    if key is None:
        return None
    if not isinstance(key, str):
        raise _LineError(Reason.INVALID_KEY, "field 'key' must be a string or null")
    return key.encode("utf-8", "surrogatepass")


def _record_headers(value: dict[str, Any]) -> Headers:
    headers = value.get("headers")
    if headers is None:
        return ()
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise _LineError(
            Reason.INVALID_HEADER, "field 'headers' must be an object of header name -> string"
        )
    return tuple((name, text.encode("utf-8", "surrogatepass")) for name, text in headers.items())


class _MaskRun:
    """File I/O around the shared pipeline: lines in, masked lines and rejects out."""

    def __init__(self, *, plain_text: bool, spans_from_input: bool) -> None:
        self.plain_text = plain_text
        self.spans_from_input = spans_from_input
        self.rejects: list[_Reject] = []
        self.lines_ok = 0
        self.spans_masked = 0

    def reject(self, number: int, raw: bytes, reason: str, detail: str) -> None:
        digest = hashlib.sha256(raw.rstrip(b"\r\n")).hexdigest()
        self.rejects.append(_Reject(number, reason, detail, digest))
        click.echo(f"line {number}: rejected: {reason}: {detail}", err=True)

    def parse(self, number: int, raw: bytes) -> tuple[_Line, RecordInput] | None:
        from piimask.mask.record import Document
        from piimask.stream.pipeline import RecordInput

        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.reject(number, raw, Reason.INVALID_UTF8, f"not UTF-8 (byte {exc.start})")
            return None
        line = line.rstrip("\r\n")
        if self.plain_text:
            return (
                _Line(number, raw, number, "text", has_key=False, has_headers=False),
                RecordInput(line, value_format="text"),
            )
        if not line.strip():
            return None
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            self.reject(number, raw, Reason.INVALID_JSON, f"{exc.msg} at column {exc.colno}")
            return None
        except (RecursionError, ValueError):
            self.reject(number, raw, Reason.INVALID_JSON, "not parseable")
            return None
        if not isinstance(value, dict):
            self.reject(
                number, raw, Reason.NOT_JSON_OBJECT, "expected an object with 'text' or 'value'"
            )
            return None
        record_id = value.get("id", number)
        try:
            key = _record_key(value)
            headers = _record_headers(value)
            body: str | Document
            if isinstance(value.get("text"), str):
                kind: Literal["text", "value"] = "text"
                body = value["text"]
            elif "value" in value:
                kind, body = "value", Document(value["value"])
            elif "text" in value:
                raise _LineError(Reason.INVALID_TEXT, "field 'text' must be a string")
            else:
                raise _LineError(Reason.MISSING_TEXT, "needs a 'text' string or a 'value'")
            spans = None
            if self.spans_from_input:
                if kind != "text" or "key" in value or "headers" in value:
                    raise _LineError(
                        Reason.INVALID_SPANS,
                        "--spans-from-input works with 'text' lines only (no key, no headers)",
                    )
                spans = _input_spans(value)
        except _LineError as exc:
            self.reject(number, raw, exc.reason, exc.detail)
            return None
        return (
            _Line(number, raw, record_id, kind, "key" in value, "headers" in value),
            RecordInput(
                body,
                key=key,
                headers=headers,
                value_format="text" if kind == "text" else None,
                spans=spans,
            ),
        )

    def finish(self, line: _Line, result: Masked | Rejected, policy_version: str) -> str | None:
        from piimask.stream.pipeline import Rejected

        if isinstance(result, Rejected):
            self.reject(line.number, line.raw, result.reason, result.detail)
            return None
        self.lines_ok += 1
        self.spans_masked += sum(1 for m in result.masks if m.masked)
        out: dict[str, object] = {"id": line.record_id}
        if line.has_key:
            out["key"] = None if result.key is None else result.key.decode("utf-8")
        if line.kind == "text":
            out["text"] = result.text
        else:
            out["value"] = result.document
        if line.has_headers:
            out["headers"] = {name: value.decode("utf-8") for name, value in result.headers}
        out["masks"] = [m.to_dict() for m in result.masks]
        out["policy_version"] = policy_version
        return json.dumps(out, ensure_ascii=False)


@click.command()
@input_argument()
@output_option(required=True, help="Masked JSONL ('-' for stdout).")
@policy_option
@click.option("--text", "plain_text", is_flag=True, help="Input lines are plain text, not JSON.")
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Rejected lines: line number, reason, sha256 of the line (default: "
    "OUTPUT.rejects.jsonl, or stderr only when OUTPUT is '-').",
)
@key_file_option
@click.option("--dev-keys", is_flag=True, help="Use an ephemeral random key ring (testing only).")
@click.option("--batch-size", default=256, show_default=True, type=click.IntRange(1, 100_000))
@click.option(
    "--spans-from-input",
    is_flag=True,
    help="Skip detection: mask the 'spans' given in each input line (start, end, "
    "entity_type or label). For evaluation and tests.",
)
@detector_options
def mask(
    input_path: str,
    output_path: str,
    policy_path: Path | None,
    plain_text: bool,
    rejects_path: Path | None,
    key_file: Path | None,
    dev_keys: bool,
    batch_size: int,
    spans_from_input: bool,
    **detector: object,
) -> None:
    """Detect and mask PII in INPUT.jsonl.

    Input lines are {"id", "text"} or {"id", "value": <JSON document>} (or plain text with
    --text). Output lines carry the id, the masked "text" or "value", the applied "masks"
    and the "policy_version". Bad lines go to the rejects file, never to the output.
    """
    from piimask.mask.record import RecordMasker
    from piimask.stream.pipeline import run_batch

    if plain_text and spans_from_input:
        raise click.UsageError("--spans-from-input needs JSON lines, not --text")
    keyring = load_keyring(key_file, dev_keys)
    policy_obj = load_policy_option(policy_path)
    masker = RecordMasker(policy_obj, keyring, message_format="json")
    run = _MaskRun(plain_text=plain_text, spans_from_input=spans_from_input)
    engine = None if spans_from_input else engine_from_options(detector)
    if rejects_path is None and output_path != "-":
        rejects_path = Path(output_path + ".rejects.jsonl")

    started = time.perf_counter()
    in_stream: IO[bytes] = (
        sys.stdin.buffer if input_path == "-" else Path(input_path).open("rb")  # noqa: SIM115
    )
    out: IO[str] = (
        sys.stdout if output_path == "-" else Path(output_path).open("w", encoding="utf-8")  # noqa: SIM115
    )
    try:
        lines = _raw_lines(in_stream)
        while chunk := list(islice(lines, batch_size)):
            parsed = [p for number, raw in chunk if (p := run.parse(number, raw)) is not None]
            results = run_batch(
                [record for _line, record in parsed], detector=engine, masker=masker
            ).results
            for (line, _record), result in zip(parsed, results, strict=True):
                text = run.finish(line, result, policy_obj.version)
                if text is not None:
                    out.write(text + "\n")
    finally:
        if in_stream is not sys.stdin.buffer:
            in_stream.close()
        if out is not sys.stdout:
            out.close()
    if rejects_path is not None:
        with rejects_path.open("w", encoding="utf-8") as handle:
            for rej in run.rejects:
                handle.write(rej.to_json() + "\n")
    elapsed = time.perf_counter() - started
    click.echo(
        f"masked {run.lines_ok} line(s), {run.spans_masked} span(s) masked, "
        f"{len(run.rejects)} rejected, policy {policy_obj.version!r}, "
        f"{run.lines_ok / elapsed if elapsed else 0:.0f} lines/s",
        err=True,
    )
    if run.rejects:
        where = f" (see {rejects_path})" if rejects_path else ""
        click.echo(f"{len(run.rejects)} line(s) rejected{where}", err=True)
        raise SystemExit(1)


# --- piimask unmask ----------------------------------------------------------------------


@click.command()
@input_argument("INPUT", optional=True)
@output_option()
@click.option(
    "--format",
    "input_format",
    type=click.Choice(["auto", "text", "jsonl"]),
    default="auto",
    show_default=True,
    help="auto: lines that parse as JSON objects/arrays are unmasked field by field "
    "(keeps them valid JSON), other lines as text.",
)
@key_file_option
def unmask(input_path: str, output_path: str, input_format: str, key_file: Path | None) -> None:
    """Replace <enc:...> tokens in masked text or JSONL by the original values.

    Needs the key ring the tokens were made with (older keys of a rotated ring work).
    Any token that does not decrypt (wrong key, modified token) is an error: nothing is
    written and the exit status is 1.
    """
    from piimask.mask import unmask_json, unmask_text

    keyring = load_keyring(key_file, dev_keys=False)
    in_stream: IO[bytes] = (
        sys.stdin.buffer if input_path == "-" else Path(input_path).open("rb")  # noqa: SIM115
    )
    problems: list[str] = []
    tokens = 0
    with tempfile.SpooledTemporaryFile(max_size=64 << 20, mode="w+", encoding="utf-8") as buffer:
        try:
            for number, raw in enumerate(in_stream, 1):
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    problems.append(f"line {number}: not UTF-8 (byte {exc.start})")
                    continue
                body = line.rstrip("\r\n")
                ending = line[len(body) :]
                document: object = None
                is_json = False
                if input_format != "text" and body.strip():
                    try:
                        document = json.loads(body)
                        is_json = isinstance(document, dict | list)
                    except (ValueError, RecursionError):
                        is_json = False
                    if input_format == "jsonl" and not is_json:
                        problems.append(f"line {number}: not a JSON object or array")
                        continue
                result = unmask_json(document, keyring) if is_json else unmask_text(body, keyring)
                for issue in result.issues:
                    problems.append(f"line {number}: {issue.describe()}")
                tokens += result.tokens
                if is_json and result.tokens:
                    buffer.write(json.dumps(result.value, ensure_ascii=False) + ending)
                elif is_json:
                    buffer.write(line)
                else:
                    assert isinstance(result.value, str)
                    buffer.write(result.value + ending)
        finally:
            if in_stream is not sys.stdin.buffer:
                in_stream.close()
        if problems:
            for problem in problems[:20]:
                click.echo(f"error: {problem}", err=True)
            if len(problems) > 20:
                click.echo(f"error: ... and {len(problems) - 20} more", err=True)
            click.echo("nothing written: fix the input or use the right key ring", err=True)
            raise SystemExit(1)
        buffer.seek(0)
        if output_path == "-":
            shutil.copyfileobj(buffer, sys.stdout)
        else:
            with Path(output_path).open("w", encoding="utf-8") as out:
                shutil.copyfileobj(buffer, out)
    click.echo(f"unmasked {tokens} token(s)", err=True)
