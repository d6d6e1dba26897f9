"""The policy's own recognizers: `redaction.patterns` as Presidio pattern recognizers, `redaction.deny_terms` as words.

>>> [r.name for r in policy_recognizers(section)]        # doctest: +SKIP
['policy pattern employee_id', 'policy deny_terms PROJECT_CODENAME']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import regex
from presidio_analyzer import AnalysisExplanation, EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from aigov_core.errors import DetectionFailed
from jupyter_aigov.redaction.nlp import LANGUAGE

_WORD = re.compile(r"\w+")


def _metadata(name: str, identifier: str) -> dict[str, Any]:
    # the context enhancer finds the recognizer (and its context words) of a result by these
    return {RecognizerResult.RECOGNIZER_NAME_KEY: name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: identifier}


class TimedPatternRecognizer(PatternRecognizer):
    """A pattern recognizer whose regexes stop at a time limit and then fail, where Presidio's skip the pattern.

    Regexes run as written (no flags added) on the `regex` module, which lets other threads run while it matches.
    """

    def __init__(
        self, entity: str, *, name: str, patterns: Sequence[Pattern], context: Sequence[str], timeout_s: float
    ) -> None:
        super().__init__(
            entity,
            name=name,
            patterns=list(patterns),
            context=list(context),
            supported_language=LANGUAGE,
            global_regex_flags=0,
        )
        self.label = name
        self.timeout_s = timeout_s
        self._compiled = [(pattern, regex.compile(pattern.regex)) for pattern in patterns]

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """Every non-empty match of every pattern, scored as the pattern says; DetectionFailed past the time limit."""
        results: list[RecognizerResult] = []
        for pattern, compiled in self._compiled:
            try:
                spans = [match.span() for match in compiled.finditer(text, timeout=self.timeout_s)]
            except TimeoutError:
                raise DetectionFailed(
                    f"{self.label} took longer than {self.timeout_s * 1000:.0f} ms (redaction.deadline_ms); "
                    "simplify its regex in the policy"
                ) from None
            explanation = AnalysisExplanation(
                self.label,
                pattern.score,
                pattern_name=pattern.name,
                pattern=pattern.regex,
                textual_explanation=f"Detected by the {self.label}",
            )
            results += [
                RecognizerResult(
                    self.supported_entities[0],
                    start,
                    end,
                    pattern.score,
                    analysis_explanation=explanation,
                    recognition_metadata=_metadata(self.label, self.id),
                )
                for start, end in spans
                if end > start
            ]
        return EntityRecognizer.remove_duplicates(results)


class DenyTermsRecognizer(EntityRecognizer):
    """Terms always found as one entity: whole words, in any case, looked up word by word (not one long regex)."""

    SCORE = 1.0

    def __init__(self, entity: str, terms: Iterable[str]) -> None:
        self._by_first_word: dict[str, list[tuple[str, ...]]] = {}
        for term in terms:
            words = tuple(word.casefold() for word in _WORD.findall(term))
            if words:
                self._by_first_word.setdefault(words[0], []).append(words)
        for candidates in self._by_first_word.values():
            candidates.sort(key=len, reverse=True)  # the longest term wins: "Acme Corp" over "Acme"
        self.label = f"policy deny_terms {entity}"
        super().__init__([entity], name=self.label, supported_language=LANGUAGE)

    def load(self) -> None:
        """Nothing to load: the terms came with the policy."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Each place a term's words follow one another in `text`."""
        words = list(_WORD.finditer(text))
        folded = [word.group().casefold() for word in words]
        results: list[RecognizerResult] = []
        index = 0
        while index < len(words):
            step = 1
            for term in self._by_first_word.get(folded[index], ()):
                if tuple(folded[index : index + len(term)]) == term:
                    start, end = words[index].start(), words[index + len(term) - 1].end()
                    results.append(
                        RecognizerResult(
                            self.supported_entities[0],
                            start,
                            end,
                            self.SCORE,
                            recognition_metadata=_metadata(self.label, self.id),
                        )
                    )
                    step = len(term)
                    break
            index += step
        return results


def policy_recognizers(section: Any) -> list[EntityRecognizer]:
    """The recognizers of a policy's `redaction` section: one per pattern (each has its own context words), and one
    per deny-list entity. Regexes stop at the section's deadline."""
    made: list[EntityRecognizer] = [
        TimedPatternRecognizer(
            pattern.entity,
            name=f"policy pattern {pattern.name}",
            patterns=[Pattern(pattern.name, pattern.regex, pattern.score)],
            context=pattern.context,
            timeout_s=section.deadline_ms / 1000,
        )
        for pattern in section.patterns
    ]
    made += [DenyTermsRecognizer(entity, terms) for entity, terms in section.deny_terms.items() if terms]
    return made
