"""Splitting a person's display name into family and given names.

``Family, Given`` is split at the first comma; particles after the given names
(``Jong, A. de``) join the family name. ``Given Family`` takes the last word as the
family name, together with the particles before it that the mapping lists (``van der``,
``de la``). ``Family I.`` (initials after the family name, as CNR and many CRISs write
them) keeps the initials as given names. The display name itself is always kept as given.
"""

from __future__ import annotations

import re
from collections.abc import Collection

_INITIALS = re.compile(r"^(?:[^\W\d_]\.?-?){1,3}\.?$|^(?:[^\W\d_]\.){1,4}$")


def split(display: str, particles: Collection[str]) -> tuple[str | None, str | None]:
    """Return (family, given); either may be None when the name does not say."""
    text = " ".join(display.split())
    if not text:
        return None, None
    if "," in text:
        family, _, given = text.partition(",")
        family, given = family.strip(), given.strip()
        # "Bosch, F.A.J. van den", "Jong, A. de" (Dutch DSpace): particles written after the
        # given names belong to the family name, "van den Bosch"
        tail = given.split(" ")
        cut = len(tail)
        while cut > 1 and tail[cut - 1].lower() in particles:
            cut -= 1
        if cut < len(tail) and family:
            family, given = " ".join(tail[cut:] + [family]), " ".join(tail[:cut])
        return family or None, given or None
    words = text.split(" ")
    if len(words) == 1:
        return words[0], None
    # "Cantoni C." / "Smith J. R." / "De Rosa M.": family first (one word or several), then a
    # run of initials to the end
    initials_from = len(words)
    while initials_from > 0 and _is_initial(words[initials_from - 1]):
        initials_from -= 1
    if 0 < initials_from < len(words) and not any(_is_initial(w) for w in words[:initials_from]):
        return " ".join(words[:initials_from]), " ".join(words[initials_from:])
    cut = len(words) - 1
    while cut > 1 and words[cut - 1].lower() in particles:
        cut -= 1
    return " ".join(words[cut:]), " ".join(words[:cut])


def _is_initial(word: str) -> bool:
    # Initials are capitals: "JR" is two initials, "Li" (as in "Li X.") is a family name.
    return bool(_INITIALS.match(word)) and (word.endswith(".") or len(word) <= 2) and word.upper() == word
