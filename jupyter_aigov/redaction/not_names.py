"""Which PERSON and LOCATION findings are not names: verbs opening a sentence, code, products, column headers.

Also moves their scores by the words around them, as Presidio's context words do, but both ways:
"Mr", "customer", "signed" raise a name; "import", "model", "column", "coefficient" lower it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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
# Endings of English abstract nouns, which surnames do not have ("Initialization", "Regression", "Distance").
_ABSTRACT_SUFFIXES = ("tion", "sion", "ment", "ness", "ity", "ance", "ence", "ism", "ics", "ology")
_FIRST_LETTER = re.compile(r"[^\W\d_]")
_SENTENCE = re.compile(r"[.!?;]\s|\n")
_RAISE_BY = 0.15
_LOWER_BY = 0.4
_CODE_BEFORE = ("import ", ".", "`", "--")
_CODE_AFTER = ("(", "`", "=", "[", "::")
# An attribute or a method after a dot ("Path.home", "Adam.step"), not a full stop or an initial's dot.
_ATTRIBUTE = re.compile(r"\.[a-z_]")
# What ends a run of base64 or hex: spaces, quotes and the delimiters of records ("1,Ana,Lima,+34911234567").
_BLOB_ENDS = " \t\n\"'`,;|<>()[]{}"
# How far around a finding its line or sentence is looked for.
_WINDOW = 400
# Prepositions after which a capitalised word names where, not who.
_PLACE_CUES = (" in ", " near ")
# A unit after a number: "142 GB", "3 TB"; not the country or state a model took it for.
_UNIT_AFTER_NUMBER = re.compile(r"\d\s?$")
_QUOTE_CUES = ("attribute", "column", "key", "field", "keyerror", "named", "variable")


@cache
def installed_distributions() -> frozenset[str]:
    """Lower-cased names of the Python distributions installed here: the libraries a notebook talks about."""
    names = set()
    for dist in metadata.distributions():
        try:
            name = (dist.metadata["Name"] or "").lower()
        except (OSError, ValueError):  # a distribution being installed or removed meanwhile has no readable name
            continue
        if name:
            names.update({name, name.replace("-", "_"), name.replace("_", "-")})
    return frozenset(names)


class NameFilter:
    """Drops, trims or rescores PERSON and LOCATION findings that are not names of people or places."""

    def __init__(
        self,
        lexicon: Lexicon,
        products: frozenset[str] | None = None,
        known_place: Callable[[str], bool] = lambda name: False,
    ) -> None:
        self._lexicon = lexicon
        self._products = products if products is not None else technical_terms() | installed_distributions()
        self._known_place = known_place  # the gazetteer's: "Vietnam" in a list is a country, not a term

    def apply(self, text: str, findings: list[Finding]) -> list[Finding]:
        """`findings` with the non-names removed or trimmed and context applied to the scores."""
        out = []
        for finding in findings:
            if finding.entity not in FILTERED:
                out.append(finding)
                continue
            for part in _lines(text, finding):
                kept = self._judge(text, _without_leading_number(text, part))
                if kept is not None:
                    out.append(kept)
        return out

    def _judge(self, text: str, finding: Finding) -> Finding | None:
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
        if finding.entity == "PERSON" and (self._is_phrase(words) or self._is_plain_words(text, finding, words)):
            return None
        if self._is_heading(text, finding, words) or _is_unit(text, finding) or self._is_term_in_list(text, finding):
            return None
        if finding.entity == "PERSON" and self._is_place_after_cue(text, finding, words):
            finding = replace(finding, entity="LOCATION")
        return self._rescored(text, finding)

    def _is_heading(self, text: str, finding: Finding, words: list[str]) -> bool:
        """The whole of a Markdown heading that ends in an English word and opens with no given name
        ("## Hyperparameter Search"): a section's title, not a person or a place."""
        around = _line_around(text, finding)
        if around is None:
            return False
        _, line = around
        if not line.startswith("#") or line.lstrip("#").strip() != finding.value(text).strip():
            return False
        return self._lexicon.is_word(words[-1]) and not self._lexicon.is_given_name(words[0])

    def _is_term_in_list(self, text: str, finding: Finding) -> bool:
        """An item of a comma-separated list of terms ("the headers Product Sku, Churned, Created At, Score"): the
        item and most of the others are English words or field names, and none of them opens with a given name."""
        # the sentence around, within a window: a list of terms is short, and a long text is not read per finding
        low, high = max(0, finding.start - _WINDOW), min(len(text), finding.end + _WINDOW)
        sentence_start = max(text.rfind(c, low, finding.start) for c in ".:\n") + 1 or low
        ends = [e for e in (text.find(c, finding.end, high) for c in ".:\n") if e != -1]
        sentence = text[sentence_start : min(ends, default=high)]
        if sentence.count(", ") < 2:
            return False  # a prose list; a CSV row ("166,Dakotaside,USA") is not one
        label = _TOKEN.findall(text[max(0, sentence_start - 30) : sentence_start])[-1:]
        if label and label[0].lower() in self._lexicon.table("people_lists") | self._lexicon.table("name_fields"):
            return False  # "Customers: Baker, Smith, Cooper"
        items = [words for words in map(_capitalised_tail, sentence.split(", ")) if words]
        own = _TOKEN.findall(finding.value(text))
        if len(items) < 3 or own not in items or self._known_place(finding.value(text)):
            return False
        if any(self._lexicon.is_given_name(words[0]) for words in items):
            return False
        is_word = self._lexicon.is_word
        termlike = sum(all(is_word(w) or w[:1].isdigit() or len(w) <= 3 for w in words) for words in items)
        return termlike * 3 >= len(items) * 2 and all(is_word(w) or (w.istitle() and len(w) <= 3) for w in own)

    def _is_place_after_cue(self, text: str, finding: Finding, words: list[str]) -> bool:
        """A "name" right after "in" or "near", or between "from" and "to", that opens with no given name and no
        initial: a town ("a customer in Zabok", "flying from Perg to Austria"), not "an email from J. R. Kupko"."""
        if len(words[0]) == 1 or self._lexicon.is_given_name(words[0]):
            return False
        before = text[max(0, finding.start - 6) : finding.start]
        return before.endswith(_PLACE_CUES) or (before.endswith(" from ") and text.startswith(" to ", finding.end))

    def _is_plain_words(self, text: str, finding: Finding, words: list[str]) -> bool:
        """English words only, none a given name, and nothing near that says a person ("Label", "Plan Tier",
        "Created At"): a heading or a term. A surname alone ("Baker said") needs a cue such as "Mr" or "customer"."""
        if any(self._lexicon.is_given_name(w) or not self._lexicon.is_word(w) for w in words):
            return False
        return not self._near(text, finding) & self._lexicon.table("raise")

    def _is_phrase(self, words: list[str]) -> bool:
        """Words that make an English phrase rather than a name: verbs, adjectives or adverbs after no given name
        ("Deep Dive"), or ending in an abstract noun ("Xavier Initialization", "Pearson Correlation")."""
        if len(words) < 2:
            return False
        if not self._lexicon.is_given_name(words[0]) and all(self._lexicon.is_everyday_word(w) for w in words):
            return True
        last = words[-1].lower()
        return last.endswith(_ABSTRACT_SUFFIXES) and self._lexicon.is_word(last)

    def _trim_opening(self, text: str, finding: Finding) -> Finding | None:
        """Cut a greeting or a determiner off the finding; drop a verb or everyday word opening a sentence
        and what it governs ("Tokenize", "Run Black", "Benchmark Polars"), but never cut a name in two."""
        match = _TOKEN.match(text, finding.start)
        if match is None:
            return finding
        word, lexicon = match.group(), self._lexicon
        low = word.lower()
        if low.rstrip(".") in lexicon.table("titles"):
            return finding
        start = _skip_blanks(text, match.end(), finding.end)
        if low in lexicon.table("never_first"):
            return self._rest(text, finding, start) if start < finding.end else None
        if len(word) == 1 or not _opens_sentence(text, finding.start):
            return finding
        imperative = self._is_verb_before_lowercase(text, match.end())
        if lexicon.is_verb(word) and imperative:
            return self._rest(text, finding, start) if start < finding.end else None
        if start >= finding.end:
            # one word opening an instruction on quoted text: "Benchmark 'The quick brown fox' ..."
            quoted = text[match.end() : match.end() + 2] in (" '", ' "', " `", " \u2018", " \u201c")
            plain = lexicon.is_word(word) and not lexicon.is_given_name(word)
            return None if quoted and plain and finding.entity == "PERSON" else finding
        if lexicon.is_common_given_name(word):
            return finding
        if finding.entity == "PERSON" and (lexicon.is_verb(word) or lexicon.is_word(word)):
            # its object is no name either ("Run Black"), or the word is the name's first ("Sole Cendron")
            return None if self._rest(text, finding, start) is None else finding
        return finding

    def _rest(self, text: str, finding: Finding, start: int) -> Finding | None:
        """What follows a cut word, or None when that is a product or only English words."""
        rest = replace(finding, start=start)
        words = _TOKEN.findall(rest.value(text))
        if not words or " ".join(words).lower() in self._products:
            return None
        if not any(self._lexicon.is_given_name(w) for w in words) and all(
            self._lexicon.is_word(w) or w.lower() in self._products for w in words
        ):
            return None
        return rest

    @staticmethod
    def _is_verb_before_lowercase(text: str, end: int) -> bool:
        """A word that a lower-case word or a quote follows, as an imperative's object does ("Merge df_a")."""
        after = text[end : end + 2]
        return len(after) == 2 and after[0] == " " and (after[1].islower() or after[1] in "'\"`\u2018\u201c")

    def _is_code(self, text: str, finding: Finding, words: list[str]) -> bool:
        value = finding.value(text)
        if _inside_blob(text, finding):
            return True
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
        around = _line_around(text, finding)
        if around is None:
            return False
        line_start, line = around
        delimiter = next((d for d in (",", "\t", ";", "|") if line.count(d) >= 2), None)
        if delimiter is None or (line_start > 1 and text[line_start - 2] != "\n"):
            return False  # a header is a block's first line
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

    @staticmethod
    def _near(text: str, finding: Finding) -> set[str]:
        """The two words either side of a finding, in its sentence, lower-cased."""
        before = _TOKEN.findall(_SENTENCE.split(text[max(0, finding.start - 40) : finding.start])[-1])[-2:]
        after = _TOKEN.findall(_SENTENCE.split(text[finding.end : finding.end + 40])[0])[:2]
        return {w.lower().rstrip(".") for w in before + after}

    def _rescored(self, text: str, finding: Finding) -> Finding:
        near = self._near(text, finding)
        score = finding.score
        if near & self._lexicon.table("raise"):
            score += _RAISE_BY
        if near & self._lexicon.table("lower"):
            score -= _LOWER_BY
        return finding if score == finding.score else replace(finding, score=round(min(score, 1.0), 4))


