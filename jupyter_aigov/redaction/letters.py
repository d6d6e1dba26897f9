"""Character classes for regular expressions over names written in many scripts."""

from __future__ import annotations

# Cyrillic capitals, Ukrainian ones included.
CYRILLIC_CAPITALS = "\u0400-\u042f"
# Capital letters: Latin with diacritics (Latin-1 and Extended-A), Cyrillic, Greek; for a class: f"[{CAPITALS}]".
CAPITALS = f"A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŸŹŻŽȘȚ{CYRILLIC_CAPITALS}\u0386-\u038f\u0391-\u03a9"
