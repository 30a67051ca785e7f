"""``piimask mask`` / ``piimask unmask`` end to end, with a stand-in detector (no model)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from piimask.cli import main
from piimask.keys import KeyRing
from piimask.spans import Span

ENCRYPT_POLICY = "version: enc-1\ndefault: {operator: encrypt}\n"


class FakeEngine:
    """Finds a few fixed strings; counts detect_batch calls."""

    NEEDLES: ClassVar[dict[str, str]] = {
        "Ann Lee": "PERSON",
        "ann@x.com": "EMAIL_ADDRESS",
        "123-45-6789": "US_SSN",
    }

    def __init__(self) -> None:
        self.calls: list[int] = []

    def detect_batch(self, texts: Sequence[str]) -> list[list[Span]]:
        self.calls.append(len(texts))
        out = []
        for text in texts:
            spans = []
            for needle, entity in self.NEEDLES.items():
                spans += [
                    Span(m.start(), m.end(), entity) for m in re.finditer(re.escape(needle), text)
                ]
            out.append(spans)
        return out


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    fake = FakeEngine()
    monkeypatch.setattr("piimask.cli.mask_cmd.engine_from_options", lambda _opts: fake)
    return fake


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "ring.json"
    path.write_text(KeyRing.generate("k1").to_json())
    return path


@pytest.fixture(autouse=True)
def _no_env_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PIIMASK_KEYS", "PIIMASK_KEY_FILE", "PIIMASK_POLICY_FILE"):
        monkeypatch.delenv(name, raising=False)


def run(*args: str, input: str | bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write_lines(path: Path, lines: list[object]) -> Path:
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_mask_writes_masked_text_masks_and_policy_version(
    tmp_path: Path, key_file: Path, engine: FakeEngine
) -> None:
    src = write_lines(
        tmp_path / "in.jsonl",
        [
            {"id": "a", "text": "Ann Lee wrote to ann@x.com"},
            {"id": "b", "value": {"user": {"name": "Ann Lee"}, "n": 1}},
            {"text": "nothing"},
        ],
    )
    out = tmp_path / "out.jsonl"
    code, _, err = run("mask", str(src), "-o", str(out), "--key-file", str(key_file))
    assert code == 0, err
    lines = read_lines(out)
    assert lines[0]["id"] == "a"
    assert re.fullmatch(
        r"<PERSON_1> wrote to <EMAIL_ADDRESS:k1:[0-9a-f]{16}>", str(lines[0]["text"])
    )
    assert lines[0]["policy_version"] == "default-2"
    assert [m["entity_type"] for m in lines[0]["masks"]] == ["PERSON", "EMAIL_ADDRESS"]
    assert lines[1]["value"] == {"user": {"name": "<PERSON_1>"}, "n": 1}
    assert lines[1]["masks"][0]["field"] == "$.user.name"
    assert lines[2] == {"id": 3, "text": "nothing", "masks": [], "policy_version": "default-2"}
    assert "masked 3 line(s), 3 span(s) masked, 0 rejected" in err
    assert read_lines(tmp_path / "out.jsonl.rejects.jsonl") == []


def test_mask_calls_detection_once_per_chunk(
    tmp_path: Path, key_file: Path, engine: FakeEngine
) -> None:
    src = write_lines(tmp_path / "in.jsonl", [{"id": i, "text": f"Ann Lee {i}"} for i in range(10)])
    out = tmp_path / "out.jsonl"
    code, _, _ = run(
        "mask", str(src), "-o", str(out), "--key-file", str(key_file), "--batch-size", "4"
    )
    assert code == 0
    assert engine.calls == [4, 4, 2]
    assert len(read_lines(out)) == 10


def test_a_text_repeated_in_a_chunk_is_detected_once(
    tmp_path: Path, key_file: Path, engine: FakeEngine
) -> None:
    src = write_lines(tmp_path / "in.jsonl", [{"id": i, "text": "Ann Lee"} for i in range(10)])
    out = tmp_path / "out.jsonl"
    code, _, _ = run(
        "mask", str(src), "-o", str(out), "--key-file", str(key_file), "--batch-size", "4"
    )
    assert code == 0
    assert engine.calls == [1, 1, 1]
    assert [line["text"] for line in read_lines(out)] == ["<PERSON_1>"] * 10


def test_bad_lines_go_to_the_rejects_file_by_number_never_by_content(
    tmp_path: Path, key_file: Path, engine: FakeEngine
) -> None:
    src = tmp_path / "in.jsonl"
    bad_json = b'{"text": "Ann Lee 123-45-6789"\n'
    src.write_bytes(
        b'{"id": 1, "text": "Ann Lee"}\n'
        + bad_json
        + b'{"id": 3}\n'
        + b'["Ann Lee"]\n'
        + b'{"id": 5, "text": 42}\n'
        + b'{"id": 6, "text": "caf\xe9"}\n'  # not UTF-8 (Latin-1)
        + b'{"id": 7, "value": "Ann Lee"}\n'
        + b"\n"
        + b'{"id": 9, "text": "ok"}\n'
    )
    out = tmp_path / "out.jsonl"
    rejects = tmp_path / "rej.jsonl"
    code, _, err = run(
        "mask", str(src), "-o", str(out), "--key-file", str(key_file), "--rejects", str(rejects)
    )
    assert code == 1
    assert [line["id"] for line in read_lines(out)] == [1, 9]
    rejected = read_lines(rejects)
    assert [(r["line"], r["reason"]) for r in rejected] == [
        (2, "invalid_json"),
        (3, "missing_text"),
        (4, "not_json_object"),
        (5, "invalid_text"),
        (6, "invalid_utf8"),
        (7, "not_json_object"),
    ]
    assert rejected[0]["sha256"] == hashlib.sha256(bad_json.rstrip(b"\n")).hexdigest()
    for text in (err, rejects.read_text()):
        assert "Ann" not in text
        assert "123-45" not in text
    assert "line 2: rejected: invalid_json" in err


def test_a_masking_failure_rejects_the_line_instead_of_writing_it(
    tmp_path: Path, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken(FakeEngine):
        def detect_batch(self, texts: Sequence[str]) -> list[list[Span]]:
            return [[Span(0, 999, "PERSON")] for _ in texts]  # outside the text

    monkeypatch.setattr("piimask.cli.mask_cmd.engine_from_options", lambda _o: Broken())
    src = write_lines(tmp_path / "in.jsonl", [{"id": 1, "text": "Ann Lee"}])
    out = tmp_path / "out.jsonl"
    code, _, err = run("mask", str(src), "-o", str(out), "--key-file", str(key_file))
    assert code == 1
    assert out.read_text() == ""
    assert "line 1: rejected: masking_error: ValueError" in err


def test_a_detection_failure_rejects_only_the_lines_that_fail(
    tmp_path: Path, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Flaky(FakeEngine):
        def detect_batch(self, texts: Sequence[str]) -> list[list[Span]]:
            if any("boom" in t for t in texts):
                raise RuntimeError("model failed")
            return super().detect_batch(texts)

    monkeypatch.setattr("piimask.cli.mask_cmd.engine_from_options", lambda _o: Flaky())
    src = write_lines(
        tmp_path / "in.jsonl", [{"id": 1, "text": "Ann Lee"}, {"id": 2, "text": "boom"}]
    )
    out = tmp_path / "out.jsonl"
    code, _, err = run("mask", str(src), "-o", str(out), "--key-file", str(key_file))
    assert code == 1
    assert [line["id"] for line in read_lines(out)] == [1]
    assert "line 2: rejected: detection_error: RuntimeError" in err


def test_plain_text_lines_with_text_flag(
    tmp_path: Path, key_file: Path, engine: FakeEngine
) -> None:
    src = tmp_path / "in.txt"
    src.write_text("Ann Lee here\n\n{not json} Ann Lee\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, _, _ = run("mask", str(src), "-o", str(out), "--text", "--key-file", str(key_file))
    assert code == 0
    assert [(line["id"], line["text"]) for line in read_lines(out)] == [
        (1, "<PERSON_1> here"),
        (2, ""),
        (3, "{not json} <PERSON_1>"),
    ]


def test_spans_from_input_skip_detection(tmp_path: Path, key_file: Path) -> None:
    src = write_lines(
        tmp_path / "in.jsonl",
        [
            {
                "id": "g",
                "text": "card 4111-1111-1111-1234",
                "spans": [{"start": 5, "end": 24, "label": "CREDIT_CARD"}],
            }
        ],
    )
    out = tmp_path / "out.jsonl"
    code, _, _ = run(
        "mask", str(src), "-o", str(out), "--key-file", str(key_file), "--spans-from-input"
    )
    assert code == 0
    assert read_lines(out)[0]["text"] == "card ****-****-****-1234"


def test_mask_without_keys_says_how_to_get_them(tmp_path: Path, engine: FakeEngine) -> None:
    src = write_lines(tmp_path / "in.jsonl", [{"text": "x"}])
    code, _, err = run("mask", str(src), "-o", str(tmp_path / "o.jsonl"))
    assert code == 1
    assert "no keys configured" in err
    assert "--dev-keys" in err


def test_dev_keys_warn_and_work(tmp_path: Path, engine: FakeEngine) -> None:
    src = write_lines(tmp_path / "in.jsonl", [{"text": "Ann Lee"}])
    code, _, err = run("mask", str(src), "-o", str(tmp_path / "o.jsonl"), "--dev-keys")
    assert code == 0
    assert "warning: --dev-keys" in err


def test_invalid_policy_file_is_reported_by_field(
    tmp_path: Path, key_file: Path, engine: FakeEngine
) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "version: x\nentities: {CREDIT_CARD: {operator: mask, params: {keep_last: -1}}}\n"
    )
    src = write_lines(tmp_path / "in.jsonl", [{"text": "x"}])
    code, _, err = run(
        "mask", str(src), "-o", "-", "--key-file", str(key_file), "--policy", str(policy)
    )
    assert code == 1
    assert "entities.CREDIT_CARD.params.keep_last: must be >= 0" in err


def test_unmask_reverses_encrypt_tokens_of_mask_output(
    tmp_path: Path, key_file: Path, engine: FakeEngine
) -> None:
    policy = tmp_path / "enc.yaml"
    policy.write_text(ENCRYPT_POLICY)
    texts = ['Ann Lee, "ann@x.com"\tand 123-45-6789 ✓', "no pii"]
    src = write_lines(tmp_path / "in.jsonl", [{"id": i, "text": t} for i, t in enumerate(texts)])
    masked = tmp_path / "masked.jsonl"
    code, _, _ = run(
        "mask", str(src), "-o", str(masked), "--key-file", str(key_file), "--policy", str(policy)
    )
    assert code == 0
    assert "Ann" not in masked.read_text()
    restored = tmp_path / "restored.jsonl"
    code, _, err = run("unmask", str(masked), "-o", str(restored), "--key-file", str(key_file))
    assert code == 0, err
    assert [line["text"] for line in read_lines(restored)] == texts
    assert "unmasked 3 token(s)" in err


def test_unmask_with_the_wrong_key_fails_and_writes_nothing(
    tmp_path: Path, key_file: Path, engine: FakeEngine
) -> None:
    policy = tmp_path / "enc.yaml"
    policy.write_text(ENCRYPT_POLICY)
    src = write_lines(tmp_path / "in.jsonl", [{"id": 1, "text": "hi Ann Lee"}])
    masked = tmp_path / "masked.jsonl"
    run("mask", str(src), "-o", str(masked), "--key-file", str(key_file), "--policy", str(policy))
    wrong = tmp_path / "wrong.json"
    wrong.write_text(KeyRing.generate("k1").to_json())
    restored = tmp_path / "restored.jsonl"
    code, _, err = run("unmask", str(masked), "-o", str(restored), "--key-file", str(wrong))
    assert code == 1
    assert "line 1: token at field $.text, offset 3: token does not authenticate" in err
    assert "Ann" not in err
    assert not restored.exists()


def test_unmask_reads_plain_text_from_stdin(key_file: Path) -> None:
    from piimask.mask.tokens import encrypt_token

    ring = KeyRing.from_file(key_file)
    token, _ = encrypt_token("Ann Lee", "PERSON", ring)
    code, out, _ = run("unmask", "--key-file", str(key_file), input=f"hello {token}!\nbye\n")
    assert code == 0
    assert out == "hello Ann Lee!\nbye\n"


def test_unmask_reports_a_modified_token(key_file: Path) -> None:
    from piimask.mask.tokens import encrypt_token

    ring = KeyRing.from_file(key_file)
    token, _ = encrypt_token("Ann Lee", "PERSON", ring)
    modified = token[:-4] + ("x" if token[-4] != "x" else "y") + token[-3:]
    code, out, err = run("unmask", "--key-file", str(key_file), input=f"ok\nhello {modified}\n")
    assert code == 1
    assert out == ""
    assert "error: line 2: token at offset 6:" in err


def test_mask_lines_with_key_and_headers_mask_every_part(
    tmp_path: Path, key_file: Path, engine: FakeEngine
) -> None:
    src = write_lines(
        tmp_path / "in.jsonl",
        [
            {
                "id": 1,
                "key": "customer:ann@x.com",
                "value": {"contacts": {"ann@x.com": {"name": "Ann Lee"}}},
                "headers": {"x-user": "Ann Lee", "piimask-replay-of": "in:0:1"},
            },
            {"id": 2, "key": "ann@x.com", "text": "hello"},
        ],
    )
    out = tmp_path / "out.jsonl"
    code, _, err = run("mask", str(src), "-o", str(out), "--key-file", str(key_file))
    assert code == 0, err
    first, second = read_lines(out)
    assert list(first) == ["id", "key", "value", "headers", "masks", "policy_version"]
    assert list(second) == ["id", "key", "text", "masks", "policy_version"]
    assert first["key"].startswith("customer:<EMAIL_ADDRESS:k1:")
    assert first["key"].removeprefix("customer:") == second["key"]
    assert first["headers"] == {"x-user": "<PERSON_1>", "piimask-replay-of": "in:0:1"}
    assert {m["field"].split("[")[0] for m in first["masks"]} == {
        "key",
        "header:x-user",
        "$.contacts",
    }
    for secret in ("ann@x.com", "Ann Lee"):
        assert secret not in out.read_text()
        assert secret not in err


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ({"key": 5, "text": "x"}, "invalid_key"),
        ({"headers": ["a"], "text": "x"}, "invalid_header"),
        ({"headers": {"h": 1}, "text": "x"}, "invalid_header"),
        ({"value": {"Ann Lee": 1, "ann lee": 2}}, None),
    ],
)
def test_bad_key_or_headers_fields_reject_the_line(
    tmp_path: Path, key_file: Path, engine: FakeEngine, line: dict[str, object], reason: str | None
) -> None:
    src = write_lines(tmp_path / "in.jsonl", [line])
    out = tmp_path / "out.jsonl"
    code, _, err = run("mask", str(src), "-o", str(out), "--key-file", str(key_file))
    if reason is None:
        assert code == 0, err
        return
    assert code == 1
    (reject,) = read_lines(tmp_path / "out.jsonl.rejects.jsonl")
    assert reject["reason"] == reason


def test_unmask_restores_encrypted_record_keys_object_keys_and_headers(
    tmp_path: Path, key_file: Path, engine: FakeEngine
) -> None:
    policy = tmp_path / "enc.yaml"
    policy.write_text(ENCRYPT_POLICY)
    line = {
        "id": 1,
        "key": "ann@x.com",
        "value": {"contacts": {"ann@x.com": {"name": "Ann Lee"}}},
        "headers": {"x-user": "Ann Lee"},
    }
    src = write_lines(tmp_path / "in.jsonl", [line])
    masked = tmp_path / "masked.jsonl"
    code, _, err = run(
        "mask", str(src), "-o", str(masked), "--key-file", str(key_file), "--policy", str(policy)
    )
    assert code == 0, err
    assert "ann@x.com" not in masked.read_text()
    assert "Ann Lee" not in masked.read_text()
    restored = tmp_path / "restored.jsonl"
    code, _, err = run("unmask", str(masked), "-o", str(restored), "--key-file", str(key_file))
    assert code == 0, err
    (back,) = read_lines(restored)
    assert {k: back[k] for k in ("id", "key", "value", "headers")} == line
    # key, object key, name, header, and the object key twice more in the masks' fields
    assert "unmasked 6 token(s)" in err