def _inside_blob(text: str, finding: Finding) -> bool:
    """Letters inside a longer run of base64, a key or a hash ("...Mq60Una+icsr...", "...bQdgUER/vTEHv/E04R..."):
    part of a run of 24 or more characters without spaces or delimiters, with a digit in it."""
    edges = text[finding.start - 1 : finding.start] + text[finding.end : finding.end + 1]
    if not any(c.isalnum() or c in "+/=" for c in edges):
        return False
    low = max(0, finding.start - _WINDOW)
    high = min(len(text), finding.end + _WINDOW)
    start = max(text.rfind(c, low, finding.start) for c in _BLOB_ENDS) + 1 or low
    ends = [e for e in (text.find(c, finding.end, high) for c in _BLOB_ENDS) if e != -1]
    run = text[start : min(ends, default=high)]
    return len(run) >= 24 and any(c.isdigit() for c in run)


def _line_around(text: str, finding: Finding) -> tuple[int, str] | None:
    """The start and text of the line holding `finding`, or None when that line is longer than a heading or a
    header can be (bounded, so a long text is not scanned once per finding)."""
    low = max(0, finding.start - _WINDOW)
    high = min(len(text), finding.end + _WINDOW)
    line_start = text.rfind("\n", low, finding.start) + 1
    if line_start == 0 and low > 0:
        return None
    line_end = text.find("\n", finding.end, high)
    if line_end == -1 and high < len(text):
        return None
    return line_start, text[line_start : line_end if line_end != -1 else high]


