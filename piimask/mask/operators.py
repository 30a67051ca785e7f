"""The mask operators: one class per operator holding its parameters model, its strength
rank, ``apply`` and its description. The policy's rule union, ``OPERATOR_STRENGTH``, the
``piimask policy validate`` summary and the audit event's operator names come from this list."""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal, TypeAlias, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from piimask.mask.pseudonym import normalize, pseudonymize
from piimask.mask.tokens import encrypt_token
from piimask.operator_names import OPERATOR_NAMES, OperatorName

if TYPE_CHECKING:
    from piimask.keys import KeyRing


def _template_fields(template: str) -> set[str]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"invalid template: {exc}") from None
    fields: set[str] = set()
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion:
            raise ValueError("template placeholders take no format spec or conversion")
        fields.add(name)
    return fields


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- operator parameters ---------------------------------------------------------------


class NoParams(StrictModel):
    """This operator takes no parameters."""


class ReplaceParams(StrictModel):
    value: str | None = Field(
        default=None, description="A literal replacement string (no placeholders)."
    )
    template: str | None = Field(
        default=None,
        description="Replacement with placeholders {entity} and, when numbered, {n}. "
        "Default: '<{entity}>', or '<{entity}_{n}>' when numbered.",
    )
    numbered: bool = Field(
        default=False,
        description="Number distinct values per entity type within a message: the same "
        "person gets the same <PERSON_1> each time it appears.",
    )

    @model_validator(mode="after")
    def _check(self) -> ReplaceParams:
        if self.value is not None and self.template is not None:
            raise ValueError("set either value or template, not both")
        if self.value is not None and self.numbered:
            raise ValueError("numbered needs a template with {n}, not a literal value")
        if self.template is not None:
            fields = _template_fields(self.template)
            allowed = {"entity", "n"} if self.numbered else {"entity"}
            unknown = fields - allowed
            if unknown:
                raise ValueError(
                    f"template placeholder(s) {sorted(unknown)} not allowed; use {sorted(allowed)}"
                )
            if self.numbered and "n" not in fields:
                raise ValueError("a numbered template must contain {n}")
        return self

    def render(self, entity: str, number: int | None) -> str:
        if self.value is not None:
            return self.value
        template = self.template or ("<{entity}_{n}>" if self.numbered else "<{entity}>")
        return template.format(entity=entity, n=number)


DEFAULT_SEPARATORS = " -./()+:"


class MaskParams(StrictModel):
    char: str = Field(default="*", min_length=1, max_length=1, description="Mask character.")
    keep_first: int = Field(default=0, ge=0, description="Characters left readable at the start.")
    keep_last: int = Field(default=0, ge=0, description="Characters left readable at the end.")
    skip_separators: bool = Field(
        default=False,
        description="Leave separators as they are and count only the other characters, "
        "so 4111-1111-1111-1234 becomes ****-****-****-1234 with keep_last 4.",
    )
    separators: str = Field(
        default=DEFAULT_SEPARATORS, description="Characters treated as separators."
    )
    min_masked_fraction: float = Field(
        default=0.5,
        gt=0.0,
        le=1.0,
        description="If keep_first + keep_last would leave less than this fraction of the "
        "characters masked (a short value), the whole value is masked instead.",
    )


class HashParams(StrictModel):
    length: int = Field(
        default=16, ge=8, le=64, description="Hex characters of the HMAC-SHA256 kept."
    )
    format: str = Field(
        default="<{entity}:{key_id}:{digest}>",
        description="Token format; placeholders {entity}, {key_id}, {digest} ({digest} required).",
    )
    normalize: Literal["none", "casefold"] = Field(
        default="none",
        description="casefold: 'Ann@X.com' and 'ann@x.com' hash the same.",
    )

    @field_validator("format")
    @classmethod
    def _check_format(cls, value: str) -> str:
        fields = _template_fields(value)
        unknown = fields - {"entity", "key_id", "digest"}
        if unknown:
            raise ValueError(f"unknown placeholder(s) {sorted(unknown)}")
        if "digest" not in fields:
            raise ValueError("the format must contain {digest}")
        return value


