"""The local broker the integration tests run on: plain round trip and SCRAM logins."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.conn import create_conn
from aiokafka.errors import KafkaConnectionError, SaslAuthenticationFailed

from tests.integration.conftest import SCRAM_MECHANISMS, MakeTopic, ScramBroker

MESSAGES = [b"first", b"second", b"third"]


async def produce(config: dict[str, str], topic: str, values: list[bytes]) -> None:
    producer = AIOKafkaProducer(**config, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value, key=b"k")
    finally:
        await producer.stop()


async def consume(config: dict[str, str], topic: str, count: int) -> list[bytes]:
    consumer = AIOKafkaConsumer(topic, **config, auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    try:
        values: list[bytes] = []
        async with asyncio.timeout(30):
            async for record in consumer:
                values.append(record.value)
                if len(values) == count:
                    return values
        return values
    finally:
        await consumer.stop()


async def round_trip(config: dict[str, str], topic: str) -> list[bytes]:
    await produce(config, topic, MESSAGES)
    return await consume(config, topic, len(MESSAGES))


def test_plaintext_listener_returns_produced_messages_in_order(
    kafka_bootstrap: str, new_topic: str
) -> None:
    config = {"bootstrap_servers": kafka_bootstrap}

    assert asyncio.run(round_trip(config, new_topic)) == MESSAGES


def test_make_topic_creates_requested_partitions_with_a_unique_name(
    kafka_bootstrap: str, make_topic: MakeTopic
) -> None:
    async def partitions(topic: str) -> int:
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
        await admin.start()
        try:
            described = await admin.describe_topics([topic])
            return len(described[0]["partitions"])
        finally:
            await admin.close()

    first, second = make_topic(3), make_topic(3)

    assert first != second
    assert asyncio.run(partitions(first)) == 3


def test_transactions_work_on_the_single_broker(kafka_bootstrap: str, new_topic: str) -> None:
    async def commit_one_abort_one() -> list[bytes]:
        producer = AIOKafkaProducer(
            bootstrap_servers=kafka_bootstrap, transactional_id=f"{new_topic}-tx"
        )
        await producer.start()
        try:
            async with producer.transaction():
                await producer.send_and_wait(new_topic, b"committed")
            await producer.begin_transaction()
            await producer.send_and_wait(new_topic, b"aborted")
            await producer.abort_transaction()
            async with producer.transaction():
                await producer.send_and_wait(new_topic, b"after")
        finally:
            await producer.stop()
        config = {"bootstrap_servers": kafka_bootstrap, "isolation_level": "read_committed"}
        return await consume(config, new_topic, 2)

    assert asyncio.run(commit_one_abort_one()) == [b"committed", b"after"]


@pytest.mark.parametrize("mechanism", SCRAM_MECHANISMS)
def test_scram_listener_accepts_test_user_for_round_trip(
    kafka_sasl_bootstrap: ScramBroker, new_topic: str, mechanism: str
) -> None:
    config = kafka_sasl_bootstrap.client_config(mechanism)

    assert asyncio.run(round_trip(config, new_topic)) == MESSAGES


@pytest.mark.parametrize("mechanism", SCRAM_MECHANISMS)
def test_scram_listener_rejects_wrong_password_with_authentication_error(
    kafka_sasl_bootstrap: ScramBroker, mechanism: str
) -> None:
    host, port = kafka_sasl_bootstrap.bootstrap.rsplit(":", 1)

    async def connect() -> None:
        conn = await create_conn(
            host,
            int(port),
            security_protocol="SASL_PLAINTEXT",
            sasl_mechanism=mechanism,
            sasl_plain_username=kafka_sasl_bootstrap.username,
            sasl_plain_password=kafka_sasl_bootstrap.password + "-wrong",
        )
        conn.close()

    with pytest.raises(SaslAuthenticationFailed):
        asyncio.run(connect())


def test_client_with_wrong_password_cannot_start(kafka_sasl_bootstrap: ScramBroker) -> None:
    config = kafka_sasl_bootstrap.client_config()
    config["sasl_plain_password"] = "not-the-password"

    async def start() -> None:
        producer = AIOKafkaProducer(**config)
        try:
            await producer.start()
        finally:
            await producer.stop()

    # aiokafka reports a failed SASL login at start-up as a failure to bootstrap.
    with pytest.raises(KafkaConnectionError):
        asyncio.run(start())
