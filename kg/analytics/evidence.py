"""The evidence behind one edge of the actor graph: its sentences, highlighted.

Strings from the news are returned as they are: escaping them is the page's job.
The IRIs a caller gives pass :func:`~kg.analytics.convert.check_iri` before they
enter SPARQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from kg.analytics.convert import _local_name, _number, check_iri, values_clause

if TYPE_CHECKING:
    from kg.store.base import Store

__all__ = ["edge_evidence"]


# -- evidence --------------------------------------------------------------------------

_EVIDENCE = """
SELECT ?st ?conf ?neg ?mod ?date ?attr ?attr_label ?otext ?plabel
       ?sent ?text ?art ?aid ?title ?adate ?url ?source
WHERE {{
  ?st rdf:subject <{s}> ; rdf:predicate <{p}> ; rdf:object <{o}> ; a kg:Statement .
  OPTIONAL {{ ?st kg:confidence ?conf }}
  OPTIONAL {{ ?st kg:negated ?neg }}
  OPTIONAL {{ ?st kg:modality ?mod }}
  OPTIONAL {{ ?st dcterms:date ?date }}
  OPTIONAL {{ ?st kg:objectText ?otext }}
  OPTIONAL {{
    ?st prov:wasAttributedTo ?attr . OPTIONAL {{ ?attr rdfs:label ?attr_label }}
  }}
  OPTIONAL {{ <{p}> rdfs:label ?plabel }}
  OPTIONAL {{
    ?st prov:wasDerivedFrom ?sent .
    OPTIONAL {{ ?sent schema:text ?text }}
    OPTIONAL {{
      ?sent schema:isPartOf ?art .
      OPTIONAL {{ ?art schema:identifier ?aid }}
      OPTIONAL {{ ?art schema:headline ?title }}
      OPTIONAL {{ ?art schema:datePublished ?adate }}
      OPTIONAL {{ ?art schema:url ?url }}
      OPTIONAL {{ ?art schema:publisher ?pub . OPTIONAL {{ ?pub rdfs:label ?source }} }}
    }}
  }}
}}
"""
_EVIDENCE_VARS = (
    *("st", "conf", "neg", "mod", "date", "attr", "attr_label", "otext", "plabel"),
    *("sent", "text", "art", "aid", "title", "adate", "url", "source"),
)
_NAMES = "SELECT ?e ?name WHERE {{ {values} ?e rdfs:label|skos:altLabel ?name }}"
# forms a prefix of the lemma does not find ("tell" → "told"): lemma, then forms
_IRREGULAR = {
    forms.split()[0]: forms.split()[1:]
    for forms in """be am is are was were been being | have has had having
    | do does did done doing | say says said saying | tell tells told telling
    | go goes went gone going | make makes made making | take takes took taken taking
    | give gives gave given giving | leave leaves left leaving | meet meets met meeting
    | hold holds held holding | lead leads led leading | find finds found finding
    | win wins won winning | lose loses lost losing | bring brings brought bringing
    | send sends sent sending | seek seeks sought seeking | buy buys bought buying
    | sell sells sold selling | see sees saw seen seeing | come comes came coming
    | get gets got gotten getting | know knows knew known knowing
    | become becomes became becoming | flee flees fled fleeing | feel feels felt
    | pay pays paid paying | spend spends spent spending | put puts putting
    | speak speaks spoke spoken speaking | begin begins began begun beginning
    | fight fights fought fighting | build builds built building | run runs ran
    | write writes wrote written writing | drive drives drove driven driving
    | fall falls fell fallen falling | shoot shoots shot shooting | eat ate eaten
    | strike strikes struck striking | break breaks broke broken breaking
    | choose chooses chose chosen choosing | bear bears bore born borne""".split("|")
}


def edge_evidence(
    store: Store, subject: str, predicate: str, object: str
) -> list[dict[str, Any]]:
    """Every statement behind the edge ``subject –predicate→ object``, best first.

    Each item: ``statement``, ``sentence`` (text), ``spans`` (``subject``,
    ``predicate``, ``object``: ``[begin, end]`` character offsets in the sentence,
    or None when not found), ``confidence``, ``negated``, ``modality``,
    ``attributed_to`` (a label or None), ``date`` (the claim's, else the
    article's, else ""), ``article`` (``id``, ``iri``, ``title``, ``date``,
    ``url``, ``source``; "" when unknown).

    Raises:
        InputError: an argument is not an IRI.
    """
    s, p, o = (check_iri(iri) for iri in (subject, predicate, object))
    rows: dict[str, dict[str, Any]] = {}
    for row in store.query(_EVIDENCE.format(s=s, p=p, o=o)):
        values = {k: None if row[k] is None else row[k].value for k in _EVIDENCE_VARS}
        rows.setdefault(str(values["st"]), values)
    names = _names(store, {s, o})
    items = [_evidence(r, names[s], names[o], p) for r in rows.values()]
    items.sort(key=lambda e: (-(e["confidence"] or -1.0), e["statement"]))
    return items


def _names(store: Store, iris: set[str]) -> dict[str, list[str]]:
    """Each IRI's labels and alternative labels, longest first."""
    found: dict[str, set[str]] = {iri: set() for iri in iris}
    for row in store.query(_NAMES.format(values=values_clause("e", iris))):
        found[row["e"].value].add(row["name"].value)
    return {iri: sorted(n, key=lambda x: (-len(x), x)) for iri, n in found.items()}


