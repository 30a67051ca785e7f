"""``piimask policy validate`` and ``piimask policy keygen``."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from click.testing import CliRunner

from piimask.cli import main
from piimask.keys import KeyRing

REPO = Path(__file__).resolve().parents[3]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_validate_prints_a_one_screen_summary_of_the_default_policy() -> None:
    code, out, _ = run("policy", "validate", str(REPO / "deploy/policies/default.yaml"))
    assert code == 0
    assert "valid policy" in out
    assert "version 'default-2'" in out
    assert "CREDIT_CARD     mask with '*', keep last 4, separators kept" in out
    assert "detected types using the default rule: ROUTING_NUMBER, URL, DOMAIN_NAME" in out
    assert len(out.splitlines()) <= 40


def test_validate_lists_every_error_with_its_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "version: x\n"
        "entities:\n"
        "  CREDIT_CARD: {operator: mask, params: {keep_last: -1}}\n"
        "  EMAIL_ADDRESS: {operator: hashh}\n"
    )
    code, out, err = run("policy", "validate", str(bad))
    assert code == 1
    assert out == ""
    assert "entities.CREDIT_CARD.params.keep_last: must be >= 0" in err
    assert "entities.EMAIL_ADDRESS.operator: unknown operator 'hashh'" in err


def test_validate_notes_entity_types_the_detector_does_not_produce(tmp_path: Path) -> None:
    policy = tmp_path / "p.json"
    policy.write_text(
        json.dumps({"version": "1", "entities": {"BADGE_ID": {"operator": "redact"}}})
    )
    code, out, _ = run("policy", "validate", str(policy))
    assert code == 0
    assert "note: BADGE_ID not produced by the built-in detector" in out


def test_keygen_prints_a_loadable_ring() -> None:
    code, out, _ = run("policy", "keygen", "--key-id", "prod-2025")
    assert code == 0
    ring = KeyRing.from_json(out)
    assert ring.active_id == "prod-2025"


def test_keygen_rotate_keeps_old_keys_and_activates_the_new_one(tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    old.write_text(KeyRing.generate("k1").to_json())
    new = tmp_path / "new.json"
    code, _, err = run("policy", "keygen", "--rotate", str(old), "--key-id", "k2", "-o", str(new))
    assert code == 0, err
    ring = KeyRing.from_file(new)
    assert ring.key_ids == ("k1", "k2")
    assert ring.active_id == "k2"
    assert stat.S_IMODE(new.stat().st_mode) == 0o600
    code, _, err = run("policy", "keygen", "-o", str(new))
    assert code == 1
    assert "exists" in err
    code, _, err = run("policy", "keygen", "--rotate", str(old), "--key-id", "k1")
    assert code == 1
    assert "already exists" in err
