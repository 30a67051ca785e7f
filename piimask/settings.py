"""The one typed settings model: every ``PIIMASK_*`` environment variable is a field here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, JsonValue, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from piimask.detection_settings import DetectionSettings


class Settings(BaseSettings, DetectionSettings):
    """piimask settings, read from ``PIIMASK_*`` environment variables or a ``.env`` file."""

    model_config = SettingsConfigDict(
        env_prefix="PIIMASK_",
        env_file=None,
        extra="ignore",
        case_sensitive=False,
    )

    # --- detection: the fields of DetectionSettings (piimask/detection_settings.py) ---

    # --- repeated-text cache and shadow detector ---------------------------------
    detect_cache_size: int = Field(
        default=10_000,
        ge=0,
        description="Texts whose spans the worker remembers (an LRU keyed by a keyed hash of "
        "the text, never the text), so a repeated text is not detected again; 0 = no cache.",
    )
    shadow_sample_rate: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="Share of records (chosen by a keyed hash of topic:partition:offset) "
        "that a shadow detector also scans, for agreement metrics and audit fields; it never "
        "changes an output. 0 = no shadow.",
    )
    shadow_model_dir: Path | None = Field(
        default=None,
        description="Shadow: model directory. Any of the shadow_model_* / shadow_adapter_path "
        "settings gives the shadow its own model; none: the live model.",
    )
    shadow_model_variant: Literal["adapted", "base"] | None = Field(
        default=None,
        description="Shadow: the bundled model adapted or base (like model_variant).",
    )
    shadow_adapter_path: Path | None = Field(
        default=None, description="Shadow: adapter .npz merged into the shadow's model."
    )
    shadow_ner_enabled: bool | None = Field(
        default=None,
        description="Shadow: run the second NER model (default: as ner_enabled, or true "
        "when shadow_ner_model is set).",
    )
    shadow_ner_model: str | None = Field(
        default=None, description="Shadow: spaCy package of the second NER model."
    )
    shadow_overrides: dict[str, JsonValue] = Field(
        default_factory=dict,
        description="Shadow: other detection settings that differ from the live ones, as JSON "
        '({"min_scores": {"PERSON": 0.6}}); keys are detection setting names.',
    )

    # --- masking ---------------------------------------------------------------
    policy_file: Path | None = Field(
        default=None, description="Mask policy (YAML or JSON); default: the shipped policy."
    )
    key_file: Path | None = Field(default=None, description="Key ring file (JSON).")
    keys: SecretStr | None = Field(
        default=None,
        description='Key ring inline, as JSON: {"active": "k1", "keys": {"k1": "<base64>"}}.',
    )

    # --- kafka ---------------------------------------------------------------
    kafka_bootstrap: str = Field(default="127.0.0.1:9092", description="Bootstrap servers.")
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT", description="Kafka listener protocol."
    )
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = Field(
        default=None, description="SASL mechanism (needed with SASL_* protocols)."
    )
    sasl_username: str | None = Field(default=None, description="SASL user name.")
    sasl_password: SecretStr | None = Field(default=None, description="SASL password.")
    sasl_password_file: Path | None = Field(
        default=None,
        description="File holding the SASL password (e.g. a mounted secret); "
        "instead of sasl_password.",
    )
    ssl_cafile: Path | None = Field(
        default=None, description="CA bundle (PEM) to verify brokers; default: system CAs."
    )
    ssl_certfile: Path | None = Field(
        default=None, description="Client certificate (PEM) for mutual TLS."
    )
    ssl_keyfile: Path | None = Field(default=None, description="Client private key (PEM).")
    ssl_key_password: SecretStr | None = Field(
        default=None, description="Password of the client private key."
    )

    # --- stream worker -----------------------------------------------------------
    input_topics: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Input topics, comma-separated (or a JSON list); or use input_pattern.",
    )
    input_pattern: str | None = Field(
        default=None, description="Regular expression of input topics (instead of input_topics)."
    )
    output_topic_template: str = Field(
        default="{topic}.masked",
        description="Name of the masked output topic; {topic} is the input topic's name.",
    )
    audit_topic: str = Field(default="piimask.audit", description="Audit event topic.")
    dlq_topic: str = Field(default="piimask.dlq", description="Dead-letter topic.")
    group_id: str = Field(default="piimask", description="Consumer group of the workers.")
    client_id: str = Field(default="piimask", description="Kafka client id prefix.")
    batch_size: int = Field(
        default=64, ge=1, le=10_000, description="Most records detected together in one batch."
    )
    batch_linger_ms: int = Field(
        default=0,
        ge=0,
        le=10_000,
        description="After the first record arrives, wait this long for more (0: take what "
        "is there, never wait to fill a batch).",
    )
    max_in_flight_batches: int = Field(
        default=2,
        ge=1,
        le=8,
        description="Batches fetched but not yet committed: 1 = strictly one at a time; "
        "2 = detect the next batch while the previous one is being acknowledged.",
    )
    max_message_bytes: int = Field(
        default=1_000_000,
        ge=1,
        description="Larger input values are oversize (see oversize_action).",
    )
    oversize_action: Literal["dead_letter", "scan"] = Field(
        default="dead_letter",
        description="dead_letter: oversize values go to the DLQ as digest + size only; "
        "scan: detect and mask them like any other value.",
    )
    producer_max_request_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        description="Largest record the worker produces (must fit the topics' max.message.bytes).",
    )
    message_format: Literal["text", "json"] = Field(
        default="text", description="Record values are plain text or JSON documents."
    )
    processing_guarantee: Literal["at-least-once", "exactly-once"] = Field(
        default="at-least-once",
        description="at-least-once: commit after acknowledgement; exactly-once: Kafka "
        "transactions (read the output with isolation.level=read_committed).",
    )
    runtime: Literal["aiokafka", "faust"] = Field(
        default="aiokafka",
        description="aiokafka: piimask's own consumer loop (both guarantees); faust: a "
        "faust-streaming app (at-least-once only).",
    )
    session_timeout_ms: int = Field(
        default=10_000,
        ge=1000,
        le=300_000,
        description="A worker silent this long leaves the group; its partitions move.",
    )
    transactional_id_prefix: str = Field(
        default="piimask",
        description="exactly-once: transactional ids are <prefix>.<group>.<topic>.<partition>.",
    )

    @field_validator("input_topics", mode="before")
    @classmethod
    def _split_topics(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [t.strip() for t in text.split(",") if t.strip()]
        return value

    # --- operations ------------------------------------------------------------
    metrics_port: int = Field(
        default=9464,
        ge=0,
        le=65535,
        description="Port of /metrics, /healthz and /readyz (0 = no HTTP server).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        default="INFO", description="Log level."
    )
    log_format: Literal["json", "text"] = Field(
        default="json", description="json: one object per line; text: for humans."
    )
    policy_reload: Literal["sighup", "watch", "off"] = Field(
        default="sighup",
        description="Reload the policy file on SIGHUP, when the file changes, or never.",
    )
    policy_watch_interval: float = Field(
        default=5.0, gt=0, description="Seconds between policy file checks (policy_reload=watch)."
    )