def _capitalised_tail(item: str) -> list[str]:
    """The capitalised words or numbers that end a list item ("the headers Product Sku": Product, Sku)."""
    words = _TOKEN.findall(item)
    start = len(words)
    while start > 0 and (words[start - 1][:1].isupper() or words[start - 1][:1].isdigit()):
        start -= 1
    return words[start:]


def _is_unit(text: str, finding: Finding) -> bool:
    """Two or three capitals right after a number: a unit ("142 GB"), not a place."""
    value = finding.value(text)
    after_number = _UNIT_AFTER_NUMBER.search(text, max(0, finding.start - 2), finding.start) is not None
    return value.isupper() and len(value) <= 3 and after_number


def _lines(text: str, finding: Finding) -> list[Finding]:
    """A PERSON finding cut at line breaks: a name is written on one line ("József Szabó\nSubject")."""
    if finding.entity != "PERSON" or "\n" not in finding.value(text):
        return [finding]
    parts, start = [], finding.start
    for line in finding.value(text).split("\n"):
        if line.strip():
            begin = start + len(line) - len(line.lstrip())
            parts.append(replace(finding, start=begin, end=start + len(line.rstrip())))
        start += len(line) + 1
    return parts


def _without_leading_number(text: str, finding: Finding) -> Finding:
    """The finding without a number or id run into its start by the model ("8260,Tola Kościelak" is a CSV row)."""
    # linear on purpose: a regex for "digits and marks, then a separator, then a letter" backtracked
    # quadratically on a long digit run (12,800 digits took 2 s)
    letter = _FIRST_LETTER.search(text, finding.start, finding.end)
    if letter is None or letter.start() == finding.start:
        return finding
    prefix = text[finding.start : letter.start()]
    if any(c.isdigit() for c in prefix) and prefix[-1] in " \t,;|":
        return replace(finding, start=letter.start())
    return finding


def _skip_blanks(text: str, start: int, end: int) -> int:
    while start < end and text[start] in " \t,":
        start += 1
    return start


def _opens_sentence(text: str, start: int) -> bool:
    """True when only spaces, quotes, a bullet or a checkbox stand between `start` and a sentence or line break."""
    if text[max(0, start - 5) : start].rstrip(" ").endswith(("[ ]", "[x]", "[X]")):
        start = text.rfind("[", 0, start)  # a task list's item: "- [x] Tokenize the corpus"
    position = start - 1
    while position >= 0 and text[position] in " \t\"'“(":
        position -= 1
    return position < 0 or text[position] in _SENTENCE_END or (text[position].isdigit() and text[position + 1] == ".")
