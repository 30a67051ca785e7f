"""piimask: streaming PII detection and masking."""

__version__ = "0.1.0"
