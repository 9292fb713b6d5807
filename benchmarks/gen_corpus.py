#!/usr/bin/env python
"""Generate a deterministic synthetic news corpus from the shipped reports.

Usage::

    .venv/bin/python benchmarks/gen_corpus.py N OUT.jsonl [--seed S] [--cache-dir DIR]

How it works:

1. Once (cached as JSON, keyed by the seed texts, the spaCy model and this file's
   ``VERSION``): the shipped reports (``seeds/*.txt`` and ``seeds/*.jsonl``, read with
   ``kg.ingest.news.read_articles``) are parsed with the product's pipeline
   (``kg.extract.nlp.load_nlp(settings.spacy_model)``). Its parser splits sentences; its NER
   finds PERSON / ORG / GPE / LOC / NORP spans. Every surface string it tagged (majority
   label, leading "the" and trailing "'s" dropped, plus the surname of each full person
   name) becomes a name to substitute, wherever it occurs, tagged or not (the model misses
   some occurrences). Each sentence and title becomes a template: text parts and slots.
2. Article ``i`` follows one seed report's sentences in order, swapping some for sentences
   of other reports, until it reaches 150 to 550 words, in paragraphs of 1 to 4 sentences;
   its title is that report's title. Numbers are redrawn.
3. Each original name in the article maps to a generated actor of the same kind, the
   same one throughout the article (a lone surname follows its full name). Actors come
   from one Pitman-Yor process per kind: a draw reuses an actor in proportion to how
   often it was drawn, or creates a new one, with a probability that shrinks as the
   corpus grows. So a few actors recur in many articles, most appear once or twice, and
   the number of distinct actors grows with N like a power of N (Heaps' law), as in real
   news. Names come from Faker (seeded, one instance per locale) and word lists; none
   contains an original name.
4. Each line is a JSON object with ``id, title, date, source, url, text`` (as in
   ``seeds/wikinews-demo.jsonl``); dates spread over 2021-2024; a handful of outlets.
   Articles are written as they are generated (the corpus is never held in memory),
   and the first k articles do not depend on N: a 5,000-article corpus is the prefix of
   the 50,000-article one with the same seed.

Same seed, same seed reports, same model and same Faker version: same bytes.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import importlib.metadata
import json
import os
import random
import re
import sys
import tempfile
import time
import unicodedata
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
VERSION = "1"  # bump when the template extraction changes (invalidates caches)
KINDS = ("PERSON", "ORG", "GPE", "LOC", "NORP")
MIN_WORDS, MAX_WORDS = 150, 550
MIX = 0.3  # chance that a sentence comes from another report
START = _dt.date(2021, 1, 1)
DAYS = 4 * 365
OUTLETS = (  # name, domain, weight
    ("Northern Courier", "northern-courier.example", 8),
    ("Global Wire Service", "globalwire.example", 6),
    ("The Harbor Times", "harbortimes.example", 4),
    ("Metro Ledger", "metroledger.example", 3),
    ("Continental Press", "continental-press.example", 2),
    ("Evening Dispatch", "eveningdispatch.example", 1),
)
# Pitman-Yor (concentration, discount) per kind: discount near 1 means mostly new actors
_PY = {
    "PERSON": (150.0, 0.72),
    "ORG": (100.0, 0.65),
    "GPE": (30.0, 0.45),
    "LOC": (20.0, 0.55),
    "NORP": (3.0, 0.2),
}
_LOCALES = (  # person-name locales and weights
    ("en_US", 8),
    ("en_GB", 3),
    ("fr_FR", 1),
    ("de_DE", 1),
    ("es_ES", 1),
    ("it_IT", 1),
    ("pt_BR", 1),
    ("nl_NL", 1),
    ("pl_PL", 1),
)
_CITY_LOCALES = ("en_US", "en_GB", "de_DE", "es_ES", "it_IT", "pl_PL", "nl_NL")
_ORG_NOUNS = (
    "City Council|Police Department|General Hospital|University|Chamber of Commerce|"
    "Water Authority|Port Authority|District Court|Fire Service|Transit Agency|"
    "Public Library|Housing Association|Teachers Union|Football Club|Art Museum"
).split("|")
_ADJ = (
    "National|Democratic|Progressive|United|Popular|Independent|Federal|Green|"
    "Social|Liberal|Civic|Reform|People's|Workers'|Free"
).split("|")
_PARTY = "Party|Alliance|Front|Movement|League|Union|Coalition|Congress".split("|")
_FIELDS = (
    "Health|Education|Finance|Defence|Justice|Transport|Energy|Agriculture|"
    "Foreign Affairs|Labour|Culture|Environment|Trade|Housing|Interior"
).split("|")
_INDUSTRY = (
    "Logistics|Energy|Holdings|Pharmaceuticals|Mining|Airlines|Telecom|Foods|"
    "Motors|Shipping|Capital|Media|Steel|Software|Construction"
).split("|")
_SUFFIX = "Inc|Ltd|Group|Corporation|AG|plc|& Co".split("|")
_NGO = (
    "Rights Watch|Relief Fund|Aid Network|Foundation|Institute|Observatory|"
    "Research Centre|Action Committee|Legal Defence Fund|Press Association"
).split("|")
_LOC_FORMS = (
    "{} River|Lake {}|Mount {}|{} Valley|{} Bay|{} Peninsula|{} Hills|{} Strait|"
    "{} Basin|{} Forest|{} Delta|{} Plateau"
).split("|")
_NORP = (
    "Austrian Bolivian Brazilian Bulgarian Cambodian Chilean Colombian Croatian Cuban "
    "Czech Danish Dutch Ecuadorian Egyptian Estonian Ethiopian Finnish Georgian German "
    "Ghanaian Hungarian Icelandic Irish Israeli Jamaican Japanese Jordanian Kenyan "
    "Latvian Lebanese Lithuanian Mexican Moroccan Nepali Nigerian Norwegian Pakistani "
    "Peruvian Polish Portuguese Romanian Russian Rwandan Scottish Senegalese Serbian "
    "Slovak Somali Spanish Sudanese Tanzanian Thai Turkish Ugandan Ukrainian Uruguayan "
    "Venezuelan Vietnamese Welsh Zambian Buddhist Catholic Hindu Jewish Protestant Sikh "
    "Sunni Shia Socialist Liberal Green Labourite Kurdish Basque Catalan Flemish Tamil "
    "Maori Inuit Bedouin Yazidi Coptic"
).split()
_ARTICLES = re.compile(r"^(?:the|The|a|an|A|An)\s+")
_HONORIFIC = re.compile(r"^(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+")
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")
_YEAR = re.compile(r"^(?:1[0-9]|20)\d\d$")
_QUOTES = re.compile(r"[\"“”]")
_WS = re.compile(r"\s+")
_A_AN = re.compile(r"(?<!\w)(a|an|A|An) $")


# --------------------------------------------------------------------------------------
# Templates: extracted once from the seed reports with the product's spaCy pipeline
# --------------------------------------------------------------------------------------


@dataclass
class Templates:
    """Sentence and title templates of the seed reports and the names they hold.

    A template is a list of parts: a ``str`` is literal text, a ``[kind, original]``
    pair is a name slot.
    """

    sentences: list[list[Any]]
    words: list[int]  # words per sentence
    reports: list[list[int]]  # per seed report: its sentence indexes, in order
    titles: list[list[Any]]  # per seed report
    names: dict[str, str]  # original surface string -> kind
    model: str = ""

    def name_pattern(self) -> re.Pattern[str]:
        return _names_regex(self.names)


def _names_regex(names: dict[str, str]) -> re.Pattern[str]:
    alts = "|".join(re.escape(n) for n in sorted(names, key=lambda s: (-len(s), s)))
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)")


def _clean_name(text: str) -> str | None:
    text = _WS.sub(" ", text).strip()
    text = _ARTICLES.sub("", text)
    for tail in ("'s", "’s", "'"):
        if text.endswith(tail):
            text = text[: -len(tail)]
    text = text.strip(" ,;:")
    if (
        len(text) < 2
        or not text[0].isupper()
        or any(c.isdigit() for c in text)
        or text.count("(") != text.count(")")
        or '"' in text
    ):
        return None
    return text


def _collect_names(docs: list[Any]) -> dict[str, str]:
    votes: dict[str, Counter[str]] = {}
    for doc in docs:
        for ent in doc.ents:
            if ent.label_ in KINDS and (name := _clean_name(ent.text)):
                votes.setdefault(name, Counter())[ent.label_] += 1
    names = {n: c.most_common(1)[0][0] for n, c in sorted(votes.items())}
    for name, kind in list(names.items()):  # "Bossy" alone after "Cecile Bossy"
        last = _HONORIFIC.sub("", name).split()
        if kind == "PERSON" and len(last) > 1 and len(last[-1]) > 2:
            names.setdefault(last[-1].rstrip(".,"), "PERSON")
    return names


def _template(text: str, pattern: re.Pattern[str], names: dict[str, str]) -> list[Any]:
    parts: list[Any] = []
    last = 0
    for m in pattern.finditer(text):
        if m.start() > last:
            parts.append(text[last : m.start()])
        parts.append([names[m.group()], m.group()])
        last = m.end()
    if last < len(text):
        parts.append(text[last:])
    return parts


def _keep_sentence(text: str) -> bool:
    n = len(text.split())
    return (
        4 <= n <= 80
        and any(c.islower() for c in text)
        and "http" not in text
        and len(_QUOTES.findall(text)) % 2 == 0
    )


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _seed_hash(seeds: list[Path], model: str) -> str:
    key = [VERSION, model, _version(model), _version("spacy")]
    h = hashlib.sha256("\x1f".join(key).encode())
    for path in seeds:
        h.update(path.name.encode())
        h.update(path.read_bytes())
        side = path.with_name(path.stem + ".meta.json")
        if side.exists():
            h.update(side.read_bytes())
    return h.hexdigest()[:16]


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    return Path(base) / "kg-bench"


def load_templates(
    *, seeds_dir: Path = SEEDS, cache_dir: Path | None = None
) -> Templates:
    """Templates of the seed reports, from the cache or parsed now (a few seconds)."""
    from kg.config import Settings

    model = Settings().spacy_model
    files = sorted(
        p
        for p in seeds_dir.iterdir()
        if p.suffix in (".txt", ".jsonl") and not p.name.lower().startswith("readme")
    )
    cache = (cache_dir or default_cache_dir()) / (
        f"gen-corpus-templates-{_seed_hash(files, model)}.json"
    )
    if cache.exists():
        return Templates(**json.loads(cache.read_text(encoding="utf-8")))
    tpl = extract_templates(files, model)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(tpl.__dict__, ensure_ascii=False), encoding="utf-8")
    tmp.replace(cache)
    return tpl


def extract_templates(files: list[Path], model: str) -> Templates:
    """Parse the seed reports with the product's pipeline; split and tag them."""
    from kg.extract.nlp import load_nlp
    from kg.ingest.news import read_articles

    nlp = load_nlp(model)
    articles = [a for a in read_articles(files) if not hasattr(a, "reason")]
    docs = list(nlp.pipe(a.text for a in articles))
    title_docs = list(nlp.pipe(a.title or "" for a in articles))
    names = _collect_names(docs + title_docs)
    pattern = _names_regex(names)
    sentences: list[list[Any]] = []
    words: list[int] = []
    reports: list[list[int]] = []
    titles: list[list[Any]] = []
    for doc, tdoc in zip(docs, title_docs, strict=True):
        idx: list[int] = []
        for sent in doc.sents:
            text = _WS.sub(" ", sent.text).strip()
            if _keep_sentence(text):
                idx.append(len(sentences))
                sentences.append(_template(text, pattern, names))
                words.append(len(text.split()))
        if idx:
            reports.append(idx)
            titles.append(_template(_WS.sub(" ", tdoc.text).strip(), pattern, names))
    return Templates(sentences, words, reports, titles, names, model)


