"""How messages count and name things in English: one place, so every summary line and reason
agrees ("1 record", "2 records"; "an Event", "a Person"). No imports: the command line uses it
before anything heavy is loaded."""

from __future__ import annotations


def counted(n: int, noun: str) -> str:
    """``1 record``, ``2 records``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def with_article(noun: str) -> str:
    """``an Event``, ``a Person``: by the first letter, which serves the bridge's own nouns."""
    return f"{'an' if noun[:1].upper() in 'AEIOU' else 'a'} {noun}"
