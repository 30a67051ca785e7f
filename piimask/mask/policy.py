"""The mask policy file: pydantic models, loading, and error messages that name the field."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, TypeAlias

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from piimask.mask.jsonpath import JsonPath, JsonPathError
from piimask.mask.operators import OPERATORS, HashParams, HashRule, OperatorRule, ReplaceRule, Rule
from piimask.mask.operators import StrictModel as _Strict
from piimask.operator_names import OperatorName

ENTITY_NAME_PATTERN = r"^[A-Z][A-Z0-9_]*$"
EntityName = Annotated[str, StringConstraints(pattern=ENTITY_NAME_PATTERN)]

# The entity types the detector emits (Presidio names); others are allowed for custom detectors.
KNOWN_ENTITY_TYPES: tuple[str, ...] = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "STREET_ADDRESS",
    "LOCATION",
    "ZIP_CODE",
    "CREDIT_CARD",
    "US_SSN",
    "IBAN_CODE",
    "US_BANK_NUMBER",
    "ROUTING_NUMBER",
    "IP_ADDRESS",
    "URL",
    "DOMAIN_NAME",
    "PASSPORT",
    "DRIVER_LICENSE",
    "TAX_ID",
    "GOVERNMENT_ID",
    "DATE_TIME",
    "EVENT_TIME",
    "MAC_ADDRESS",
    "USERNAME",
    "US_ITIN",
    "UK_NINO",
    "CRYPTO",
)


class PolicyError(Exception):
    """An invalid policy. ``errors`` holds one ``"field.path: reason"`` line per problem."""

    def __init__(self, message: str, errors: Iterable[str] = ()) -> None:
        self.errors = list(errors)
        full = message if not self.errors else message + "\n  " + "\n  ".join(self.errors)
        super().__init__(full)


# --- allow lists, JSON field selection --------------------------------------------------


def _check_regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"invalid regular expression: {exc}") from None
    return value


def _check_json_path(value: str) -> str:
    try:
        JsonPath.parse(value)
    except JsonPathError as exc:
        raise ValueError(f"invalid path: {exc}") from None
    return value


Regex = Annotated[str, AfterValidator(_check_regex)]
JsonPathText = Annotated[str, AfterValidator(_check_json_path)]


class AllowList(_Strict):
    values: list[str] = Field(
        default_factory=list, description="Exact values that are never masked."
    )
    patterns: list[Regex] = Field(
        default_factory=list,
        description="Regular expressions; a value matching one in full is never masked.",
    )


class WholeField(_Strict):
    path: JsonPathText = Field(description="Field (and everything under it) masked whole.")
    entity_type: EntityName = Field(description="Entity type whose rule masks the field.")


_KEY_GLOB_RE = re.compile(r"^[^\s]+$")


def key_glob_regex(glob: str) -> re.Pattern[str]:
    """A key-path glob as a regular expression over dotted key paths (array indexes left
    out: ``items.sku`` is ``$.items[0].sku``). ``*`` matches within one key (``*_id``),
    ``**`` any number of keys (``**.email``); matching ignores case."""
    out: list[str] = []
    parts = glob.split(".")
    for i, part in enumerate(parts):
        if part == "**":
            # zero or more whole keys, with the dot that joins them to the next part
            out.append(r"(?:[^.]+\.)*" if i < len(parts) - 1 else r"(?:[^.]+(?:\.[^.]+)*)?")
            continue
        pattern = "".join(
            "[^.]*" if c == "*" else "[^.]" if c == "?" else re.escape(c) for c in part
        )
        out.append(pattern + (r"\." if i < len(parts) - 1 else ""))
    return re.compile("".join(out), re.IGNORECASE)


def _check_key_glob(value: str) -> str:
    if not _KEY_GLOB_RE.match(value) or any(not p for p in value.split(".")):
        raise ValueError("a key-path glob: keys joined by '.', with * and ** (no empty key)")
    if any("**" in p and p != "**" for p in value.split(".")):
        raise ValueError("'**' stands alone between dots (a.**.b)")
    return value


KeyGlob = Annotated[str, AfterValidator(_check_key_glob)]
FieldAction = Literal["mask_whole", "ignore", "scan"]
MaskedNumbers = Literal["text", "pseudonym", "null"]


class FieldRule(_Strict):
    key: KeyGlob = Field(
        description="Key-path glob over dotted key paths without array indexes, matching "
        "the field or one of its parents, ignoring case: user.email, *.email, **.phone*, "
        "payment, **.*_id."
    )
    action: FieldAction = Field(
        default="mask_whole",
        description="mask_whole (with the rule of entity_type, no detection), ignore (never "
        "scanned), or scan (full detection as free text, whatever the key name says).",
    )
    entity_type: EntityName | None = Field(
        default=None, description="The entity type of mask_whole (required there only)."
    )

    @model_validator(mode="after")
    def _entity_for_mask_whole(self) -> FieldRule:
        if (self.action == "mask_whole") != (self.entity_type is not None):
            raise ValueError("entity_type is required with action mask_whole, and only there")
        return self


class JsonRules(_Strict):
    scan: list[JsonPathText] | None = Field(
        default=None,
        description="Fields scanned for PII (and everything under them). Default: every "
        "string value in the document.",
    )
    mask_whole: list[WholeField] = Field(
        default_factory=list,
        description="Fields masked whole without detection, with the rule of entity_type.",
    )
    ignore: list[JsonPathText] = Field(
        default_factory=list,
        description="Fields left alone (wins over scan and mask_whole).",
    )
    scan_numbers: bool = Field(
        default=True,
        description="Scan numbers too (as their JSON text); a number with PII becomes a "
        "masked string.",
    )
    field_names: bool = Field(
        default=True,
        description="Read every value with its key path: a key naming PII (email, phone, "
        "ssn, card, zip, user.name, ...) masks the value whole as that type; under keys of "
        "counts, amounts, ids, times and codes (qty, amount, order_id, ts, status, sku) numbers "
        "are left alone and short codes only masked by validated patterns; elsewhere a bare "
        "number or code is masked only by a validated pattern (card with Luhn, IBAN, SSN, ...), "
        "never by the model alone; free text and long strings keep full detection. Off: every "
        "value is scanned alone, as plain text.",
    )
    fields: list[FieldRule] = Field(
        default_factory=list,
        description="Per key-path glob: force an entity type (mask_whole), ignore, or scan; "
        "the first matching rule wins, before the key-name reading (json.ignore and "
        "json.mask_whole still win over these).",
    )
    masked_numbers: MaskedNumbers = Field(
        default="text",
        description="What a JSON number becomes when it is masked: text (the masked string, "
        'e.g. "************1111"), pseudonym (a number with as many digits, from a keyed '
        "hash of the value: the field stays a number, equal values stay equal under one key, "
        "not reversible), or null.",
    )
    max_depth: int = Field(
        default=64, ge=1, le=512, description="Deeper documents are rejected (too_deep)."
    )
    object_keys: ObjectKeyAction = Field(
        default="scan",
        description="Object keys: scan (PII in a key is rewritten with the key_rules, so "
        "the document keeps its structure), reject (a key holding PII dead-letters the "
        "record, reason pii_in_key), or keep (keys are not scanned).",
    )


# --- keys and headers -----------------------------------------------------------------

# A key names its value: rewriting it must keep distinct keys distinct (injective) and the
# same key the same (deterministic), or documents lose members and compacted topics lose
# their per-key history. keep (the identity) qualifies; hash and encrypt do.
KEY_OPERATORS: tuple[OperatorName, ...] = ("hash", "encrypt", "keep")


def _check_key_rule(rule: Rule) -> Rule:
    if rule.operator not in KEY_OPERATORS:
        raise ValueError(
            f"operator {rule.operator!r} is not allowed for keys: a key needs a deterministic, "
            "injective operator (hash or encrypt, or keep)"
        )
    return rule


KeyRule = Annotated[OperatorRule, AfterValidator(_check_key_rule)]


_IDENTIFIER_KEY = re.compile(r"[_$]*[a-z][A-Za-z0-9]*(?:[_.\-][A-Za-z0-9]+)*_*")
_LONG_NUMBER = re.compile(r"[0-9]{4}")


def is_identifier_key(key: str) -> bool:
    """Does ``key`` look like a field name (``created_at``, ``orderId``) rather than data?"""
    return (
        len(key) <= 64
        and _IDENTIFIER_KEY.fullmatch(key) is not None
        and _LONG_NUMBER.search(key) is None
    )


class KeyRules(_Strict):
    default: KeyRule | None = Field(
        default=None,
        description="Rule for PII found in keys of entity types not listed under entities. "
        "Unset: the entity type's own rule when it is hash, encrypt or keep, else hash.",
    )
    entities: dict[EntityName, KeyRule] = Field(
        default_factory=dict,
        description="Rule per entity type for PII found in keys (hash, encrypt or keep only).",
    )
    scan_identifiers: bool = Field(
        default=False,
        description="Also scan keys that look like field names: a lower-case letter (after "
        "any '_' or '$'), then letters and digits (no run of 4 digits), parts joined by '_', "
        "'-' or '.', such as created_at, orderId, line-2, _id. Off: such keys are left as "
        "they are, because the model, seeing one word without context, flags words like "
        "'meta' as names.",
    )


# 128 bits: two distinct keys of a compacted topic must never share a token.
_KEY_HASH = HashRule(operator="hash", params=HashParams(length=32))

RecordKeyAction: TypeAlias = Literal["keep", "scan", "hash", "encrypt", "reject"]
HeaderAction: TypeAlias = Literal["keep", "drop", "scan"]
ObjectKeyAction: TypeAlias = Literal["scan", "reject", "keep"]


class HeaderRules(_Strict):
    default: HeaderAction = Field(
        default="scan",
        description="Headers not listed under names: keep, drop, or scan (detect and mask "
        "PII in the value, which must be UTF-8 text).",
    )
    names: dict[Annotated[str, StringConstraints(min_length=1, max_length=256)], HeaderAction] = (
        Field(
            default_factory=dict,
            description="Action per header name (exact, case-sensitive). piimask's own "
            "headers (piimask-*) are never touched.",
        )
    )

    def action_for(self, name: str) -> HeaderAction:
        return self.names.get(name, self.default)


class Policy(BaseModel):
    """What happens to detected PII, per entity type."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        coerce_numbers_to_str=True,
        validate_by_name=True,
        validate_by_alias=True,
        title="piimask mask policy",
    )

    version: str = Field(
        min_length=1,
        max_length=100,
        description="Your version of this policy, recorded with every masked record.",
    )
    description: str = Field(default="", description="Free text for humans.")
    default: OperatorRule = Field(
        default_factory=lambda: ReplaceRule(operator="replace"),
        description="Rule for entity types not listed under entities.",
    )
    entities: dict[EntityName, OperatorRule] = Field(
        default_factory=dict, description="Rule per entity type (e.g. CREDIT_CARD)."
    )
    allow: AllowList = Field(default_factory=AllowList)
    json_rules: JsonRules = Field(
        default_factory=JsonRules, alias="json", description="How JSON messages are scanned."
    )
    key_rules: KeyRules = Field(
        default_factory=KeyRules,
        description="How PII found in JSON object keys and record keys is rewritten.",
    )
    record_key: RecordKeyAction = Field(
        default="scan",
        description="The Kafka record key: keep (unchanged), scan (detect PII and rewrite it "
        "with the key_rules), hash or encrypt (the whole key, detection or not), or reject "
        "(a key holding PII dead-letters the record, reason pii_in_key). A key that is not "
        "UTF-8 cannot be scanned: keep, hash or encrypt it.",
    )
    headers: HeaderRules = Field(
        default_factory=HeaderRules, description="What happens to record headers."
    )
    on_unexpected: Literal["text", "reject"] = Field(
        default="reject",
        description="A message that is not what the policy expects (plain text when JSON "
        "was expected, a non-string value at a listed path): 'text' handles it as text, "
        "'reject' dead-letters it.",
    )

    def rule_for(self, entity_type: str) -> Rule:
        return self.entities.get(entity_type, self.default)

    def key_rule_for(self, entity_type: str) -> Rule:
        """The rule for PII of ``entity_type`` found in a key (always hash, encrypt or keep)."""
        rule = self.key_rules.entities.get(entity_type)
        if rule is not None:
            return rule
        own = self.rule_for(entity_type)
        if own.operator in KEY_OPERATORS and entity_type in self.entities:
            return own
        if self.key_rules.default is not None:
            return self.key_rules.default
        return own if own.operator in KEY_OPERATORS else _KEY_HASH

    def min_score_for(self, entity_type: str) -> float:
        rule = self.entities.get(entity_type)
        if rule is not None and rule.min_score is not None:
            return rule.min_score
        return self.default.min_score if self.default.min_score is not None else 0.0

    @cached_property
    def sha256(self) -> str:
        """Hash of the canonical JSON of the policy (comments and key order don't count)."""
        canonical = json.dumps(
            self.model_dump(mode="json", by_alias=True),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- loading -----------------------------------------------------------------------------


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (YAML would silently keep the last one)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        if key in result:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (line {mark.line + 1})", mark
            )
        result[key] = loader.construct_object(value_node)
    return result


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def parse_policy_text(text: str, *, source: str, fmt: Literal["yaml", "json"]) -> Policy:
    try:
        data = json.loads(text) if fmt == "json" else yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506
    except json.JSONDecodeError as exc:
        raise PolicyError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{source}: not valid YAML: {exc}") from None
    return parse_policy_data(data, source=source)


