from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Callable, Iterator
from typing import Literal

import pytest
import yaml
from pydantic import BaseModel, Field, ValidationError

from piimask.ops.logs import configure_logging, coordinates, register_safe_exception, safe_exc

SECRET = "4111-1111-1111-1111"


def raise_unicode() -> None:
    (b"card " + SECRET.encode() + b"\xff").decode("utf-8")


def raise_json() -> None:
    json.loads('{"card": "' + SECRET + '" oops}')


def raise_recursion() -> None:
    def deep(n: int) -> int:
        return deep(n + 1) + 1

    deep(0)


class Card(BaseModel):
    number: int
    holder: str = Field(min_length=3)


def raise_validation() -> None:
    Card.model_validate({"number": SECRET, "holder": "Jo"})


def raise_key_error() -> None:
    empty: dict[str, int] = {}
    empty[SECRET]


def raise_value_error() -> None:
    int(SECRET)


def raise_yaml() -> None:
    yaml.safe_load("card: " + SECRET + "\n  - : [")


@pytest.mark.parametrize(
    ("raiser", "expected_start", "expected_part"),
    [
        (raise_unicode, "UnicodeDecodeError:", "at byte 24: invalid start byte"),
        (raise_json, "JSONDecodeError:", "line 1 column"),
        (raise_recursion, "RecursionError:", "nested too deeply"),
        (raise_validation, "ValidationError:", "number: Input should be a valid integer"),
        (raise_key_error, "KeyError", "withheld"),
        (raise_value_error, "ValueError", "withheld"),
        (raise_yaml, "", "at line"),
    ],
)
def test_safe_exc_describes_the_error_without_the_input(
    raiser: Callable[[], None], expected_start: str, expected_part: str
) -> None:
    with pytest.raises(Exception) as info:  # noqa: PT011 - every kind of error is the point
        raiser()
    text = safe_exc(info.value)
    assert text.startswith(expected_start)
    assert expected_part in text
    assert SECRET not in text
    assert "4111" not in text


def test_safe_exc_names_every_pydantic_field_at_fault() -> None:
    with pytest.raises(ValidationError) as info:
        raise_validation()
    text = safe_exc(info.value)
    assert "2 validation errors for Card" in text
    assert "holder:" in text
    assert "'Jo'" not in text


def test_safe_exc_keeps_messages_of_piimask_and_registered_exceptions() -> None:
    class Harmless(Exception):
        pass

    register_safe_exception(Harmless)
    assert safe_exc(Harmless("broker unreachable")) == "Harmless: broker unreachable"


def test_safe_exc_keeps_os_error_reason_and_path() -> None:
    with pytest.raises(FileNotFoundError) as info:
        open("/nonexistent/piimask-policy.yaml")  # noqa: SIM115
    assert safe_exc(info.value) == (
        "FileNotFoundError: [Errno 2] No such file or directory: /nonexistent/piimask-policy.yaml"
    )


def log_lines(fmt: Literal["json", "text"], emit: Callable[[logging.Logger], None]) -> str:
    buf = io.StringIO()
    configure_logging("DEBUG", fmt, stream=buf)
    emit(logging.getLogger("piimask.test"))
    return buf.getvalue()


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    hooks = sys.excepthook
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    sys.excepthook = hooks


def test_json_logs_carry_record_coordinates() -> None:
    out = log_lines("json", lambda log: log.info("masked", extra=coordinates("in", 2, 41)))
    event = json.loads(out)
    assert event["msg"] == "masked"
    assert event["level"] == "INFO"
    assert (event["topic"], event["partition"], event["offset"]) == ("in", 2, 41)


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_logged_exceptions_show_frames_but_not_their_message(fmt: Literal["json", "text"]) -> None:
    def emit(log: logging.Logger) -> None:
        try:
            raise_value_error()
        except ValueError:
            log.exception("masking failed", extra=coordinates("in", 0, 7))

    out = log_lines(fmt, emit)
    assert SECRET not in out
    assert "ValueError" in out
    assert "raise_value_error" in out
    assert "offset" in out


def test_log_level_filters_lower_levels() -> None:
    buf = io.StringIO()
    configure_logging("warning", "json", stream=buf)
    logging.getLogger("piimask.test").info("hidden")
    logging.getLogger("piimask.test").warning("shown")
    assert [json.loads(line)["msg"] for line in buf.getvalue().splitlines()] == ["shown"]


def test_unknown_log_level_is_rejected_by_name() -> None:
    with pytest.raises(ValueError, match="log_level"):
        configure_logging("LOUD", "json", stream=io.StringIO())


def test_uncaught_exceptions_are_logged_without_their_message() -> None:
    buf = io.StringIO()
    configure_logging("INFO", "json", stream=buf)
    try:
        raise_key_error()
    except KeyError:
        sys.excepthook(*sys.exc_info())
    event = json.loads(buf.getvalue())
    assert event["level"] == "CRITICAL"
    assert event["exc_type"] == "KeyError"
    assert SECRET not in buf.getvalue()
