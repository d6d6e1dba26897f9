"""The findings cache stays within its bounds and evicts least recently used entries."""

from __future__ import annotations

from jupyter_aigov.redaction import Finding, FindingsCache
from jupyter_aigov.redaction.cache import content_key


def test_when_entries_exceed_the_count_then_the_least_recent_is_evicted() -> None:
    cache = FindingsCache(max_entries=2)
    a, b, c = (content_key(t, ()) for t in "abc")
    cache.put(a, 1, ())
    cache.put(b, 1, ())
    cache.get(a)
    cache.put(c, 1, ())
    assert cache.get(b) is None and cache.get(a) == () and cache.get(c) == ()


def test_when_characters_exceed_the_bound_then_entries_are_evicted() -> None:
    cache = FindingsCache(max_chars=10)
    cache.put(content_key("x" * 6, ()), 6, (Finding("PERSON", 0, 1, 1.0),))
    cache.put(content_key("y" * 6, ()), 6, ())
    assert len(cache) == 1 and cache.chars == 6


def test_when_settings_differ_then_the_same_text_is_a_different_entry() -> None:
    assert content_key("ana", ("PERSON",)) != content_key("ana", ("EMAIL_ADDRESS",))
