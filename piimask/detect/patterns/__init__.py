"""Deterministic, validated recognizers for structured identifiers (no model).

Each recognizer finds one family of identifiers and only reports matches that
pass its validator (checksum, calendar, numbering plan) and, where the shape
alone is weak, a context word nearby::

    from piimask.detect.patterns import default_recognizers, find_pattern_spans

    spans = find_pattern_spans("Card 4111 1111 1111 1111, call +44 20 7946 0958")

Spans of different types may overlap; the detection engine's merge step decides.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Protocol, runtime_checkable

from piimask.custom_recognizers import CustomRecognizerSpec, RecognizerConfigError
from piimask.detect.patterns.credit_card import CreditCardRecognizer
from piimask.detect.patterns.crypto import CryptoRecognizer
from piimask.detect.patterns.custom import RegexRecognizer
from piimask.detect.patterns.dates import DateRecognizer
from piimask.detect.patterns.driver_license import DriverLicenseRecognizer
from piimask.detect.patterns.email import EmailRecognizer
from piimask.detect.patterns.hl7_name import Hl7NameRecognizer
from piimask.detect.patterns.iban import IbanRecognizer
from piimask.detect.patterns.ip import IpAddressRecognizer
from piimask.detect.patterns.itin import UsItinRecognizer
from piimask.detect.patterns.mac import MacAddressRecognizer
from piimask.detect.patterns.nino import UkNinoRecognizer
from piimask.detect.patterns.phone import PhoneRecognizer
from piimask.detect.patterns.routing import RoutingNumberRecognizer
from piimask.detect.patterns.ssn import UsSsnRecognizer
from piimask.detect.patterns.username import UsernameRecognizer
from piimask.detect.patterns.web import DomainNameRecognizer, UrlRecognizer
from piimask.detect.patterns.zip_code import ZipCodeRecognizer
from piimask.spans import Span

__all__ = [
    "RECOGNIZERS",
    "CreditCardRecognizer",
    "CryptoRecognizer",
    "CustomRecognizerSpec",
    "DateRecognizer",
    "DomainNameRecognizer",
    "DriverLicenseRecognizer",
    "EmailRecognizer",
    "Hl7NameRecognizer",
    "IbanRecognizer",
    "IpAddressRecognizer",
    "MacAddressRecognizer",
    "PatternRecognizer",
    "PhoneRecognizer",
    "RecognizerRegistry",
    "RegexRecognizer",
    "RoutingNumberRecognizer",
    "UkNinoRecognizer",
    "UrlRecognizer",
    "UsItinRecognizer",
    "UsSsnRecognizer",
    "UsernameRecognizer",
    "ZipCodeRecognizer",
    "default_recognizers",
    "find_pattern_spans",
]


@runtime_checkable
class PatternRecognizer(Protocol):
    """What the detection engine needs from a recognizer."""

    name: str
    entity_type: str

    def find(self, text: str) -> list[Span]:
        """Validated matches only; ``detector`` is ``f"pattern:{name}"``, score in [0, 1]."""
        ...


# Recognizer name -> factory, in the order they run.
RECOGNIZERS: dict[str, Callable[[], PatternRecognizer]] = {
    "EMAIL_ADDRESS": EmailRecognizer,
    "URL": UrlRecognizer,
    "DOMAIN_NAME": DomainNameRecognizer,
    "IP_ADDRESS": IpAddressRecognizer,
    "CREDIT_CARD": CreditCardRecognizer,
    "IBAN_CODE": IbanRecognizer,
    "US_SSN": UsSsnRecognizer,
    "US_ITIN": UsItinRecognizer,
    "UK_NINO": UkNinoRecognizer,
    "CRYPTO": CryptoRecognizer,
    "USERNAME": UsernameRecognizer,
    "PHONE_NUMBER": PhoneRecognizer,
    "ROUTING_NUMBER": RoutingNumberRecognizer,
    "MAC_ADDRESS": MacAddressRecognizer,
    "DRIVER_LICENSE": DriverLicenseRecognizer,
    "DATE_TIME": DateRecognizer,
    "ZIP_CODE": ZipCodeRecognizer,
    "HL7_PERSON_NAME": Hl7NameRecognizer,
}


class RecognizerRegistry:
    """The recognizers one detection engine runs, in order: the built-in ones that are
    enabled by name, then the custom ones (regex declarations from the settings or a file).

    In the spirit of Presidio's ``RecognizerRegistry``: which recognizers run is
    configuration (``DetectorConfig.recognizers``, ``disabled_recognizers``,
    ``custom_recognizers``), not code.
    """

    def __init__(self, recognizers: Sequence[PatternRecognizer]) -> None:
        names = [r.name for r in recognizers]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise RecognizerConfigError(f"recognizer name(s) used twice: {', '.join(repeated)}")
        self.recognizers: tuple[PatternRecognizer, ...] = tuple(recognizers)

    @classmethod
    def build(
        cls,
        enabled: Collection[str] | None = None,
        *,
        disabled: Collection[str] = (),
        custom: Sequence[CustomRecognizerSpec] = (),
        phone_regions: Sequence[str] | None = None,
    ) -> RecognizerRegistry:
        """Built-in recognizers (all, or those in ``enabled``) less ``disabled``, then ``custom``.

        Raises ``RecognizerConfigError`` (a ``ValueError``) naming an unknown recognizer or a
        name used twice, ``ValueError`` naming an unknown phone region.
        """
        names = list(RECOGNIZERS) if enabled is None else list(enabled)
        unknown = sorted((set(names) | set(disabled)) - set(RECOGNIZERS))
        if unknown:
            raise RecognizerConfigError(
                f"unknown pattern recognizer(s): {', '.join(unknown)}; "
                f"known: {', '.join(RECOGNIZERS)}"
            )
        chosen = [name for name in RECOGNIZERS if name in set(names) - set(disabled)]
        recognizers: list[PatternRecognizer] = []
        for name in chosen:
            if name == "PHONE_NUMBER" and phone_regions is not None:
                recognizers.append(PhoneRecognizer(regions=phone_regions))
            else:
                recognizers.append(RECOGNIZERS[name]())
        recognizers.extend(RegexRecognizer(spec) for spec in custom)
        return cls(recognizers)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.recognizers)

    def find(self, text: str) -> list[Span]:
        """Spans of every recognizer, sorted by position."""
        return find_pattern_spans(text, self.recognizers)


def default_recognizers(
    enabled: Collection[str] | None = None,
    *,
    phone_regions: Sequence[str] | None = None,
) -> list[PatternRecognizer]:
    """The built-in recognizers, all or those named in ``enabled`` (names as in ``RECOGNIZERS``).

    ``phone_regions`` are the ISO 3166 regions whose national formats the phone
    recognizer parses (default ``("US",)``); "+"-prefixed numbers parse anywhere.
    Raises ``ValueError`` naming any unknown recognizer or region.
    """
    return list(RecognizerRegistry.build(enabled, phone_regions=phone_regions).recognizers)


_DEFAULT: list[PatternRecognizer] | None = None


def find_pattern_spans(
    text: str, recognizers: Sequence[PatternRecognizer] | None = None
) -> list[Span]:
    """Spans of every recognizer (default: all built-in ones), sorted by position."""
    global _DEFAULT
    if recognizers is None:
        if _DEFAULT is None:
            _DEFAULT = default_recognizers()
        recognizers = _DEFAULT
    spans: list[Span] = []
    for recognizer in recognizers:
        spans.extend(recognizer.find(text))
    spans.sort()
    return spans
