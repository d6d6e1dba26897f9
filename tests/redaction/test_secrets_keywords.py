"""Keyword prefilter: one pass finds every keyword present, at token starts or anywhere as declared."""

from __future__ import annotations

import re

from jupyter_aigov.redaction.secrets.keywords import KeywordIndex, lines_holding, trie_pattern


def test_when_words_share_prefixes_then_the_trie_matches_each_of_them_whole() -> None:
    regex = re.compile(f"^(?:{trie_pattern(['sk', 'sk_live', 'sk_test', 'glpat-'])})$")
    assert all(regex.match(w) for w in ["sk", "sk_live", "sk_test", "glpat-"])
    assert not regex.match("sk_l")


def test_when_keywords_occur_then_each_is_reported_including_shorter_ones_at_the_same_place() -> None:
    index = KeywordIndex(["sk", "sk_live", "twilio"], anywhere=["t3blbkfj"])
    lowered = 'stripe = "sk_live_abc"; sk-proj-xxt3blbkfjyy; my_twilio_sid'
    assert index.present(lowered) == {"sk", "sk_live", "twilio", "t3blbkfj"}


def test_when_a_keyword_sits_inside_a_word_then_only_anywhere_keywords_see_it() -> None:
    assert KeywordIndex(["sk"]).present("task mask") == set()


def test_when_lines_hold_words_then_their_spans_come_back_once_each() -> None:
    text = "a=1\nkey=2 key\nb=3\ntoken=4"
    assert [text[s:e] for s, e in lines_holding(text, ["key", "token"])] == ["key=2 key", "token=4"]
