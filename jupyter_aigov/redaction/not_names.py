"""Which PERSON and LOCATION findings are not names: verbs opening a sentence, code, products, column headers.

Also moves their scores by the words around them, as Presidio's context words do, but both ways:
"Mr", "customer", "signed" raise a name; "import", "model", "column", "coefficient" lower it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache
from importlib import metadata

from jupyter_aigov.redaction.findings import Finding
from jupyter_aigov.redaction.lexicon import Lexicon
from jupyter_aigov.redaction.terms import technical_terms

FILTERED = frozenset({"PERSON", "LOCATION"})
_TOKEN = re.compile(r"[^\W_]+(?:['\u2019.-][^\W_]+)*")
# Inner capitals in one token are code ("LogisticRegression", "NaN"), except the name prefixes that have them.
_CAMEL = re.compile(r"[a-z][A-Z]")
_CAMEL_NAME = re.compile(r"^(?:Mc|Mac|Fitz|De|Di|Da|Du|La|Le|Van|Von|St|O['\u2019])[A-Z]")
_SENTENCE_END = ".!?:;\n>#*-•|"
_SENTENCE = re.compile(r"[.!?;]\s|\n")
_RAISE_BY = 0.15
_LOWER_BY = 0.4
_CODE_BEFORE = ("import ", ".", "`", "--")
_CODE_AFTER = ("(", "`", "=", "[", "::")
# An attribute or a method after a dot ("Path.home", "Adam.step"), not a full stop or an initial's dot.
_ATTRIBUTE = re.compile(r"\.[a-z_]")
_QUOTE_CUES = ("attribute", "column", "key", "field", "keyerror", "named", "variable")


@cache
def installed_distributions() -> frozenset[str]:
    """Lower-cased names of the Python distributions installed here: the libraries a notebook talks about."""
    names = set()
    for dist in metadata.distributions():
        name = (dist.metadata["Name"] or "").lower()
        if name:
            names.update({name, name.replace("-", "_"), name.replace("_", "-")})
    return frozenset(names)


class NameFilter:
    """Drops, trims or rescores PERSON and LOCATION findings that are not names of people or places."""

    def __init__(self, lexicon: Lexicon, products: frozenset[str] | None = None) -> None:
        self._lexicon = lexicon
        self._products = products if products is not None else technical_terms() | installed_distributions()

    def apply(self, text: str, findings: list[Finding]) -> list[Finding]:
        """`findings` with the non-names removed or trimmed and context applied to the scores."""
        out = []
        for finding in findings:
            if finding.entity not in FILTERED:
                out.append(finding)
                continue
            kept = self._judge(text, finding)
            if kept is not None:
                out.append(kept)
        return out

    def _judge(self, text: str, finding: Finding) -> Finding | None:
        if finding.entity == "PERSON" and "\n" in finding.value(text):
            # a name is written on one line; the model ran on into the next ("József Szabó\nSubject")
            finding = replace(finding, end=text.index("\n", finding.start))
        trimmed = self._trim_opening(text, finding)
        if trimmed is None:
            return None
        finding = trimmed
        value = finding.value(text)
        words = _TOKEN.findall(value)
        if not words or not any(w[:1].isupper() for w in words):
            return None  # names are capitalised; "groupby" is not one
        if self._is_code(text, finding, words) or self._is_product(words) or self._is_header_cell(text, finding):
            return None
        return self._rescored(text, finding)

    def _trim_opening(self, text: str, finding: Finding) -> Finding | None:
        """Cut a greeting, a determiner, or a verb or everyday word opening a sentence off the finding."""
        match = _TOKEN.match(text, finding.start)
        if match is None:
            return finding
        word, lexicon = match.group(), self._lexicon
        low = word.lower()
        if low.rstrip(".") in self._lexicon.table("titles"):
            return finding
        opening = len(word) > 1 and _opens_sentence(text, finding.start)
        verb = (
            opening
            and lexicon.is_verb(word)
            and (not lexicon.is_common_given_name(word) or self._is_verb_before_lowercase(text, match.end()))
        )
        # "Benchmark Polars": an everyday word opening a sentence, before more words, is not a given name
        everyday = (
            opening
            and finding.entity == "PERSON"
            and (match.end() < finding.end or self._is_verb_before_lowercase(text, match.end()))
            and lexicon.is_word(word)
            and not lexicon.is_given_name(word)
        )
        if not (low in self._lexicon.table("never_first") or verb or everyday):
            return finding
        start = match.end()
        while start < finding.end and text[start] in " \t,":
            start += 1
        return self._rest(text, finding, start) if start < finding.end else None

    def _rest(self, text: str, finding: Finding, start: int) -> Finding | None:
        rest = replace(finding, start=start)
        words = _TOKEN.findall(rest.value(text))
        # the words left after a verb are its object ("Run Black", "Benchmark Polars"), unless one is a given name
        if (
            words
            and not any(self._lexicon.is_given_name(w) for w in words)
            and all(self._lexicon.is_word(w) or w.lower() in self._products for w in words)
        ):
            return None
        return rest

    @staticmethod
    def _is_verb_before_lowercase(text: str, end: int) -> bool:
        """A word that a lower-case word or a quote follows, as an imperative's object does ("Merge df_a")."""
        after = text[end : end + 2]
        return len(after) == 2 and after[0] == " " and not after[1].isupper()

    def _is_code(self, text: str, finding: Finding, words: list[str]) -> bool:
        value = finding.value(text)
        if len(words) == 1 and _CAMEL.search(value) and not _CAMEL_NAME.match(value):
            # "LogisticRegression", "NaN" are code; "PelletierBourg" is a place
            parts = re.sub(r"([a-z])([A-Z])", r"\1 \2", value).split()
            return all(len(p) <= 2 or self._lexicon.is_word(p) for p in parts)
        before = text[max(0, finding.start - 7) : finding.start]
        after = text[finding.end : finding.end + 2]
        if before.endswith(_CODE_BEFORE) or after.startswith(_CODE_AFTER) or _ATTRIBUTE.match(after):
            return True
        if len(words) == 1 and before[-1:] in ("'", '"') and after[:1] == before[-1:]:
            preceding = text[max(0, finding.start - 30) : finding.start - 1].lower()
            return preceding.rstrip().endswith(("[", "(")) or any(cue in preceding for cue in _QUOTE_CUES)
        return False

    def _is_product(self, words: list[str]) -> bool:
        """A library, model or product, alone or with a version or variant ("Llama 3", "Gemini Flash")."""
        joined = " ".join(words).lower()
        if joined in self._products and not (len(words) == 1 and self._lexicon.is_given_name(words[0])):
            return True
        first, rest = words[0].lower(), words[1:]
        if first not in self._products or not rest:
            return False
        if all(w[0].isdigit() or len(w) <= 2 for w in rest):  # a version or size: "Llama 3", "Phi 3"
            return True
        return not self._lexicon.is_given_name(words[0]) and all(self._lexicon.is_word(w) for w in rest)

    def _is_header_cell(self, text: str, finding: Finding) -> bool:
        """A whole cell of the first line of a delimited block whose cells are all field names."""
        line_start = text.rfind("\n", 0, finding.start) + 1
        line_end = text.find("\n", finding.end)
        line = text[line_start : line_end if line_end != -1 else len(text)]
        delimiter = next((d for d in (",", "\t", ";", "|") if line.count(d) >= 2), None)
        if delimiter is None:
            return False
        cells = [cell.strip().strip("\"'") for cell in line.split(delimiter)]
        if finding.value(text).strip() not in cells:
            return False
        return all(
            not cell
            or cell.lower().replace(" ", "_") in self._lexicon.table("name_fields")
            or (self._lexicon.is_word(cell) and not self._lexicon.is_given_name(cell))
            or not cell[:1].isupper()
            for cell in cells
        )

    def _rescored(self, text: str, finding: Finding) -> Finding:
        before = _TOKEN.findall(_SENTENCE.split(text[max(0, finding.start - 40) : finding.start])[-1])[-2:]
        after = _TOKEN.findall(_SENTENCE.split(text[finding.end : finding.end + 40])[0])[:2]
        near = {w.lower().rstrip(".") for w in before + after}
        score = finding.score
        if near & self._lexicon.table("raise"):
            score += _RAISE_BY
        if near & self._lexicon.table("lower"):
            score -= _LOWER_BY
        return finding if score == finding.score else replace(finding, score=round(min(score, 1.0), 4))


def _opens_sentence(text: str, start: int) -> bool:
    """True when only spaces, quotes or a bullet stand between `start` and a sentence or line break."""
    position = start - 1
    while position >= 0 and text[position] in " \t\"'“(":
        position -= 1
    return position < 0 or text[position] in _SENTENCE_END or (text[position].isdigit() and text[position + 1] == ".")
