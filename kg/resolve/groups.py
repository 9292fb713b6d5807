"""Groups of people (``migrants``, ``riot police``) and their counts.

A plural noun is a group when it is in the lexicon of human collectives, or
when it is a clause subject or object and looks like a human noun by its
morphology: ``-ists`` (activists), ``-ians`` (politicians) or an agentive
``-ers`` noun whose stem is a verb (protesters, smugglers, voters); common
non-human ``-ers`` nouns (numbers, containers, dumpsters) are excluded.
``about 650 migrants`` and ``more than 1,200 refugees`` carry their count.

Example:
    >>> doc = nlp("About 650 migrants left.")  # doctest: +SKIP
    >>> [(g.text, g.count) for g in group_mentions(doc, set())]  # doctest: +SKIP
    [('migrants', 650)]
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from kg.extract.docindex import doc_index

_NOUN = frozenset({"NOUN"})

GROUP_NOUNS = frozenset(
    """migrants migrant refugees asylum-seekers seekers police officers officials
    authorities activists protesters protestors demonstrators residents villagers
    citizens soldiers troops forces workers employees students teachers doctors
    nurses patients pilgrims candidates voters exiles immigrants journalists
    reporters prisoners detainees rebels militants fighters insurgents civilians
    children parents families people investigators prosecutors lawyers judges
    ministers lawmakers legislators politicians leaders members supporters fans
    critics experts scientists researchers engineers volunteers victims survivors
    passengers farmers miners hackers users customers shareholders delegates
    diplomats guards firefighters paramedics medics staff crew team gunmen
    attackers militia campaigners analysts observers monitors women men girls boys
    youths teenagers adults elders pensioners tourists visitors settlers
    smugglers traffickers gangs looters rioters mourners worshippers believers
    residents inhabitants locals nationals consumers drivers riders commuters
    athletes players spectators viewers readers audiences crowds mobs agents
    spies terrorists extremists jihadists separatists officers sailors marines
    peacekeepers commanders generals bishops priests clergy monks nuns
    regulators inspectors auditors economists""".split()
)
_NOT_GROUP_MODIFIERS = frozenset(
    "some several many few all most other these those such the a an more any each "
    "both its their his her our your my".split()
)
# -ers nouns whose stem is a verb but that name things, not people
_NON_HUMAN_ERS = frozenset(
    """numbers containers computers printers servers trailers markers flowers
    towers layers letters banners posters boilers heaters stickers chargers
    burners tankers rollers cutters crackers covers folders lockers scanners
    hangers boosters sprinklers shutters blenders slippers headers powers
    orders matters waters answers offers papers borders corners quarters
    headquarters filters chambers liners loaders lighters triggers rockers
    blockers dumpsters cookers coolers fillers killers""".split()
)
_QUANTITY_NOUNS = frozenset(
    "hundreds thousands dozens scores millions tens groups crowds".split()
)
_ARG_DEPS = frozenset({"nsubj", "nsubjpass", "dobj"})
_NUMBER_WORDS = {
    w: n
    for n, w in enumerate(
        """zero one two three four five six seven eight nine ten eleven twelve
        thirteen fourteen fifteen sixteen seventeen eighteen nineteen""".split()
    )
} | {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_MULTIPLIERS = {"hundred": 100, "thousand": 1000, "million": 1_000_000}


@dataclass(frozen=True)
class GroupSpan:
    start: int
    end: int
    text: str
    count: int | None


# verbs whose agent noun in -er names a person: protest-er, smuggl-er, vot-er
_AGENT_VERBS = frozenset(
    """protest demonstrate smuggle traffic vote work lead support campaign report
    research play fight hack use shop loot riot mourn worship believe follow
    view read ride drive bomb attack kill murder rob steal kidnap hijack abuse
    occupy settle farm mine teach train manage own found organise organize
    develop design build make produce sell buy trade deal invest bank lend pay
    employ strike picket rally petition lobby advise consult negotiate mediate
    observe watch guard defend protect rescue help care treat serve clean cook
    paint write publish edit broadcast photograph film sing dance perform
    direct compose program plan invent discover explore climb hike swim run
    skate ski box wrestle bowl shoot hunt fish sail fly travel commute visit
    seek pray preach listen speak talk interview call host present lecture
    learn subscribe stream game bet gamble smoke drink dissent defect leak
    bring carry deliver import export manufacture retail purchase lodge
    rent borrow offend bully stalk hoard speculate dream sleep walk jog""".split()
)


def _clause_role(tok: Token) -> bool:
    """Subject or object of a clause (directly, by ``by``, ``hundreds of``, ``and``)."""
    while tok.dep_ == "conj":
        tok = tok.head
    if tok.dep_ in _ARG_DEPS:
        return True
    if tok.dep_ == "pobj":
        prep = tok.head
        if prep.dep_ == "agent":
            return True
        if prep.lower_ == "of" and prep.head.lower_ in _QUANTITY_NOUNS:
            return prep.head.dep_ in _ARG_DEPS
    return False


def _human_by_form(tok: Token) -> bool:
    """``activists``, ``politicians``, ``protesters``: a plural human noun by form."""
    low = tok.lower_
    if tok.tag_ != "NNS" or not _clause_role(tok):
        return False
    if low.endswith(("ists", "ians")):
        return len(low) >= 7 and not low.endswith("sists")
    if not low.endswith("ers") or low in _NON_HUMAN_ERS:
        return False
    stem = low[:-3]
    stems = {stem, low[:-2]}  # protest-ers, vote-rs
    if len(stem) > 2 and stem[-1] == stem[-2]:
        stems.add(stem[:-1])  # shopp-ers
    return any(s in _AGENT_VERBS for s in stems)


def is_group_noun(tok: Token) -> bool:
    """A plural human noun: from the lexicon, or by its form as a clause argument."""
    if tok.pos_ != "NOUN":
        return False
    return tok.lower_ in GROUP_NOUNS or _human_by_form(tok)


def _group_span(tok: Token) -> Span | None:
    """``French police``, ``riot police``, ``rights activists``: noun + modifiers."""
    if tok.dep_ in ("compound", "amod") or not is_group_noun(tok):
        return None  # a modifier is part of a larger noun phrase ("police station")
    start = tok.i
    for child in reversed(list(tok.lefts)):
        if child.right_edge.i != start - 1 or child.lower_ in _NOT_GROUP_MODIFIERS:
            break
        if child.tag_ == "VBG" or (
            child.pos_ == "NOUN" and child.lower_.endswith("ing")
        ):
            break  # "a camp housing Syrian refugees": a clause, not a modifier
        if child.dep_ in ("compound", "amod") and child.pos_ in (
            "NOUN",
            "ADJ",
            "PROPN",
        ):
            if not child.like_num:
                start = child.left_edge.i
                continue
        break
    doc = tok.doc
    while start < tok.i and (
        doc[start].pos_ == "DET"
        or (doc[start].pos_ == "ADV" and doc[start + 1].text != "-")
    ):
        start += 1  # "mainly Syrian and Afghan exiles", but "far-right"
    return tok.doc[start : tok.i + 1]


def _group_name(span: Span) -> str:
    """Lower-case common words, keep proper adjectives: ``French riot police``."""
    words = [t.text if t.ent_type_ or t.pos_ == "PROPN" else t.lower_ for t in span]
    return " ".join(words).replace(" - ", "-").strip(" ,.;:\"'")


def parse_number(tok: Token) -> int | None:
    """The integer a number token (with its compound parts) says: ``two hundred``."""
    text = tok.lower_.replace(",", "")
    if text.isdigit():
        return int(text)
    if text in _NUMBER_WORDS:
        return _NUMBER_WORDS[text]
    if text in _MULTIPLIERS:
        parts = [c for c in tok.children if c.dep_ in ("compound", "nummod")]
        base = parse_number(parts[0]) if parts else 1
        return None if base is None else base * _MULTIPLIERS[text]
    return None


def group_count(tok: Token) -> int | None:
    """The exact count given for a group noun (``650 migrants``), if any."""
    for child in tok.children:
        if child.dep_ == "nummod" and child.pos_ == "NUM":
            return parse_number(child)
    return None


def group_mentions(doc: Doc, taken: set[int]) -> list[GroupSpan]:
    """Group spans not overlapping ``taken`` (which is updated)."""
    out: list[GroupSpan] = []
    for i in doc_index(doc).where("pos", _NOUN):  # is_group_noun needs a NOUN
        if i in taken:
            continue
        tok = doc[i]
        span = _group_span(tok)
        if span is None or any(i in taken for i in range(span.start, span.end)):
            continue
        out.append(GroupSpan(span.start, span.end, _group_name(span), group_count(tok)))
        taken.update(range(span.start, span.end))
    return out
