"""Structured logs that carry record coordinates, never record content.

The rule is simple: never pass a payload, a field value or a detected span's
text to a logger. What a formatter can enforce, it does: exception messages
are replaced by :func:`safe_exc` (messages of ``KeyError``, ``ValueError``,
``UnicodeDecodeError``... may quote the input), and tracebacks are printed as
frames only.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal, TextIO

LogFormat = Literal["json", "text"]

# Exceptions raised by these packages are written to describe state, not data.
_SAFE_MODULE_PREFIXES = ("piimask.", "aiokafka.", "kafka.", "faust.", "mode.")
_SAFE_TYPES: set[type[BaseException]] = set()
_MAX_MESSAGE = 500
_MAX_VALIDATION_ERRORS = 5

_STANDARD_ATTRS = frozenset(
    logging.LogRecord("", 0, "", 0, "", (), None).__dict__.keys()
    | {"message", "asctime", "taskName"}
)


def register_safe_exception(cls: type[BaseException]) -> type[BaseException]:
    """Declare that ``str(exc)`` of ``cls`` never contains input (usable as a decorator)."""
    _SAFE_TYPES.add(cls)
    return cls


def safe_exc(exc: BaseException) -> str:
    """The exception's type and a description that carries no input content.

    Used for dead-letter reasons and log lines. Positions, field paths and
    error kinds are kept because they are what an operator needs to find the
    problem in the (encrypted) dead-lettered payload.
    """
    name = type(exc).__name__
    if isinstance(exc, UnicodeDecodeError):
        return f"{name}: input is not valid {exc.encoding} at byte {exc.start}: {exc.reason}"
    if isinstance(exc, UnicodeEncodeError):
        return f"{name}: cannot encode as {exc.encoding} at position {exc.start}: {exc.reason}"
    if isinstance(exc, json.JSONDecodeError):
        return f"{name}: {exc.msg} at line {exc.lineno} column {exc.colno}"
    if isinstance(exc, RecursionError):
        return f"{name}: input nested too deeply (recursion limit reached)"
    validation = _describe_validation_error(exc)
    if validation is not None:
        return f"{name}: {validation}"
    yaml_desc = _describe_yaml_error(exc)
    if yaml_desc is not None:
        return f"{name}: {yaml_desc}"
    if isinstance(exc, OSError) and not _is_safe_type(exc):
        return _describe_os_error(name, exc)
    if _is_safe_type(exc):
        text = " ".join(str(exc).split())
        if len(text) > _MAX_MESSAGE:
            text = text[: _MAX_MESSAGE - 1] + "…"
        return f"{name}: {text}" if text else name
    return f"{name} (message withheld: it may quote input)"


def _is_safe_type(exc: BaseException) -> bool:
    cls = type(exc)
    if any(issubclass(cls, safe) for safe in _SAFE_TYPES):
        return True
    module = cls.__module__ + "."
    return module.startswith(_SAFE_MODULE_PREFIXES)


def _describe_validation_error(exc: BaseException) -> str | None:
    errors_fn = getattr(exc, "errors", None)
    if type(exc).__name__ != "ValidationError" or not callable(errors_fn):
        return None
    try:
        # include_input=False: pydantic would otherwise echo the offending value.
        errors = errors_fn(include_input=False, include_url=False, include_context=False)
    except TypeError:
        return "validation failed"
    parts = []
    for err in errors[:_MAX_VALIDATION_ERRORS]:
        loc = ".".join(str(p) for p in err.get("loc", ())) or "(root)"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    more = len(errors) - _MAX_VALIDATION_ERRORS
    if more > 0:
        parts.append(f"and {more} more")
    title = getattr(exc, "title", "")
    head = f"{len(errors)} validation error{'s' if len(errors) != 1 else ''}"
    return f"{head}{' for ' + title if title else ''}: " + "; ".join(parts)


def _describe_yaml_error(exc: BaseException) -> str | None:
    # MarkedYAMLError's str() prints the offending source line; keep the position only.
    mark = getattr(exc, "problem_mark", None)
    if mark is None or not hasattr(mark, "line"):
        return None
    problem = getattr(exc, "problem", None) or "invalid YAML"
    return f"{problem} at line {mark.line + 1} column {mark.column + 1}"


def _describe_os_error(name: str, exc: OSError) -> str:
    if exc.errno is None and exc.strerror is None:
        return name
    text = f"{name}: [Errno {exc.errno}] {exc.strerror}"
    if exc.filename is not None:
        text += f": {exc.filename}"
    return text


def _frames(tb: TracebackType | None) -> list[str]:
    return [f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(tb)]


def _exception_fields(
    exc_info: tuple[type[BaseException], BaseException, TracebackType | None],
) -> dict[str, Any]:
    _, exc, tb = exc_info
    fields: dict[str, Any] = {"exc_type": type(exc).__name__, "exc": safe_exc(exc)}
    fields["stack"] = _frames(tb)
    cause = exc.__cause__ or exc.__context__
    if cause is not None:
        fields["exc_cause"] = safe_exc(cause)
    return fields


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD_ATTRS}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, msg, extra fields, exception summary."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in _extras(record).items():
            out.setdefault(key, _jsonable(value))
        if record.exc_info and record.exc_info[1] is not None:
            out.update(_exception_fields(record.exc_info))
        return json.dumps(out, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Human-readable lines; extras as ``key=value``; exceptions without their messages."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text
        record.exc_info, record.exc_text = None, None
        try:
            line = super().format(record)
        finally:
            record.exc_info, record.exc_text = saved
        extras = _extras(record)
        if extras:
            line += " " + " ".join(f"{k}={_jsonable(v)}" for k, v in extras.items())
        if record.exc_info and record.exc_info[1] is not None:
            fields = _exception_fields(record.exc_info)
            line += "\n  " + fields["exc"]
            if "exc_cause" in fields:
                line += f"\n  caused by {fields['exc_cause']}"
            line += "".join(f"\n    at {frame}" for frame in fields["stack"])
        return line


# Kafka clients log every failed connection attempt, fetch and heartbeat: about a hundred
# lines a second during a broker outage. One line per kind per interval says as much.
REPEAT_INTERVAL_S = 15.0
_CLIENT_LOGGERS = ("aiokafka", "kafka")
_MAX_KINDS = 1000


class RepeatLimiter(logging.Filter):
    """Passes the first WARNING+ line of each kind from the Kafka client per interval.

    A kind is (logger, level, message template). The next line of a kind that passes
    carries ``repeated``: how many lines of that kind were held back since the last one.
    """

    def __init__(
        self,
        interval_s: float = REPEAT_INTERVAL_S,
        *,
        loggers: tuple[str, ...] = _CLIENT_LOGGERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.interval_s = interval_s
        self._loggers = loggers
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, int, str], list[float]] = {}

    def _applies(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return False
        name = record.name
        return any(name == p or name.startswith(p + ".") for p in self._loggers)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._applies(record):
            return True
        key = (record.name, record.levelno, str(record.msg))
        now = self._clock()
        with self._lock:
            state = self._seen.get(key)
            if state is not None and now - state[0] < self.interval_s:
                state[1] += 1
                return False
            if len(self._seen) >= _MAX_KINDS:
                self._seen.clear()
            self._seen[key] = [now, 0]
        if state is not None and state[1]:
            record.repeated = int(state[1])
        return True


def configure_logging(
    level: str = "INFO", fmt: LogFormat = "json", *, stream: TextIO | None = None
) -> None:
    """Set up the root logger and route uncaught exceptions through it.

    Uncaught exceptions would otherwise be printed by the interpreter with
    their messages, which may quote input.
    """
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ValueError(f"log_level: unknown level {level.upper()!r}")
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RepeatLimiter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)
    # At DEBUG the Kafka clients log whole records as fetched and sent (the raw input, key
    # and headers included): no level may put input in the log.
    for name in _CLIENT_LOGGERS:
        logging.getLogger(name).setLevel(max(numeric, logging.INFO))
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_thread


def _log_uncaught(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    logging.getLogger("piimask").critical("uncaught exception", exc_info=(exc_type, exc, tb))


def _log_uncaught_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None:
        return
    logging.getLogger("piimask").critical(
        "uncaught exception in thread",
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        extra={"thread_name": args.thread.name if args.thread else None},
    )


def coordinates(topic: str, partition: int, offset: int) -> dict[str, Any]:
    """``extra=`` for a log call about one record: where it is, not what it says."""
    return {"topic": topic, "partition": partition, "offset": offset}
