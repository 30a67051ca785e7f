"""Custom regex recognizers: a declaration (:mod:`piimask.custom_recognizers`) as a recognizer."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cached_property

from piimask.custom_recognizers import CustomRecognizerSpec, ValidatorName
from piimask.detect.patterns._base import (
    BaseRecognizer,
    has_context,
    keyword_regex,
    luhn_valid,
    only_digits,
)
from piimask.detect.patterns.iban import mod97_valid
from piimask.spans import Span

# Named validators a declaration may ask for: the matched value must pass them.
VALIDATORS: Mapping[ValidatorName, Callable[[str], bool]] = {
    "luhn": lambda value: len(only_digits(value)) >= 2 and luhn_valid(only_digits(value)),
    "iban": lambda value: mod97_valid(re.sub(r"[\s-]", "", value).upper()),
}


class RegexRecognizer(BaseRecognizer):
    """A recognizer built from a :class:`CustomRecognizerSpec`."""

    def __init__(self, spec: CustomRecognizerSpec) -> None:
        self.spec = spec
        self.name = spec.name
        self.entity_type = spec.entity_type

    @cached_property
    def _regex(self) -> re.Pattern[str]:
        return re.compile(self.spec.pattern)

    @cached_property
    def _context(self) -> re.Pattern[str] | None:
        return keyword_regex(self.spec.context) if self.spec.context else None

    def find(self, text: str) -> list[Span]:
        spans: list[Span] = []
        for match in self._regex.finditer(text):
            start, end = match.span()
            if start == end or not self.validate(match.group()):
                continue
            context = self._context
            if context is not None and not has_context(
                text, start, end, context, before=self.spec.context_window, after=20
            ):
                continue
            spans.append(self.span(start, end, self.spec.score))
        return spans

    def validate(self, value: str) -> bool:
        check = VALIDATORS.get(self.spec.validator) if self.spec.validator else None
        return check is None or check(value)