# --------------------------------------------------------------------------------------
# Actors: one growing Pitman-Yor pool per kind
# --------------------------------------------------------------------------------------


class _Namer:
    """Fresh names per kind: Faker (one seeded instance per locale) and word lists."""

    def __init__(self, rng: random.Random, seed: int, forbidden: re.Pattern[str]):
        from faker import Faker

        self.rng = rng
        self.forbidden = forbidden
        self.used: set[str] = set()
        self.fakers: dict[str, Any] = {}
        for k, (loc, _) in enumerate(_LOCALES):
            f = Faker(loc)
            f.seed_instance(seed * 1009 + k)
            self.fakers[loc] = f
        self.locales = [loc for loc, _ in _LOCALES]
        self.weights = [w for _, w in _LOCALES]
        from faker.providers.address.en import Provider as Address

        self.countries = [c for c in Address.countries if "," not in c and "(" not in c]
        rng.shuffle(self.countries)
        from faker.providers.address.it_IT import Provider as ItalianAddress

        self.it_cities = sorted(ItalianAddress.cities)
        self.norp = list(_NORP)
        rng.shuffle(self.norp)

    def _faker(self) -> Any:
        return self.fakers[self.rng.choices(self.locales, self.weights)[0]]

    def _surname(self) -> str:
        return str(self._faker().last_name())

    def _city(self) -> str:
        loc = self.rng.choice(_CITY_LOCALES)
        if loc == "it_IT":  # Faker builds this list from a set: order by hash seed
            return str(self.rng.choice(self.it_cities))
        return str(self.fakers[loc].city())

    def _make(self, kind: str) -> str:
        r = self.rng.random()
        c = self.rng.choice
        if kind == "PERSON":
            f = self._faker()
            return f"{f.first_name()} {f.last_name()}"
        if kind == "ORG":
            if r < 0.25:
                return f"{self._city()} {c(_ORG_NOUNS)}"
            if r < 0.40:
                return f"{self._surname()} {c(_INDUSTRY)} {c(_SUFFIX)}"
            if r < 0.52:
                return f"{c(_ADJ)} {c(_PARTY)}"
            if r < 0.62:
                return f"Ministry of {c(_FIELDS)} of {self._gpe()}"
            if r < 0.80:
                return f"{self._surname()} {c(_NGO)}"
            if r < 0.90:
                return f"University of {self._city()}"
            return str(self.fakers["en_US"].company()).replace(",", "")
        if kind == "GPE":
            return self._gpe()
        if kind == "LOC":
            return c(_LOC_FORMS).format(self._surname() if r < 0.6 else self._city())
        if self.norp:  # NORP
            return self.norp.pop()
        base = self._gpe()
        return base + ("n" if base.endswith("a") else "ian")

    def _gpe(self) -> str:
        if self.countries and self.rng.random() < 0.25:
            return self.countries.pop()
        return self._city()

    def new(self, kind: str) -> str:
        for attempt in range(1000):
            name = _WS.sub(" ", self._make(kind)).strip()
            if attempt > 50:  # the name space is finite: disambiguate
                first, _, rest = name.partition(" ")
                initial = self.rng.choice("BCDFGHJKLMNPRSTVW")
                name = (
                    f"{first} {initial}. {rest}"
                    if kind == "PERSON"
                    else f"{name} {attempt}"
                )
            if name and name not in self.used and not self.forbidden.search(name):
                self.used.add(name)
                return name
        raise RuntimeError(f"cannot make a new {kind} name")


