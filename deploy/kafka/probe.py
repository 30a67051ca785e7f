"""Exit 0 when the broker answers a metadata request (and, with --sasl, a SCRAM login).

Used by wait.sh when a Python with aiokafka is at hand: it answers in well under a
second, where a JVM tool needs several on a loaded machine.
Usage: probe.py BOOTSTRAP [--sasl HOST:PORT USER PASSWORD] [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from aiokafka.admin import AIOKafkaAdminClient


async def answers(bootstrap: str, **security: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000, **security)
    await admin.start()
    try:
        await admin.list_topics()
    finally:
        await admin.close()


async def probe(args: argparse.Namespace) -> None:
    await answers(args.bootstrap)
    if args.sasl:
        address, user, password = args.sasl
        for mechanism in ("SCRAM-SHA-256", "SCRAM-SHA-512"):
            await answers(
                address,
                security_protocol="SASL_PLAINTEXT",
                sasl_mechanism=mechanism,
                sasl_plain_username=user,
                sasl_plain_password=password,
            )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("bootstrap")
    parser.add_argument("--sasl", nargs=3, metavar=("ADDRESS", "USER", "PASSWORD"))
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()
    # aiokafka logs every refused connection; the caller only needs the verdict.
    logging.disable(logging.CRITICAL)
    try:
        asyncio.run(asyncio.wait_for(probe(args), args.timeout))
    except Exception as exc:
        print(f"probe: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
