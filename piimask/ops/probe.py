"""Container health probe: ``python -m piimask.ops.probe [healthz|readyz]``.

Exits 0 when the worker's endpoint answers 200, 1 otherwise. Reads the port
from the same settings as the worker (``PIIMASK_METRICS_PORT``), so a
Dockerfile ``HEALTHCHECK`` keeps working when the port is changed.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

from piimask.ops.health import HEALTHZ_PATH, READYZ_PATH


def probe(path: str, port: int, *, timeout: float = 2.0) -> bool:
    url = f"http://127.0.0.1:{port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return int(resp.status) == 200
    except (urllib.error.URLError, OSError):
        return False


def main(argv: list[str] | None = None) -> int:
    from piimask.settings import Settings

    args = sys.argv[1:] if argv is None else argv
    which = args[0] if args else "healthz"
    paths = {"healthz": HEALTHZ_PATH, "readyz": READYZ_PATH}
    if which not in paths:
        print(f"usage: python -m piimask.ops.probe [{'|'.join(paths)}]", file=sys.stderr)
        return 2
    port = Settings().metrics_port
    if port == 0:
        print("probe: PIIMASK_METRICS_PORT=0, the health server is off", file=sys.stderr)
        return 1
    return 0 if probe(paths[which], port) else 1


if __name__ == "__main__":
    sys.exit(main())
