"""The documented faust app example (docs/worker.md, "Runtimes"), run as written against the
real broker.

Only the broker address, the topic name and the app id are replaced, so parallel test
sessions do not share them.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import pytest

from piimask.keys import KeyRing
from tests.integration.stream_support import (
    REPO,
    Topics,
    create_topics,
    delete_topics,
    produce,
    read_all,
    worker_env,
)

pytestmark = pytest.mark.integration

MARK = "# shop_app.py"


def readme_example() -> str:
    text = (REPO / "docs" / "worker.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if b.startswith(MARK)]
    assert len(blocks) == 1, f"docs/worker.md has {len(blocks)} python blocks starting {MARK!r}"
    return blocks[0]


def test_readme_faust_app_masks_its_topic(kafka_bootstrap: str, tmp_path: Path) -> None:
    source = readme_example()
    for literal in ('"tickets"', '"shop"', '"kafka://127.0.0.1:9092"'):
        assert literal in source, f"the example no longer says {literal}"
    topics = Topics.fresh("tickets")
    app_file = tmp_path / "shop_app.py"
    app_file.write_text(
        source.replace('"tickets"', repr(topics.input))
        .replace('"shop"', repr(f"{topics.input}-app"))
        .replace('"kafka://127.0.0.1:9092"', repr(f"kafka://{kafka_bootstrap}")),
        encoding="utf-8",
    )
    env = worker_env(kafka_bootstrap, topics, KeyRing.generate().to_json())
    del env["PIIMASK_INPUT_TOPICS"]  # the example names its topic itself
    log_path = tmp_path / "app.log"

    async def scenario() -> tuple[list[object], list[object]]:
        await create_topics(kafka_bootstrap, topics)
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, str(app_file), "worker", "--without-web", "-l", "info"],
                env=env,
                cwd=tmp_path,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            await produce(
                kafka_bootstrap,
                topics.input,
                [(b"t1", b"Please write to ann.lee@example.com"), (b"t2", b"\xff\xfe")],
            )
            outputs = await read_all(kafka_bootstrap, topics.output, expect=1, timeout=120)
            letters = await read_all(kafka_bootstrap, topics.dlq, expect=1, timeout=30)
            assert proc.poll() is None, "the app exited"
        finally:
            proc.terminate()
            proc.wait(timeout=60)
            await delete_topics(kafka_bootstrap, topics)
        return outputs, letters

    try:
        outputs, letters = asyncio.run(scenario())
    except BaseException:
        print(log_path.read_text(errors="replace")[-4000:])
        raise
    assert len(outputs) == 1
    assert len(letters) == 1
    masked = outputs[0].value  # type: ignore[attr-defined]
    assert b"ann.lee@example.com" not in masked
    assert b"<EMAIL_ADDRESS:" in masked
    log = log_path.read_text(errors="replace")
    assert f"{topics.input}:0:0 masked" in log
    assert f"{topics.input}:0:1 dead-lettered: invalid_utf8" in log