class PseudonymizeParams(StrictModel):
    locale: str = Field(default="en_US", description="Faker locale of the fake values.")
    normalize: Literal["none", "casefold"] = Field(
        default="casefold",
        description="casefold: 'ANN LEE' and 'Ann Lee' get the same pseudonym.",
    )

    @field_validator("locale")
    @classmethod
    def _check_locale(cls, value: str) -> str:
        from faker.config import AVAILABLE_LOCALES  # slow import, paid only when used

        if value not in AVAILABLE_LOCALES:
            raise ValueError(f"unknown Faker locale {value!r}")
        return value


# --- the operators' value functions ------------------------------------------------------


def redact(value: str) -> str:
    return ""


def replace(entity_type: str, params: ReplaceParams, number: int | None = None) -> str:
    return params.render(entity_type, number)


def mask_chars(value: str, params: MaskParams) -> str:
    """Mask characters, keeping ``keep_first``/``keep_last`` readable unless that would leave
    less than ``min_masked_fraction`` of them masked (then everything is masked)."""
    separators = params.separators if params.skip_separators else ""
    positions = [i for i, ch in enumerate(value) if ch not in separators]
    if not positions:
        # a value made only of separators would otherwise come out unchanged
        positions = list(range(len(value)))
    n = len(positions)
    keep_first, keep_last = params.keep_first, params.keep_last
    if n - keep_first - keep_last < math.ceil(n * params.min_masked_fraction):
        keep_first = keep_last = 0
    chars = list(value)
    for i in positions[keep_first : n - keep_last]:
        chars[i] = params.char
    return "".join(chars)


def hash_token(
    value: str, entity_type: str, params: HashParams, keyring: KeyRing
) -> tuple[str, str]:
    """``(token, key_id)``: truncated HMAC-SHA256 of the value under the active key.

    The entity type is not part of the HMAC, so one value hashes the same whatever type the
    detector gave it (joins across types keep working)."""
    message = normalize(value, params.normalize).encode("utf-8", "surrogatepass")
    digest = keyring.hmac_hex("hash", message)[: params.length]
    key_id = keyring.active_id
    return params.format.format(entity=entity_type, key_id=key_id, digest=digest), key_id


# --- operator rules (discriminated on "operator"); each class is one operator ------------


class _Operator(StrictModel):
    """A policy rule naming one operator; subclasses set ``strength`` and define ``apply``
    (``(replacement, key_id or None)``) and ``describe`` (one line for the summary)."""


MinScore = Annotated[
    float | None,
    Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Spans scoring below this are not masked (recorded as below_threshold). "
        "Unset: the default rule's min_score, else 0.",
    ),
]


class RedactRule(_Operator):
    """Remove the value."""

    operator: Literal["redact"]
    params: NoParams = NoParams()
    min_score: MinScore = None

    strength: ClassVar[int] = 5

    def apply(
        self, value: str, entity_type: str, keyring: KeyRing, number: int | None = None
    ) -> tuple[str, str | None]:
        return "", None

    def describe(self, entity_type: str) -> str:
        return "redact: value removed"


class ReplaceRule(_Operator):
    """Replace the value with a fixed string or a template such as <PERSON_1>."""

    operator: Literal["replace"]
    params: ReplaceParams = ReplaceParams()
    min_score: MinScore = None

    strength: ClassVar[int] = 4

    def apply(
        self, value: str, entity_type: str, keyring: KeyRing, number: int | None = None
    ) -> tuple[str, str | None]:
        return self.params.render(entity_type, number), None

    def describe(self, entity_type: str) -> str:
        example = self.params.render(entity_type, 1)
        numbered = " (numbered per message)" if self.params.numbered else ""
        return f"replace: {example!r}{numbered}"


class MaskRule(_Operator):
    """Mask characters, optionally keeping the first/last N."""

    operator: Literal["mask"]
    params: MaskParams = MaskParams()
    min_score: MinScore = None

    strength: ClassVar[int] = 1

    def apply(
        self, value: str, entity_type: str, keyring: KeyRing, number: int | None = None
    ) -> tuple[str, str | None]:
        return mask_chars(value, self.params), None

    def describe(self, entity_type: str) -> str:
        m = self.params
        keep = [f"first {m.keep_first}"] if m.keep_first else []
        keep += [f"last {m.keep_last}"] if m.keep_last else []
        text = f"mask with {m.char!r}" + (f", keep {' and '.join(keep)}" if keep else "")
        return text + (", separators kept" if m.skip_separators else "")


