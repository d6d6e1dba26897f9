"""Recognizer for US_SSN written as nine bare digits, which only a nearby "SSN" tells from any other number.

Presidio's UsSsnRecognizer finds the delimited forms (123-45-6789, 123 45 6789) and stays in the registry; it
scores nine bare digits 0.05, and its context bonus cannot lift that over the threshold. Here nine digits that
the Social Security Administration could have issued (area 001-899 but not 666, group 01-99, serial 0001-9999)
count when a social-security word comes before them in the same text: close by (a label, a key, a JSON list's
name) or anywhere (a CSV column header).
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

US_SSN = "US_SSN"
NEAR_CHARS = 120
_BARE = re.compile(r"(?<![\w.-])(\d{3})(\d{2})(\d{4})(?![\w-]|\.\d)")
_CUE = re.compile(r"(?i)\b(?:ssns?|ss#|ssn#|social[ _-]?security(?:[ _-]?(?:number|no))?|soc[ _-]?sec)\b")


def issuable(area: str, group: str, serial: str) -> bool:
    """True for numbers the SSA can issue."""
    return area not in {"000", "666"} and not area.startswith("9") and group != "00" and serial != "0000"


class BareSsnRecognizer(EntityRecognizer):
    """US_SSN as nine bare digits after a social-security word."""

    def __init__(self) -> None:
        super().__init__(supported_entities=[US_SSN], name="AigovBareSsnRecognizer", supported_language="en")

    def load(self) -> None:
        """Nothing to load."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Find bare SSNs in `text`."""
        if US_SSN not in entities:
            return []
        cues = [m.end() for m in _CUE.finditer(text)]
        if not cues:
            return []
        results = []
        for match in _BARE.finditer(text):
            if not issuable(*match.groups()):
                continue
            before = [end for end in cues if end <= match.start()]
            if not before:
                continue
            score = 0.85 if match.start() - before[-1] <= NEAR_CHARS else 0.6
            results.append(RecognizerResult(US_SSN, match.start(), match.end(), score))
        return results
