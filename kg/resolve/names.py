"""Names: comparison keys, titles, acronyms and the best label of an entity.

Example:
    >>> split_title("Prime Minister John Key")
    ('prime minister', 'John Key')
    >>> norm("CÉCILE  Bossy") == norm("Cecile Bossy")
    True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from kg.extract.gazetteer import HONORIFICS, TITLE_PREFIXES, TITLE_ROLES, TITLES

_INITIALS = re.compile(r"(?:^|[\s.])[A-Z]\.[A-Z]\.$")
_TRIM = re.compile(r"^(?:the|a|an)\s+", re.I)
_KEY_STRIP = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
_PAREN = re.compile(r"^(?P<name>.+?)\s*\((?P<acr>[^()]+)\)$")
_FUNCTION_WORDS = frozenset("of the and for de du des la le et on in at to".split())
_POSSESSIVE = re.compile(r"'s\b")
_TRAILING_POSSESSIVE = re.compile(r"\s*(?:'s|’s|')$")
# the same names come back many times an article (146 calls of norm per article):
# pure functions of a string, cached (bounded: a few MB at most)
_CACHE = 4096


@lru_cache(maxsize=_CACHE)
def norm(name: str) -> str:
    """Comparison key of a name: Unicode-folded, case-folded, no dots or ``'s``."""
    folded = unicodedata.normalize("NFKD", name.translate(_KEY_STRIP))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    folded = _POSSESSIVE.sub("", folded)
    return " ".join(w for w in folded.replace(".", " ").split() if w)


def _title_word(word: str) -> str:
    return word.casefold().rstrip(".")


def split_title(text: str) -> tuple[str | None, str]:
    """(role, name) of ``President Obama`` -> ("president", "Obama").

    Honorifics (Mr, Dr...) are dropped but give no role; abbreviations expand
    (``Sen.`` -> senator). The last word is always kept as the name.
    """
    words = text.split()
    i = 0
    while i < len(words) - 1 and _title_word(words[i]) in TITLES | TITLE_PREFIXES:
        i += 1
    while i > 0 and _title_word(words[i - 1]) not in TITLES:
        i -= 1  # "Prime" alone is no title
    if i == 0:
        return None, text
    title = [_title_word(w) for w in words[:i] if _title_word(w) not in HONORIFICS]
    role = " ".join(TITLE_ROLES.get(w, w) for w in title) or None
    return role, " ".join(words[i:])


def split_paren(text: str) -> tuple[str, str | None]:
    """``Doctors of the World (MdM)`` -> ("Doctors of the World", "MdM")."""
    m = _PAREN.match(text)
    if m is None or not is_acronym(m["acr"]):
        return text, None
    return m["name"].strip(), m["acr"].strip()


@lru_cache(maxsize=_CACHE)
def is_acronym(text: str) -> bool:
    """``NASA``, ``MdM``, ``U.S.``: 2-8 letters, mostly capitals, no spaces."""
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return (
        2 <= len(letters) <= 8
        and " " not in text.strip()
        and letters[0].isupper()
        and upper >= 2
        and upper * 2 >= len(letters)
        and all(c.isalnum() or c in ".&-" for c in text.strip())
    )


def initials(name: str) -> str:
    """Initials of the capitalised words: National Aeronautics and Space ... -> NASA."""
    parts = re.split(r"[\s-]+", name)
    return "".join(
        w[0] for w in parts if w[:1].isupper() and w.casefold() not in _FUNCTION_WORDS
    )


def acronym_key(text: str) -> str:
    return "".join(c for c in text if c.isalnum()).upper()


def best_label(forms: Iterable[tuple[str, int]]) -> str:
    """The best-cased, most complete form: mixed case, diacritics, then frequency.

    ``forms`` are (surface form, position of first use) pairs, one per use.
    """
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for form, pos in forms:
        counts[form] = counts.get(form, 0) + 1
        first[form] = min(first.get(form, pos), pos)

    def score(form: str) -> tuple[int, int, int, int, int]:
        letters = [c for c in form if c.isalpha()]
        mixed = any(c.isupper() for c in letters) and any(c.islower() for c in letters)
        accents = sum(1 for c in letters if ord(c) > 127)
        return (len(form.split()), int(mixed), accents, counts[form], -first[form])

    return max(counts, key=score)


@lru_cache(maxsize=_CACHE)
def clean_name(text: str) -> str:
    """Canonical surface form: no leading article, possessive or stray punctuation.

    The final dot of initials stays: ``the U.S.`` -> ``U.S.``.
    """
    text = _TRIM.sub("", " ".join(text.split()))
    text = _TRAILING_POSSESSIVE.sub("", text)
    dotted = bool(_INITIALS.search(text))
    text = text.replace(" - ", "-").strip(" ,.;:\"'“”‘’()")
    return text + "." if dotted else text
