"""Reversing encrypt tokens in masked text or JSON for a holder of the key ring."""

from __future__ import annotations

from dataclasses import dataclass, field

from piimask.keys import KeyRing
from piimask.mask.jsonpath import PathKey, format_path
from piimask.mask.tokens import ENC_TOKEN_RE, TokenError, decrypt_token, parse_token


@dataclass(frozen=True, slots=True)
class UnmaskIssue:
    """A token that could not be reversed: where it is and why (never a value)."""

    offset: int  # code point offset of the token in its string
    field: str | None  # JSON path of the string, None for plain text
    message: str

    def describe(self) -> str:
        where = (
            f"field {self.field}, offset {self.offset}" if self.field else f"offset {self.offset}"
        )
        return f"token at {where}: {self.message}"


@dataclass
class UnmaskResult:
    value: object  # the unmasked text (str) or JSON value
    tokens: int = 0  # tokens reversed
    issues: list[UnmaskIssue] = field(default_factory=list)


class UnmaskError(Exception):
    def __init__(self, issues: list[UnmaskIssue]) -> None:
        self.issues = issues
        super().__init__("; ".join(i.describe() for i in issues))


def _unmask_string(text: str, keyring: KeyRing, field_path: str | None, out: UnmaskResult) -> str:
    if "<enc:" not in text:
        return text
    pieces: list[str] = []
    cursor = 0
    for match in ENC_TOKEN_RE.finditer(text):
        pieces.append(text[cursor : match.start()])
        try:
            pieces.append(decrypt_token(parse_token(match.group(0)), keyring))
            out.tokens += 1
        except TokenError as exc:
            out.issues.append(UnmaskIssue(match.start(), field_path, str(exc)))
            pieces.append(match.group(0))
        cursor = match.end()
    pieces.append(text[cursor:])
    return "".join(pieces)


def unmask_text(text: str, keyring: KeyRing) -> UnmaskResult:
    """Replace every ``<enc:...>`` token of ``text``; failed tokens stay and are listed."""
    result = UnmaskResult(value=None)
    result.value = _unmask_string(text, keyring, None, result)
    return result


def unmask_json(value: object, keyring: KeyRing) -> UnmaskResult:
    """Replace tokens in every string of a JSON value, object keys included."""
    result = UnmaskResult(value=None)
    result.value = _walk(value, (), keyring, result)
    return result


def _walk(node: object, path: tuple[PathKey, ...], keyring: KeyRing, out: UnmaskResult) -> object:
    if isinstance(node, str):
        return _unmask_string(node, keyring, format_path(path), out)
    if isinstance(node, dict):
        restored: dict[str, object] = {}
        for key, child in node.items():
            new_key = _unmask_string(key, keyring, format_path((*path, key)) + "~", out)
            if new_key in restored:
                # Only a document edited after masking can get here; keep both members.
                out.issues.append(
                    UnmaskIssue(0, format_path(path), "two keys unmask to the same key")
                )
                new_key = key
            # paths name keys as they are in the masked input, never restored
            restored[new_key] = _walk(child, (*path, key), keyring, out)
        return restored
    if isinstance(node, list):
        return [_walk(v, (*path, i), keyring, out) for i, v in enumerate(node)]
    return node


def unmask_text_strict(text: str, keyring: KeyRing) -> str:
    """Like unmask_text, but any token that cannot be reversed raises UnmaskError."""
    result = unmask_text(text, keyring)
    if result.issues:
        raise UnmaskError(result.issues)
    assert isinstance(result.value, str)
    return result.value