def parse_policy_data(data: object, *, source: str = "policy") -> Policy:
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: a policy is a mapping with at least 'version'")
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(f"{source}: invalid policy", format_errors(exc, data)) from None


def load_policy(path: Path) -> Policy:
    """Load a YAML or JSON policy file; raises PolicyError naming each bad field."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"cannot read policy {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise PolicyError(f"policy {path} is not UTF-8 text") from None
    fmt: Literal["yaml", "json"] = "json" if path.suffix.lower() == ".json" else "yaml"
    return parse_policy_text(text, source=str(path), fmt=fmt)


DEFAULT_POLICY_RESOURCE = "default_policy.yaml"


def default_policy_text() -> str:
    resource = resources.files("piimask").joinpath("data", DEFAULT_POLICY_RESOURCE)
    return resource.read_text(encoding="utf-8")


@cache
def default_policy() -> Policy:
    """The shipped policy (deploy/policies/default.yaml, packaged as piimask/data)."""
    return parse_policy_text(default_policy_text(), source="default policy", fmt="yaml")


# --- error messages ----------------------------------------------------------------------


def _render_loc(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out or "(policy)"


def _clean_loc(loc: tuple[str | int, ...], data: object) -> list[str | int]:
    """Drop the discriminator tags pydantic puts in locations of tagged unions, and the
    '[key]' marker of dict-key errors, so paths read like the file."""
    cleaned: list[str | int] = []
    node: object = data
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(node, dict):
            if part in node:
                node = node[part]
                cleaned.append(part)
                continue
            if node.get("operator") == part:
                continue
            cleaned.append(part)
            node = None
            continue
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
        cleaned.append(part)
    return cleaned


def _reason(error: Mapping[str, Any]) -> tuple[str, str | None]:
    """(reason, extra location suffix) in plain words for one pydantic error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    simple = {
        "greater_than_equal": "must be >= {ge}",
        "greater_than": "must be > {gt}",
        "less_than_equal": "must be <= {le}",
        "less_than": "must be < {lt}",
        "missing": "required",
        "extra_forbidden": "unknown field",
        "string_too_short": "must have at least {min_length} character(s)",
        "string_too_long": "must have at most {max_length} character(s)",
        "literal_error": "must be one of {expected}",
        "string_type": "must be a string",
        "int_type": "must be an integer",
        "int_parsing": "must be an integer",
        "int_from_float": "must be an integer",
        "float_type": "must be a number",
        "float_parsing": "must be a number",
        "bool_type": "must be true or false",
        "bool_parsing": "must be true or false",
        "dict_type": "must be a mapping",
        "list_type": "must be a list",
        "model_type": "must be a mapping",
        "model_attributes_type": "must be a mapping",
    }
    if kind in simple:
        return simple[kind].format(**ctx), None
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == ENTITY_NAME_PATTERN:
            return "entity types are UPPER_SNAKE_CASE names such as CREDIT_CARD", None
        return f"must match {ctx.get('pattern')}", None
    if kind == "union_tag_invalid":
        return (
            f"unknown operator {ctx.get('tag')!r}; expected one of {', '.join(OPERATORS)}",
            "operator",
        )
    if kind == "union_tag_not_found":
        return f"required: one of {', '.join(OPERATORS)}", "operator"
    message = str(error.get("msg", kind))
    return message.removeprefix("Value error, "), None


def format_errors(exc: ValidationError, data: object) -> list[str]:
    lines = []
    for error in exc.errors(include_url=False, include_input=False):
        loc = _clean_loc(tuple(error["loc"]), data)
        reason, suffix = _reason(error)
        if suffix:
            loc.append(suffix)
        lines.append(f"{_render_loc(loc)}: {reason}")
    return lines
