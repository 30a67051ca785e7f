"""The one typed settings model: every ``PIIMASK_*`` environment variable is a field here."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    window_tokens: int = Field(default=256, ge=16, le=510, description="Tokens per model window.")
    window_overlap: int = Field(default=64, ge=0, description="Tokens shared by adjacent windows.")
    aggregation: Literal["first", "average", "max"] = Field(
        default="average", description="How subword scores become one word decision."
    )
    batch_token_budget: int = Field(
        default=8192, ge=512, description="Max padded tokens per onnxruntime call."
    )
    intra_op_threads: int = Field(default=0, ge=0, description="onnxruntime threads (0 = auto).")

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
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    ssl_key_password: SecretStr | None = None