def _evidence(
    r: dict[str, Any], subject: list[str], object: list[str], predicate: str
) -> dict[str, Any]:
    text = r["text"] or ""
    subject_span = _find(text, subject)
    object_span = _find(text, [r["otext"]] if r["otext"] else []) or _find(text, object)
    lemma = r["plabel"] or _local_name(predicate)
    after = subject_span[1] if subject_span else 0
    return {
        "statement": r["st"],
        "sentence": text,
        "spans": {
            "subject": subject_span,
            "predicate": _find_verb(text, lemma, after),
            "object": object_span,
        },
        "confidence": _number(r["conf"]),
        "negated": r["neg"] in ("true", "1"),
        "modality": r["mod"] or "",
        "attributed_to": r["attr_label"] or (r["attr"] and _local_name(r["attr"])),
        "date": r["date"] or r["adate"] or "",
        "article": {
            "id": r["aid"] or "",
            "iri": r["art"] or "",
            "title": r["title"] or "",
            "date": r["adate"] or "",
            "url": r["url"] or "",
            "source": r["source"] or "",
        },
    }


def _find(text: str, names: Iterable[str]) -> list[int] | None:
    """``[begin, end]`` of the first name found as whole words (any case)."""
    for name in names:
        if name.strip():
            m = re.search(rf"(?<!\w){re.escape(name.strip())}(?!\w)", text, re.I)
            if m:
                return [m.start(), m.end()]
    return None


def _find_verb(text: str, lemma: str, after: int) -> list[int] | None:
    """``[begin, end]`` of a form of the lemma's first word, after ``after`` if any."""
    words = lemma.split()
    if not words:
        return None
    verb = words[0].lower()
    forms = [re.escape(f) for f in _IRREGULAR.get(verb, [])]
    if len(verb) > 3:  # a prefix: expel → expelled, expelling; receive → receiv…
        forms.append(re.escape(verb[:-1] if verb[-1] in "ey" else verb) + r"\w*")
    else:  # short verbs (be, win, try): no prefix, it would match too much
        forms += [re.escape(verb) + end for end in ("", "s", "ed", "ing", r"\w?ed")]
    pattern = re.compile(rf"(?<!\w)(?:{'|'.join(forms)})(?!\w)", re.I)
    spans = [[m.start(), m.end()] for m in pattern.finditer(text)]
    later = [span for span in spans if span[0] >= after]
    if later or spans:
        return (later or spans)[0]
    return None