@dataclass
class _Pool:
    """Pitman-Yor draws: reuse in proportion to past draws, or make a new actor."""

    kind: str
    alpha: float
    discount: float
    names: list[str] = field(default_factory=list)
    history: array[int] = field(default_factory=lambda: array("I"))

    def draw(self, rng: random.Random, namer: _Namer, avoid: set[str]) -> str:
        for _ in range(20):
            n, k = len(self.history), len(self.names)
            if rng.random() * (n + self.alpha) < self.alpha + self.discount * k:
                return self._new(namer)
            idx = self.history[rng.randrange(n)]
            if self.names[idx] not in avoid:
                self.history.append(idx)
                return str(self.names[idx])
        return self._new(namer)

    def _new(self, namer: _Namer) -> str:
        self.names.append(namer.new(self.kind))
        self.history.append(len(self.names) - 1)
        return self.names[-1]


# --------------------------------------------------------------------------------------
# Articles
# --------------------------------------------------------------------------------------


def _acronym(name: str) -> str:
    letters = "".join(w[0] for w in name.split() if w[:1].isupper())
    return letters if len(letters) >= 2 else name


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:60]


class CorpusGenerator:
    """Deterministic articles from the templates; actors accumulate across articles.

    Example:
        >>> gen = CorpusGenerator(load_templates(), seed=7)  # doctest: +SKIP
        >>> next(gen.articles(1))["title"]  # doctest: +SKIP
    """

    def __init__(self, templates: Templates, *, seed: int = 42) -> None:
        self.tpl = templates
        self.seed = seed
        self.rng = random.Random(seed)
        self.namer = _Namer(random.Random(seed + 1), seed, templates.name_pattern())
        self.pools = {k: _Pool(k, *_PY[k]) for k in KINDS}
        self.outlets = [o[:2] for o in OUTLETS]
        self.outlet_weights = [o[2] for o in OUTLETS]
        self.words = 0

    def distinct_actors(self) -> dict[str, int]:
        return {k: len(p.names) for k, p in self.pools.items()}

    def articles(self, n: int, *, start: int = 0) -> Iterator[dict[str, str]]:
        """Articles ``start`` .. ``start + n - 1`` (call with increasing ``start``)."""
        for i in range(start, start + n):
            yield self._article(i)

    def _pick_sentences(self) -> tuple[int, list[int]]:
        rng, tpl = self.rng, self.tpl
        report = rng.randrange(len(tpl.reports))
        target = rng.randint(MIN_WORDS, MAX_WORDS)
        chosen: list[int] = []
        words, cur, pos = 0, report, 0
        while words < target:
            if pos >= len(tpl.reports[cur]):
                cur = rng.randrange(len(tpl.reports))
                pos = rng.randrange(len(tpl.reports[cur]))
            if chosen and rng.random() < MIX:
                idx = rng.randrange(len(tpl.sentences))
            else:
                idx = tpl.reports[cur][pos]
                pos += 1
            chosen.append(idx)
            words += tpl.words[idx]
        return report, chosen

    def _cast(self, templates: list[list[Any]]) -> dict[tuple[str, str], str]:
        """Original (kind, name) -> generated name, consistent within the article."""
        slots = dict.fromkeys(
            (p[0], p[1]) for t in templates for p in t if isinstance(p, list)
        )
        cast: dict[tuple[str, str], str] = {}
        taken: set[str] = set()
        singles = []
        for kind, orig in slots:
            if kind == "PERSON" and " " not in orig:
                singles.append(orig)
                continue
            actor = self.pools[kind].draw(self.rng, self.namer, taken)
            taken.add(actor)
            short = _acronym(actor)
            if (
                orig.isupper()
                and len(orig) <= 6
                and not self.namer.forbidden.search(short)
            ):
                actor = short  # "NASA" -> "HSA"
            cast[(kind, orig)] = actor
        for orig in singles:
            full = next(
                (
                    v
                    for (k, o), v in cast.items()
                    if k == "PERSON" and o.split()[-1] == orig
                ),
                None,
            )
            if full is None:
                full = self.pools["PERSON"].draw(self.rng, self.namer, taken)
                taken.add(full)
            cast[("PERSON", orig)] = full.split()[-1]
        return cast

    def _numbers(self, text: str) -> str:
        def redraw(m: re.Match[str]) -> str:
            s = m.group()
            if _YEAR.match(s):
                return s
            out = [ch if not ch.isdigit() else str(self.rng.randrange(10)) for ch in s]
            if out[0] == "0" and len(s.replace(",", "")) > 1:
                out[0] = str(self.rng.randrange(1, 10))
            return "".join(out)

        return _NUMBER.sub(redraw, text)

    def _render(self, template: list[Any], cast: dict[tuple[str, str], str]) -> str:
        out: list[str] = []
        for part in template:
            if isinstance(part, str):
                out.append(self._numbers(part))
                continue
            name = cast[(part[0], part[1])]
            if out and (m := _A_AN.search(out[-1])):  # "an Afghan" -> "a Polish"
                art = "an" if name[:1].lower() in "aeiou" else "a"
                art = art.capitalize() if m.group(1)[0].isupper() else art
                out[-1] = out[-1][: m.start(1)] + art + " "
            out.append(name)
        return "".join(out)

    def _article(self, i: int) -> dict[str, str]:
        rng = self.rng
        report, chosen = self._pick_sentences()
        title_tpl = self.tpl.titles[report]
        sent_tpls = [self.tpl.sentences[k] for k in chosen]
        cast = self._cast([title_tpl, *sent_tpls])
        paragraphs: list[str] = []
        k = 0
        while k < len(sent_tpls):
            size = rng.choice((1, 2, 2, 3, 3, 4))
            paragraphs.append(
                " ".join(self._render(t, cast) for t in sent_tpls[k : k + size])
            )
            k += size
        text = "\n\n".join(paragraphs)
        title = self._render(title_tpl, cast)
        day = START + _dt.timedelta(days=rng.randrange(DAYS))
        outlet, domain = rng.choices(self.outlets, self.outlet_weights)[0]
        art_id = f"gen{self.seed}-{i:07d}"
        self.words += len(text.split())
        return {
            "id": art_id,
            "title": title,
            "date": day.isoformat(),
            "source": outlet,
            "url": f"https://www.{domain}/{day:%Y/%m/%d}/{_slug(title)}-{i}",
            "text": text,
        }