class HashRule(_Operator):
    """Keyed HMAC-SHA256 token, same value + same key -> same token."""

    operator: Literal["hash"]
    params: HashParams = HashParams()
    min_score: MinScore = None

    strength: ClassVar[int] = 3

    def apply(
        self, value: str, entity_type: str, keyring: KeyRing, number: int | None = None
    ) -> tuple[str, str | None]:
        return hash_token(value, entity_type, self.params, keyring)

    def describe(self, entity_type: str) -> str:
        h = self.params
        example = h.format.format(entity=entity_type, key_id="<key>", digest="…")
        text = f"hash: HMAC-SHA256, {h.length} hex chars, {example!r}"
        return text + (", case-insensitive" if h.normalize == "casefold" else "")


class EncryptRule(_Operator):
    """Deterministic AES-SIV token <enc:TYPE:KEYID:...>, reversible with `piimask unmask`."""

    operator: Literal["encrypt"]
    params: NoParams = NoParams()
    min_score: MinScore = None

    strength: ClassVar[int] = 2

    def apply(
        self, value: str, entity_type: str, keyring: KeyRing, number: int | None = None
    ) -> tuple[str, str | None]:
        return encrypt_token(value, entity_type, keyring)

    def describe(self, entity_type: str) -> str:
        return f"encrypt: '<enc:{entity_type}:<key>:…>' (reversible with piimask unmask)"


class PseudonymizeRule(_Operator):
    """A realistic fake value chosen deterministically from an HMAC of the original."""

    operator: Literal["pseudonymize"]
    params: PseudonymizeParams = PseudonymizeParams()
    min_score: MinScore = None

    strength: ClassVar[int] = 3

    def apply(
        self, value: str, entity_type: str, keyring: KeyRing, number: int | None = None
    ) -> tuple[str, str | None]:
        return pseudonymize(
            value,
            entity_type,
            keyring,
            locale=self.params.locale,
            normalization=self.params.normalize,
        )

    def describe(self, entity_type: str) -> str:
        return f"pseudonymize: consistent fake value ({self.params.locale})"


class KeepRule(_Operator):
    """Leave the value as it is (still recorded as detected)."""

    operator: Literal["keep"]
    params: NoParams = NoParams()
    min_score: MinScore = None

    strength: ClassVar[int] = 0

    def apply(
        self, value: str, entity_type: str, keyring: KeyRing, number: int | None = None
    ) -> tuple[str, str | None]:
        return value, None

    def describe(self, entity_type: str) -> str:
        return "keep: left readable (still recorded)"


Rule: TypeAlias = (
    RedactRule | ReplaceRule | MaskRule | HashRule | EncryptRule | PseudonymizeRule | KeepRule
)
OperatorRule = Annotated[Rule, Field(discriminator="operator")]

OPERATOR_CLASSES: tuple[type[Rule], ...] = get_args(Rule)


def _operator_name(cls: type[Rule]) -> OperatorName:
    name: OperatorName = get_args(cls.model_fields["operator"].annotation)[0]
    return name


OPERATORS: tuple[OperatorName, ...] = tuple(_operator_name(cls) for cls in OPERATOR_CLASSES)
if OPERATORS != OPERATOR_NAMES:
    raise ImportError(f"operator classes {OPERATORS} do not match OperatorName {OPERATOR_NAMES}")

# Less revealing wins when overlapping spans are merged.
OPERATOR_STRENGTH: Mapping[str, int] = {
    _operator_name(cls): cls.strength for cls in OPERATOR_CLASSES
}


def apply_operator(
    rule: Rule, value: str, entity_type: str, keyring: KeyRing, *, number: int | None = None
) -> tuple[str, str | None]:
    """``(replacement, key_id or None)`` for one value under one rule."""
    return rule.apply(value, entity_type, keyring, number)


def describe_rule(rule: Rule, entity_type: str) -> str:
    """One line saying what a rule does to a value of ``entity_type``."""
    text = rule.describe(entity_type)
    if rule.min_score is not None:
        text += f", min score {rule.min_score:g}"
    return text
