"""Word lists the extraction rules share, and lemma fixes for the small model."""

from __future__ import annotations

from spacy.tokens import Token

# verbs of speaking: their subject is a speaker (a person or a body that talks)
SPEECH_VERBS = frozenset(
    """say tell add explain state claim insist warn note announce declare write
    ask reply argue confirm deny admit suggest report told""".split()
)
# verbs whose complement is a claim attributed to the subject
REPORTING_VERBS = SPEECH_VERBS | frozenset(
    "allege estimate predict acknowledge believe think".split()
)
CATENATIVE = frozenset(
    "begin start continue keep stop try attempt hope want plan seek intend aim "
    "expect wish decide agree promise threaten refuse fail need prepare vow "
    "manage resume cease".split()
)
INTENT = frozenset(
    "try attempt hope want plan seek intend aim expect wish decide agree promise "
    "threaten need prepare vow".split()
)
ASPECTUAL = frozenset("begin start continue keep manage resume".split())
LIGHT_VERBS = frozenset("make take give have pay hold launch play do".split())
NEGATING = frozenset({"refuse", "fail", "cease", "stop"})
POSSIBLE_MODALS = frozenset({"may", "might", "could", "would", "can"})
HEDGES = frozenset(
    "reportedly allegedly apparently possibly perhaps probably supposedly "
    "purportedly seemingly likely".split()
)
# lemmatiser errors of the small English model, by surface form
_LEMMA_FIXES = {"hoped": "hope", "hoping": "hope", "ringed": "ring"}


def lemma(tok: Token) -> str:
    """The token's lemma, with the small model's known lemmatiser errors fixed."""
    return _LEMMA_FIXES.get(tok.lower_, tok.lemma_.lower())
