"""Which findings are not personal data: technical terms, policy `allow_terms`, identifier-shaped names."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cache
from importlib import resources

from jupyter_aigov.redaction.findings import Finding

# Entity types a language model guesses from context, as opposed to checksummed or shaped patterns.
GUESSED_ENTITIES = frozenset({"PERSON", "LOCATION", "ORGANIZATION", "NRP"})

# Names and places are words; a digit, an underscore or a dot inside one means a column, version or product id.
_IDENTIFIER = re.compile(r"[0-9_]|[a-z]\.[a-z]")


@cache
def technical_terms() -> frozenset[str]:
    """The shipped technical terms, lower-cased (`Hugging_Face` in the file means `hugging face`)."""
    text = resources.files(__package__).joinpath("data/technical_terms.txt").read_text(encoding="utf-8")
    words = (word for line in text.splitlines() if not line.startswith("#") for word in line.split())
    return frozenset(word.replace("_", " ").lower() for word in words)


def is_allowed(finding: Finding, text: str, allow_terms: Collection[str]) -> bool:
    """True when `finding` is a term the user or the shipped list declares harmless, or not name-shaped."""
    value = finding.value(text).strip()
    if value in allow_terms:
        return True
    if finding.entity not in GUESSED_ENTITIES:
        return False
    if value.lower() in technical_terms():
        return True
    # A postal address has digits between its words ("Vestbanevej 638, 2044 Janderup"); an identifier is one word.
    if _IDENTIFIER.search(value) and not (finding.entity == "LOCATION" and re.search(r"\s", value)):
        return True
    # An all-capitals short token ("EKS", "CRM") is an acronym, not a person or place.
    return value.isupper() and len(value) <= 5 and finding.entity == "PERSON"
