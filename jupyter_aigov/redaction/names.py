"""PERSON from given names, middle initials, cue words ("Hi Motoko,", "From:") and name columns of CSV or JSON.

Words are looked up in sets (the lexicon), never matched by one alternation over every name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from jupyter_aigov.redaction.lexicon import Lexicon
from jupyter_aigov.redaction.records import XML_ELEMENT, printed_table_values

# A word: letters, with inner apostrophes and hyphens ("O'Neil", "Sforza-Raurica", "Ľudmila").
_TOKEN = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*(?:-[^\W\d_]+(?:['\u2019][^\W\d_]+)*)*")
# Before a name: a greeting, a sign-off on its own line, a mail header, or a phrase that introduces a person.
_STRONG_CUE = re.compile(
    r"(?:\b(?i:hi|hello|hey|dear|greetings|thanks|thank you|cheers|my name is|this is|i am|i'm|signed|"
    r"signed by|written by|assigned to|"
    r"on behalf of|owner|author|assignee|reviewer|manager|customer|client|patient|employee|"
    r"colleague|applicant|caller|account holder|cardholder|contact person|held by|approved by|reported by)[:,]?[ \t]+"
    r"|(?im:^(?:from|to|cc|bcc|attn|reply-to)[ \t]*:[ \t]*)"
    r"|(?i:ship to|deliver to|bill to|sold to|mail to|recipient|addressee)[ \t]*:?[ \t]*\r?\n?[ \t]*"
    r"|\b(?i:engineer|analyst|scientist|developer|lead|director|officer|representative|agent|owner|contact)"
    r",[ \t]+"
    r"|(?im:^(?:best|regards|best regards|kind regards|warm regards|cheers|thanks|thank you|many thanks|sincerely|"
    r"yours|yours sincerely|yours faithfully|yours truly|sincerely yours|best wishes|all the best|with best regards|"
    r"respectfully|love|signed|--|—)[,.!]?[ \t]*(?:\r?\n[ \t]*)?))$"
)
# Before a name, weaker: only a known given name follows ("reply to Remo", "with Ernesto").
_WEAK_CUE = re.compile(r"\b(?i:to|with|by|and|for|from|of)[,]?[ \t]+$")
# Verbs whose object is a person: a given name after them may also be an English word ("ping Christian").
_PERSON_VERB = re.compile(
    r"\b(?i:thanks|thank|ask|tell|call|email|message|ping|contact|invite|meet|cc|describe|remind|inform|notify|"
    r"introduce|welcome|congratulate|thanked|asked|told|called|emailed|messaged|pinged|invited|met|reminded|"
    r"informed|notified|introduced|welcomed|congratulated|action)[,]?[ \t]+$"
)
_KEY_VALUE = re.compile(
    r"""(?P<q>["']?)(?P<key>[A-Za-z][A-Za-z _-]{1,30})(?P=q)\s*[:=]\s*["']?"""
    r"""(?P<value>[^\W\d_](?:(?!  )[^"'\n,;:=<>(){}\[\]]){0,60})"""  # a form's columns end at two spaces
)
# Words in a form's label that say its value is a name ("Spouse's first name and middle initial").
_NAME_LABELS = ("first_name", "last_name", "given_name", "family_name", "middle_name", "full_name", "surname")
_UPPER_WORD = r"[A-ZÀ-ÖØ-ÞĀ-Ž][A-ZÀ-ÖØ-ÞĀ-Ž]*(?:['\u2019-][A-ZÀ-ÖØ-ÞĀ-Ž]+)*"
# A name written in capitals, as on cards, labels and forms: "SANTIAGO QUINTEROS", "IMRAN VAN MIL".
_SHOUTED = re.compile(rf"(?<![\w-]){_UPPER_WORD}(?: {_UPPER_WORD}){{1,3}}(?![\w-])")
# A family name in capitals before the given name ("HARRISON George", "DE BERKANE Lina"), or a family name and a
# comma before it ("Wells, Timothy", "Ó Hiolláin, Myles"): directories, rosters, formal lists.
_FAMILY_FIRST = re.compile(
    rf"(?<![\w-])(?P<family>{_UPPER_WORD}(?: {_UPPER_WORD})?) (?P<given>[A-ZÀ-ÖØ-ÞĀ-Ž][^\W\d_]+)(?![\w-])"
    rf"|(?<![\w-])(?P<surname>[A-ZÀ-ÖØ-ÞĀ-Ž][^\W\d_]*(?:['\u2019 -][A-ZÀ-ÖØ-ÞĀ-Ž]?[^\W\d_]+)?), "
    rf"(?P<first>[A-ZÀ-ÖØ-ÞĀ-Ž][^\W\d_]+)(?: [A-Z]\.?)?(?![\w-])"
)
# The first cell of a row of a table aligned with spaces ("Koch-Stiebitz Wieslaw  Data Science  (05941) 89044"):
# in a roster, the person; read as a name when one of its words is a given name.
_ROW_FIRST_CELL = re.compile(r"(?m)^(?P<cell>[^\W\d_][^\n]*?)(?=[ \t]{2,}\S)")
# A code comment that is only a given name: `"+353 85 974 5787",  # Conor`.
_COMMENT_NAME = re.compile(r"(?m)#[ \t]*(?P<n>[A-ZÀ-ÖØ-ÞĀ-Ž][^\W\d_]+)[ \t]*$")
# A key and the list after it: a JSON array of strings, or a line of comma-separated items.
_LIST = re.compile(
    r"""(?P<q>["']?)(?P<key>[A-Za-z][A-Za-z _-]{1,30})(?P=q)[ \t]*[:=][ \t]*"""
    r"""(?P<items>\[[^\]\n]{0,2000}\]|[^\n,]{1,60}(?:,[^\n,]{1,60})+)"""
)
# A chat line's speaker or a message's opening: "Laust: did you get ...", "Kyara here - app charged ...".
_SPEAKER = re.compile(r"(?m)^(?P<n>[^\W\d_][^\W\d_'\u2019-]{1,30})(?::[ \t]|[ \t]here\b[ \t]*[.,!:-])")
_ITEM = re.compile(r"""["']?(?P<v>[^"',\[\]]+)["']?""")
_SQL_INSERT = re.compile(r"(?i:insert\s+into)\s+[\w.\"`]+\s*\((?P<columns>[^()]{1,500})\)\s*(?i:values)\s*")
_SQL_ROW = re.compile(r"\s*,?\s*\((?P<values>(?:'(?:[^']|'')*'|[^()'])*)\)")
_SQL_VALUE = re.compile(r"'(?P<s>(?:[^']|'')*)'|[^,\s][^,]*")
_DELIMITERS = (",", "\t", ";", "|")
_NAME_VALUE = re.compile(r"[^\W\d_][^\W\d_'\u2019. -]*(?:[ .'\u2019-]+[^\W\d_][^\W\d_'\u2019. -]*){0,4}\.?")

_NEXT_WORD = re.compile(r" ([a-z]+)\b")
_AUXILIARIES = frozenset({"is", "was", "has", "had", "will", "would", "can", "could", "should", "said", "says"})
# After a surname, part of the name ("Zoltan Koch II", "Martin Wilson Jr").
_SUFFIXES = frozenset({"Jr", "Sr", "II", "III", "IV"})
_SCORE_STRONG = 0.85  # a given name with a surname, or any name after a strong cue or in a name column
_SCORE_INITIAL = 0.75  # an unknown first word, a middle initial, a surname: "Leigha C Mackay"
_SCORE_WEAK = 0.6  # a given name alone after a weak cue
_SCORE_ALONE = 0.55  # a given name alone: any lowering context word ("Jordan normal form") takes it below 0.5


@dataclass(frozen=True, slots=True)
class _Word:
    start: int
    end: int
    text: str


def _word(match: re.Match[str]) -> _Word:
    """A token, without a possessive "'s" ("Grace's suggestion" names Grace)."""
    text = match.group()
    if len(text) > 3 and text[-2] in "'\u2019" and text[-1] == "s":
        return _Word(match.start(), match.end() - 2, text[:-2])
    return _Word(match.start(), match.end(), text)


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() and (len(word) == 1 or not word[1:].isupper() or "-" in word)


def _is_verb_form(lexicon: Lexicon, word: str) -> bool:
    """A verb, or its past or gerund ("Signed", "Attending"): never a family name before a comma."""
    low = word.lower()
    if lexicon.is_verb(low) or low in lexicon.verbs_past:
        return True
    return low.endswith(("ed", "ing")) and lexicon.is_word(low)


def _field(header: str) -> str:
    return header.strip().strip("\"'").strip().lower().replace(" ", "_").replace("-", "_")


class NameRecognizer(EntityRecognizer):
    """PERSON by token lookups in the lexicon: given name + surname, initials, cue words, name columns."""

    NAME = "AigovNameRecognizer"

    def __init__(self, lexicon: Lexicon) -> None:
        self._lexicon = lexicon
        self._particles = lexicon.table("particles")
        self._never_first = lexicon.table("never_first")
        self._name_fields = lexicon.table("name_fields")
        self._titles = lexicon.table("titles")
        self._calendar = lexicon.table("calendar")
        super().__init__(supported_entities=["PERSON"], name=self.NAME, supported_language="en")

    def load(self) -> None:
        """Nothing to load: the lexicon was built by the engine's loading thread."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """PERSON spans in `text`."""
        if "PERSON" not in entities:
            return []
        found = [*self._in_prose(text), *self._written_formally(text)]
        return [RecognizerResult("PERSON", s, e, score) for s, e, score in found]

    def _written_formally(self, text: str) -> Iterator[tuple[int, int, float]]:
        """Names written as on labels, cards and rosters: in capitals, family name first, or alone in a comment."""
        lexicon = self._lexicon
        for match in _SHOUTED.finditer(text):
            words = match.group().split()
            titled = [w.title() for w in words]
            if any(
                w.lower() in self._never_first or (lexicon.is_word(w) and not lexicon.is_given_name(w)) for w in titled
            ):
                continue  # "SELECT NAME FROM", "PLEASE NOTE"
            if any(lexicon.is_given_name(w) for w in titled):
                yield match.start(), match.end(), _SCORE_INITIAL
        for match in _FAMILY_FIRST.finditer(text):
            family, given = (
                match.group("family") or match.group("surname"),
                match.group("given") or match.group("first"),
            )
            if not lexicon.is_given_name(given) or lexicon.is_everyday_word(given):
                continue
            family_words = family.replace("-", " ").split()
            if any(w.lower() in self._never_first or _is_verb_form(lexicon, w) for w in family_words):
                continue  # "Thanks, Anna" is a greeting, "Signed, Anna" a sign-off
            at_line_start = not text[text.rfind("\n", 0, match.start()) + 1 : match.start()].strip()
            if any(lexicon.is_everyday_word(w) for w in family_words) and (match.group("family") or not at_line_start):
                continue  # "Revised, Grace" is no name; a roster's "Wells, Timothy" opens its line
            if match.group("family") and len(family) < 4:
                continue  # "AWS Lambda": capitals this short are an acronym
            yield match.start(), match.end(), _SCORE_INITIAL
        if "  " in text:
            for match in _ROW_FIRST_CELL.finditer(text):
                words = _TOKEN.findall(match.group("cell"))
                if not 2 <= len(words) <= 4 or not all(w[:1].isupper() or w in self._particles for w in words):
                    continue
                titled = [w.title() if w.isupper() else w for w in words]
                if any(lexicon.is_everyday_word(w) or w.lower() in self._never_first for w in titled):
                    continue
                if any(lexicon.is_given_name(w) for w in titled):
                    yield match.start("cell"), match.end("cell"), _SCORE_INITIAL
        if "#" in text:
            for match in _COMMENT_NAME.finditer(text):
                word = match.group("n")
                if lexicon.is_given_name(word) and not lexicon.is_everyday_word(word) and not lexicon.is_word(word):
                    yield match.start("n"), match.end("n"), _SCORE_WEAK

    def in_fields(self, text: str) -> list[RecognizerResult]:
        """PERSON values of name fields and columns (CSV, JSON keys, SQL rows, lists)."""
        return [RecognizerResult("PERSON", s, e, _SCORE_STRONG) for s, e in self._in_fields(text)]

    def _is_plain_word(self, word: str) -> bool:
        """An English word that is not also a common given name: "Plot", "Sales" (but not "Grace" after a cue)."""
        return self._lexicon.is_word(word)

    def _in_prose(self, text: str) -> Iterator[tuple[int, int, float]]:
        words = [_word(m) for m in _TOKEN.finditer(text)]
        i = 0
        while i < len(words):
            first = words[i]
            if not _is_capitalised(first.text):
                i += 1
                continue
            end_index, initials, surnames = self._chain(text, words, i)
            found = self._judge(text, words, i, end_index, initials, surnames)
            if found is None:
                i += 1
                continue
            start, score = found
            end = words[end_index].end
            if len(words[end_index].text) == 1 and text[end : end + 1] == "." and end_index > i and not surnames:
                end += 1
            yield start, end, score
            i = end_index + 1

    def _chain(self, text: str, words: list[_Word], i: int) -> tuple[int, int, list[_Word]]:
        """The words after `i` that continue a name: initials, particles, capitalised surnames (up to four)."""
        initials = 0
        surnames: list[_Word] = []
        last = i
        j = i + 1
        while j < len(words) and j - i <= 5:
            gap = text[words[j - 1].end : words[j].start]
            dotted = len(words[j - 1].text) == 1 or words[j - 1].text.lower() in self._titles
            if gap not in (" ", ". ", "\u00a0") or (gap == ". " and not dotted):
                break
            word = words[j].text
            if word in _SUFFIXES and surnames:
                surnames.append(words[j])
            elif len(word) == 1 and word.isupper() and not surnames:
                initials += 1
            elif word in self._particles and j + 1 < len(words) and _is_capitalised(words[j + 1].text):
                pass
            elif _is_capitalised(word) and len(word) > 1:
                surnames.append(words[j])
            else:
                break
            last = j
            j += 1
        # trailing particles or initials without a surname after them are not part of the name
        while last > i and words[last].text in self._particles:
            last -= 1
        return last, initials, surnames

    def _judge(
        self, text: str, words: list[_Word], i: int, end: int, initials: int, surnames: list[_Word]
    ) -> tuple[int, float] | None:
        """Where the name starts and its score, or None when the words are not a name."""
        lexicon = self._lexicon
        first = words[i].text
        before = text[max(0, words[i].start - 40) : words[i].start]
        # "Lea-Sophie": a hyphenated given name is given names joined
        given = lexicon.is_given_name(first) or ("-" in first and all(map(lexicon.is_given_name, first.split("-"))))
        if first.lower() in self._never_first:
            return None
        if first.lower().rstrip(".") in self._titles and surnames:
            return words[i].start, _SCORE_STRONG
        ambiguous = given and lexicon.is_everyday_word(first)
        surname_is_word = all(lexicon.is_everyday_word(s.text) or s.text.lower() in self._never_first for s in surnames)
        if _STRONG_CUE.search(before) and (
            given or not self._is_plain_word(first) or (surnames and not surname_is_word)
        ):
            return words[i].start, _SCORE_STRONG
        if len(first) == 1:
            # "J. R. Smith": dotted initials then a surname
            if text[words[i].end : words[i].end + 1] == "." and surnames and not surname_is_word:
                return words[i].start, _SCORE_INITIAL
            return None
        if surnames and given and not (ambiguous and surname_is_word):
            return words[i].start, _SCORE_STRONG if not ambiguous else _SCORE_INITIAL
        if surnames and initials and not self._is_plain_word(first) and not surname_is_word:
            return words[i].start, _SCORE_INITIAL
        if end == i and given and not ambiguous and _WEAK_CUE.search(before):
            return words[i].start, _SCORE_WEAK
        if end == i and given and not lexicon.is_verb(first) and _PERSON_VERB.search(before):
            return words[i].start, _SCORE_WEAK
        if end == i and given and self._alone(text, words[i], ambiguous):
            return words[i].start, _SCORE_ALONE
        return None

    def _alone(self, text: str, word: _Word, ambiguous: bool) -> bool:
        """A given name on its own: a chat speaker ("Zoé: yes"), a line to itself, a bullet's subject ("- Sabine
        owns ..."), a possessive, or a common name in a clause (there not also an English word: "into German.")."""
        line_start = text.rfind("\n", 0, word.start) + 1
        after = text[word.end : word.end + 2]
        at_line_start = not text[line_start : word.start].strip(" -*•\t")
        if at_line_start and (after[:1] == ":" or not after.strip()):
            return True
        verb = self._lexicon.is_verb(word.text)
        if word.text.lower() in self._calendar:
            return False
        if at_line_start and not verb and self._verb_follows(text, word):
            return True
        if text[word.end : word.end + 1] in ("'", "\u2019") and not verb:
            return True  # "at Caroline's suggestion"
        return (
            not ambiguous
            and self._lexicon.is_common_given_name(word.text)
            and not after[:1].isalnum()
            and (after[:1] in ",.;!?" or after[1:2].islower())
        )

    def _verb_follows(self, text: str, word: _Word) -> bool:
        """A verb in the third person or the past follows the word: it is a clause's subject ("Sabine owns")."""
        match = _NEXT_WORD.match(text, word.end)
        if match is None:
            return False
        following = match.group(1)
        if following in _AUXILIARIES:
            return True
        for suffix, cut in (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("d", "")):
            if following.endswith(suffix) and self._lexicon.is_verb(following[: -len(suffix)] + cut):
                return True
        return following in self._lexicon.verbs_past

    def _in_fields(self, text: str) -> Iterator[tuple[int, int]]:
        yield from self._in_key_values(text)
        yield from self._in_xml(text)
        yield from self._in_lists(text)
        yield from self._in_columns(text)
        yield from self._in_printed_tables(text)
        yield from self._in_sql_rows(text)
        yield from self._speakers(text)

    def _in_xml(self, text: str) -> Iterator[tuple[int, int]]:
        """Values of name elements: `<name>Émilie Ferland</name>`."""
        if "</" not in text:
            return
        for match in XML_ELEMENT.finditer(text):
            value = match.group("v").strip()
            if _field(match.group("key")) not in self._name_fields or not value:
                continue
            if self._looks_like_name(value, in_column=True):
                start = match.start("v") + match.group("v").index(value)
                yield start, start + len(value)

    def _in_printed_tables(self, text: str) -> Iterator[tuple[int, int]]:
        """Name columns of a table printed with aligned columns (`df.head()`)."""
        for start, end in printed_table_values(text, lambda header: _field(header) in self._name_fields):
            if self._looks_like_name(text[start:end], in_column=True):
                yield start, end

    def _speakers(self, text: str) -> Iterator[tuple[int, int]]:
        """Speakers of a chat ("Laust: thanks!") when another speaker of it is a known given name, and whoever
        opens a message with "<name> here": capitalised words that are no English word."""
        found = [m for m in _SPEAKER.finditer(text) if not self._is_plain_word(m.group("n"))]
        speakers = {m.group("n") for m in found if text[m.end("n")] == ":"}
        chat = len(speakers) >= 2 and any(map(self._lexicon.is_given_name, speakers))
        for match in found:
            word = match.group("n")
            if not _is_capitalised(word) or word.lower() in self._never_first | self._calendar:
                continue
            if text[match.end("n")] != ":" or chat:
                yield match.span("n")

    def _in_sql_rows(self, text: str) -> Iterator[tuple[int, int]]:
        """Values of name columns in `INSERT INTO t (name, city) VALUES ('Ana Ruiz', 'Lima'), ...`."""
        for insert in _SQL_INSERT.finditer(text):
            columns = [_field(c) in self._name_fields for c in insert.group("columns").split(",")]
            if not any(columns):
                continue
            position = insert.end()
            while (row := _SQL_ROW.match(text, position)) is not None:
                for k, value in enumerate(_SQL_VALUE.finditer(row.group("values"))):
                    content = value.group("s")
                    if k < len(columns) and columns[k] and content and self._looks_like_name(content, in_column=True):
                        start = row.start("values") + value.start("s")
                        yield start, start + len(content)
                position = row.end()

    def _in_lists(self, text: str) -> Iterator[tuple[int, int]]:
        """Each item of a list of people: `"name": ["Ana Ruiz", ...]`, "Attendees: Ana Ruiz, Li Wen"."""
        for match in _LIST.finditer(text):
            key = _field(match.group("key"))
            if key not in self._name_fields and key not in self._lexicon.table("people_lists"):
                continue
            for item in _ITEM.finditer(match.group("items")):
                value = item.group("v").strip()
                if value and self._looks_like_name(value, in_column=key in self._name_fields):
                    start = match.start("items") + item.start("v") + item.group("v").index(value)
                    yield start, start + len(value)

    def _in_key_values(self, text: str) -> Iterator[tuple[int, int]]:
        if ":" not in text and "=" not in text:
            return
        for match in _KEY_VALUE.finditer(text):
            key = _field(match.group("key"))
            if key not in self._name_fields and not any(label in key for label in _NAME_LABELS):
                continue
            value = _NAME_VALUE.match(match.group("value"))
            # the label says it is a name ("Last name: White", "cardholder": "NADINE LINDEN"): read it as a column
            if value is not None and self._looks_like_name(value.group().rstrip(". "), in_column=True):
                start = match.start("value")
                yield start, start + len(value.group().rstrip(". "))

    def _in_columns(self, text: str) -> Iterator[tuple[int, int]]:
        lines = text.split("\n")
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line) + 1)
        columns: list[int] = []
        delimiter = ""
        for number, line in enumerate(lines):
            if not line.strip():
                columns = []
                continue
            header = next(
                (
                    d
                    for d in _DELIMITERS
                    if line.count(d) >= 1 and any(_field(cell) in self._name_fields for cell in line.split(d))
                ),
                "",
            )
            if header and not columns:
                delimiter = header
                columns = [k for k, cell in enumerate(line.split(delimiter)) if _field(cell) in self._name_fields]
                continue
            if not columns:
                continue
            cells = line.split(delimiter)
            position = offsets[number]
            starts = []
            for cell in cells:
                starts.append(position)
                position += len(cell) + len(delimiter)
            for k in columns:
                if k < len(cells):
                    value = cells[k].strip().strip("\"'")
                    if value and self._looks_like_name(value, in_column=True):
                        begin = starts[k] + cells[k].index(value)
                        yield begin, begin + len(value)

    def _looks_like_name(self, value: str, *, in_column: bool = False) -> bool:
        """Capitalised words; outside a name column, not all English words unless the first is a given name."""
        parts = _TOKEN.findall(value)
        if not parts or not all(
            _is_capitalised(p) or p in self._particles or (in_column and p.isupper()) for p in parts
        ):
            return False
        if _NAME_VALUE.fullmatch(value) is None:
            return False
        if in_column:
            return True
        return self._lexicon.is_given_name(parts[0]) or not all(self._is_plain_word(p) for p in parts)


class NameFieldRecognizer(NameRecognizer):
    """PERSON read off a record's structure: the value of a name field or column, whatever words it is made of
    ("Baker" under last_name), so the name filter leaves it whole, as it does addresses."""

    NAME = "AigovNameFieldRecognizer"

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """PERSON values of name fields in `text`."""
        return self.in_fields(text) if "PERSON" in entities else []
