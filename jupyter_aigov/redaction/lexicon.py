"""Word lists for telling names from words: given names across countries, and English words and verbs.

Given names come from gender-guesser's `nam_dict.txt` (Jörg Michael's dictionary of first names, ~48,000
names from 54 countries, GNU FDL), read where the package installed it. English words and verbs come from the
WordNet-derived lookup tables the spaCy model ships for its lemmatizer (present even when it is disabled).
Both load in the detection engine's background thread, never at import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from spacy.language import Language

# nam_dict.txt lines are fixed-width: a gender code, the name in columns 3-28, then one frequency digit per country.
_NAME_COLUMNS = slice(3, 29)
# The frequency digits are hexadecimal, 1 (rare) to D (extremely common); 4 or more counts as common.
_FREQUENCIES = slice(30, 85)
_COMMON = 4
# The table joins Arabic, Chinese and Korean name parts with "+", meaning "-", " " or nothing.
_JOINER = "+"
# Prefixes that make a verb from a verb ("re-run", "de-duplicate", "up-sample"), for verbs WordNet lacks.
_VERB_PREFIXES = ("re", "de", "un", "up", "pre", "over", "under", "down", "co", "dis", "mis", "auto")
# Suffixes that make English verbs from nouns and adjectives ("tokenize", "winsorise", "stratify").
_VERB_SUFFIXES = ("ize", "ise", "ify")


@cache
def name_words() -> dict[str, frozenset[str]]:
    """The sections of data/name_words.txt, each a set of lower-case words."""
    text = resources.files(__package__).joinpath("data/name_words.txt").read_text(encoding="utf-8")
    tables: dict[str, set[str]] = {}
    current: set[str] = set()
    for line in text.splitlines():
        if line.startswith("[") and line.endswith("]"):
            current = tables.setdefault(line[1:-1], set())
        elif line and not line.startswith("#"):
            current.update(line.split())
    return {name: frozenset(words) for name, words in tables.items()}


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Given names (as written, with diacritics), lower-cased English words, and the verbs among them."""

    given_names: frozenset[str]
    words: frozenset[str]
    verbs: frozenset[str]
    everyday: frozenset[str] = frozenset()  # verbs, adjectives and adverbs: words that are not proper nouns
    common_given_names: frozenset[str] = frozenset()
    verbs_past: frozenset[str] = frozenset()  # irregular past forms ("led", "wrote", "took")
    tables: Mapping[str, frozenset[str]] = field(default_factory=name_words)

    def table(self, name: str) -> frozenset[str]:
        """One section of data/name_words.txt ("particles", "never_first", "name_fields", "raise", ...)."""
        return self.tables[name]

    def is_given_name(self, word: str) -> bool:
        """True when `word` is a given name somewhere ("Motoko", "Dénes", "Ľudmila")."""
        return word in self.given_names

    def is_common_given_name(self, word: str) -> bool:
        """True when `word` is a given name rated common in some country ("Frank", "Will"; not "Run")."""
        return word in self.common_given_names

    def is_everyday_word(self, word: str) -> bool:
        """True when `word` is an English verb, adjective or adverb ("Mark", "Grace", "Rich"; not "Teresa").

        WordNet's nouns include people and places, so a noun says nothing about whether a word is a name.
        """
        low = word.lower()
        return low in self.everyday or any(base in self.everyday for base in _bases(low))

    def is_word(self, word: str) -> bool:
        """True when `word`, lower-cased, is an English word, inflected or not ("columns", "plotted")."""
        low = word.lower()
        return low in self.words or any(base in self.words for base in _bases(low))

    def is_verb(self, word: str) -> bool:
        """True when `word`, lower-cased, reads as an English verb's base form ("Plot", "Tokenize", "Deduplicate")."""
        low = word.lower()
        if low in self.verbs:  # base forms only: an imperative is one, "United" is not
            return True
        if len(low) > 5 and low.endswith(_VERB_SUFFIXES):
            return True
        return any(low.startswith(p) and low[len(p) :] in self.verbs for p in _VERB_PREFIXES if len(low) > len(p) + 2)


def _bases(low: str) -> tuple[str, ...]:
    """Candidate uninflected forms of a lower-cased word (plural, past, gerund, third person)."""
    bases = []
    for suffix, replacement in (
        ("ies", "y"),
        ("es", ""),
        ("s", ""),
        ("ed", ""),
        ("ed", "e"),
        ("ing", ""),
        ("ing", "e"),
    ):
        if low.endswith(suffix) and len(low) > len(suffix) + 2:
            bases.append(low[: -len(suffix)] + replacement)
    return tuple(bases)


@cache
def given_names() -> tuple[frozenset[str], frozenset[str]]:
    """Every given name in gender-guesser's nam_dict.txt (its "+" joins expanded), and those common somewhere."""
    names: set[str] = set()
    common: set[str] = set()
    source = resources.files("gender_guesser").joinpath("data/nam_dict.txt")
    with source.open(encoding="utf-8") as lines:
        for line in lines:
            if line[:1] in ("#", "="):
                continue
            name = line[_NAME_COLUMNS].strip()
            spellings = [name.replace(_JOINER, joiner) for joiner in ("", " ", "-")] if _JOINER in name else [name]
            names.update(spellings)
            if any(c.isalnum() and int(c, 16) >= _COMMON for c in line[_FREQUENCIES]):
                common.update(spellings)
    return frozenset(names), frozenset(common)


def english_words(nlp: Language) -> dict[str, frozenset[str]]:
    """Words by part of speech (noun, verb, adj, adv: every form; base_verb: base forms) in the lemmatizer's
    tables; empty without them."""
    if "lemmatizer" not in nlp.component_names:
        return {}
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return {}
    index = lookups.get_table("lemma_index")
    exceptions = lookups.get_table("lemma_exc") if lookups.has_table("lemma_exc") else {}
    tables = {
        pos: frozenset(index.get(pos, ())) | frozenset(exceptions.get(pos, {}))
        for pos in ("noun", "verb", "adj", "adv")
    }
    tables["base_verb"] = frozenset(index.get("verb", ()))
    return tables


def load_lexicon(nlp: Language) -> Lexicon:
    """The lexicon for `nlp`: given names always; English words when the model ships its lemmatizer tables."""
    names, common = given_names()
    pos = english_words(nlp)
    empty: frozenset[str] = frozenset()
    verbs = pos.get("base_verb", empty)
    everyday = pos.get("verb", empty) | pos.get("adj", empty) | pos.get("adv", empty)
    past = pos.get("verb", empty) - verbs
    return Lexicon(names, everyday | pos.get("noun", empty), verbs, everyday, common, verbs_past=past)