def write_corpus(
    n: int,
    out: IO[str],
    *,
    seed: int = 42,
    templates: Templates | None = None,
) -> CorpusGenerator:
    """Write ``n`` articles as JSON lines to ``out``; returns the generator (stats)."""
    gen = CorpusGenerator(templates or load_templates(), seed=seed)
    for art in gen.articles(n):
        out.write(json.dumps(art, ensure_ascii=False) + "\n")
    return gen


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of articles")
    ap.add_argument("out", help="output .jsonl file ('-' for standard output)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help=f"where the parsed seed templates are cached (default {default_cache_dir()})",
    )
    args = ap.parse_args(argv)
    if args.n < 0:
        ap.error("N must be >= 0")
    t0 = time.perf_counter()
    tpl = load_templates(cache_dir=args.cache_dir)
    if args.out == "-":
        gen = write_corpus(args.n, sys.stdout, seed=args.seed, templates=tpl)
    else:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=out.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                gen = write_corpus(args.n, fh, seed=args.seed, templates=tpl)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp made it private
            os.replace(tmp, out)
        except BaseException:
            os.unlink(tmp)
            raise
    actors = ", ".join(f"{k} {v:,}" for k, v in gen.distinct_actors().items())
    print(
        f"{args.n:,} articles, {gen.words:,} words, distinct actors: {actors}; "
        f"{time.perf_counter() - t0:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
