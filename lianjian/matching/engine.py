"""Rank resources for community needs, with reasons a person can check.

Pure Python plus numpy; no Django. The Django layer turns model rows into
``NeedDoc``/``ResourceDoc`` and calls ``MatchEngine``.

How a score is made
-------------------
1. Text. Each document is analysed into three feature families:
   * ``w``: jieba words (domain dictionary, stop-words removed),
   * ``c``: concepts from the thesaurus file (``data/thesaurus.txt``), found by
     longest match in the raw text; broader concepts count at reduced weight.
     This is what bridges 找活干 ↔ 招聘 or 牙上有黑洞 ↔ 龋齿,
   * ``b``: character bigrams (stored without prefix), a back-off for words neither jieba nor the
     thesaurus knows.
   Title features count twice, the unit name half. Documents are scored with
   BM25 (saturated term frequency on the resource side, IDF and family weight on
   the need side) over an inverted index of numpy-friendly posting arrays.
2. Markers. Thesaurus classes starting with ``@`` flag resources that serve only
   insiders (仅限本行员工) or are sales promotions (理财产品, 八折); they are
   demoted, and the reason says why.
3. Structured signals, used only when both sides carry them: category,
   beneficiaries, remaining capacity, validity window, service area, the unit's
   record and distance. Each adjusts the score and adds a reason.

Who and where are not evidence (``data/context.txt``)
-----------------------------------------------------
Place names (region names given to the engine, and words the dictionaries know as
place names or that end like one: 成龙路, 东大街, 湖滨街道) are removed from the text
before analysis: where a resource serves is a structured signal (service area,
distance), never a reason to suggest it. Words for the people served (老年人, 孩子,
居民, the platform's beneficiary groups) are *context* features: they help to order
resources that match the need's topic, but count at most as much as the topical
evidence, so a resource sharing only who-words with a need gets no text score.

Confidence
----------
``Match.score`` is a confidence in 0..1 meant to be read the same way for every need:
the square root of the share of the need's weighted topical evidence that the
resource covers (with the signals above applied). A resource that covers none of what
is needed scores 0 whatever it shares about who and where. ``CONFIDENCE_LINE`` is the
line below which a match is ``weak``: the product then says "暂无合适资源" rather than
suggest it. The line is fixed by what it means (see its comment), not fitted to a
labelled set.

Incremental updates: ``add`` appends postings for one document; replacing or
removing marks the old row dead (its postings are skipped) and the index is
compacted only when dead rows pile up. IDF is computed at query time, so it is
always current.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import re
import threading
from array import array
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol, cast

import numpy as np

DATA_DIR = Path(__file__).resolve().parent / "data"

# Longest text per field that is analysed. Matching gains nothing from more, and it
# bounds the time one pathological 1 MB description can take.
MAX_FIELD_CHARS = 4000

# Feature families: query-side weight and the length pivot used by BM25 length
# normalisation (a typical field-weighted feature count; fixed so that scores do not
# depend on insertion order).
FAMILY_WEIGHT = {"c": 1.6, "w": 1.0, "b": 0.35}
FAMILY_PIVOT = {"c": 14.0, "w": 26.0, "b": 70.0}
BM25_K1 = 1.2
BM25_B = 0.5
QUERY_K = 1.0
TITLE_WEIGHT = 2.0
UNIT_WEIGHT = 0.4
BROADER_WEIGHT = 0.5
# Who-words count at this weight, and never for more than the topical evidence they
# accompany (so with no topical evidence they count nothing).
CONTEXT_WEIGHT = 1.0
# Text evidence that is only literal (shared character bigrams) or only through a broader
# topic counts at this share, without support from who-words: "字面相近" and "相关主题"
# alone are weak reasons (two sibling topics, 眼健康 and 妇幼健康, share only 就医).
WEAK_EVIDENCE = 0.6

# Below this confidence a match is weak: not shown as a suggestion. 0.3 means the resource
# covers about a tenth (0.3²) of what the need asks for, weighted by how specific each word
# is - one clearly shared topical term in a need of a few sentences. A resource matching
# only through a common word, or only through who and where (score 0), stays below it.
CONFIDENCE_LINE = 0.3

# What each thesaurus marker class does to a resource: (score multiplier, reason).
MARKER_RULES = {
    "@仅限内部": (0.35, "仅面向内部人员（{terms}），一般居民难以参加"),
    "@商业推广": (0.6, "含商业推广内容（{terms}），请留意"),
}

INHERITED = "^"

_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_ALNUM = re.compile(r"[0-9a-zA-Z]")
_SPLIT_TERMS = re.compile(r"[,，、]")


@dataclass(frozen=True)
class ResourceDoc:
    """One resource a joint unit offers (资源清单 entry)."""

    id: str
    title: str
    description: str = ""
    unit: str = ""
    category: str | None = None
    beneficiaries: tuple[str, ...] = ()
    remaining: int | None = None
    capacity_unit: str = ""
    valid_from: date | str | None = None
    valid_until: date | str | None = None
    region_ids: tuple[str, ...] = ()
    unit_completed_in_category: int = 0
    unit_avg_rating: float | None = None
    lat: float | None = None
    lng: float | None = None


@dataclass(frozen=True)
class NeedDoc:
    """One need (需求清单 entry). ``region_path`` may list the ids of the need's
    region and its ancestors, so a resource serving a whole street covers it."""

    id: str
    title: str
    description: str = ""
    category: str | None = None
    beneficiaries: tuple[str, ...] = ()
    region_id: str | None = None
    region_name: str = ""
    wanted_by: date | str | None = None
    lat: float | None = None
    lng: float | None = None
    region_path: tuple[str, ...] = ()


@dataclass
class Match:
    resource_id: str
    score: float
    reasons: list[str] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        """The score, read as a confidence in 0..1 (the same number; see the module doc)."""
        return self.score

    @property
    def weak(self) -> bool:
        """Below ``CONFIDENCE_LINE``: not evidence enough to suggest the resource."""
        return self.score < CONFIDENCE_LINE

    def as_dict(self) -> dict:
        return {"resource_id": self.resource_id, "score": self.score, "reasons": list(self.reasons)}


# --------------------------------------------------------------------------- lexicon


class Tokenizer(Protocol):
    """What the engine uses of ``jieba.Tokenizer`` (jieba ships no type hints)."""

    def cut(self, sentence: str, cut_all: bool = False, HMM: bool = True) -> Iterator[str]: ...


@dataclass
class Lexicon:
    """Dictionaries loaded once per process: tokenizer, stop-words, thesaurus."""

    tokenizer: Tokenizer
    stopwords: frozenset[str]
    term_concepts: dict[str, tuple[str, ...]]
    broader: dict[str, tuple[str, ...]]
    term_lengths: dict[str, tuple[int, ...]]
    marker_terms: dict[str, str]
    marker_lengths: dict[str, tuple[int, ...]]
    # who and where (data/context.txt)
    who_concepts: frozenset[str] = frozenset()
    who_words: frozenset[str] = frozenset()
    place_suffixes: tuple[str, ...] = ()
    place_heads: frozenset[str] = frozenset()
    name_heads: frozenset[str] = frozenset()
    place_generic: frozenset[str] = frozenset()
    region_suffixes: tuple[str, ...] = ()
    # dictionary words tagged as place, organisation or person names (ns, nt, nz, nr) or idioms (i),
    # and words tagged as verbs, adjectives and function words (never a place name's head)
    place_tagged: dict[str, str] = field(default_factory=dict)
    not_names: frozenset[str] = frozenset()


def parse_thesaurus(text: str) -> tuple[dict[str, list[str]], dict[str, tuple[str, ...]]]:
    """Parse the thesaurus format documented at the top of ``thesaurus.txt``.

    Return ``(concept -> terms, concept -> broader concepts)``.
    """
    concepts: dict[str, list[str]] = {}
    broader: dict[str, tuple[str, ...]] = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.replace("：", ":")
        if ":" not in line:
            raise ValueError(f"thesaurus line {lineno}: missing ':'")
        head, _, body = line.partition(":")
        name, _, parents = head.partition("<")
        name = name.strip()
        if not name:
            raise ValueError(f"thesaurus line {lineno}: empty concept name")
        terms = concepts.setdefault(name, [])
        if not name.startswith("@"):
            terms.append(name)
        terms.extend(t.strip() for t in _SPLIT_TERMS.split(body) if t.strip())
        if parents.strip():
            broader[name] = tuple(p.strip() for p in _SPLIT_TERMS.split(parents) if p.strip())
    return concepts, broader


def _lengths_index(terms: Iterable[str]) -> dict[str, tuple[int, ...]]:
    by_first: dict[str, set[int]] = {}
    for term in terms:
        by_first.setdefault(term[0], set()).add(len(term))
    return {ch: tuple(sorted(lens, reverse=True)) for ch, lens in by_first.items()}


def _read_lines(name: str) -> list[str]:
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


_LEXICON: Lexicon | None = None
_LEXICON_LOCK = threading.Lock()


def get_lexicon() -> Lexicon:
    """Return the process-wide lexicon, loading it on first use (~1 s)."""
    global _LEXICON
    if _LEXICON is not None:
        return _LEXICON
    with _LEXICON_LOCK:
        if _LEXICON is None:
            _LEXICON = _load_lexicon()
    return _LEXICON


def _load_lexicon() -> Lexicon:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for line in _read_lines("userdict.txt"):
        parts = line.split()
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tokenizer.add_word(parts[0], freq)

    concepts, broader = parse_thesaurus((DATA_DIR / "thesaurus.txt").read_text(encoding="utf-8"))
    term_concepts: dict[str, list[str]] = {}
    marker_terms: dict[str, str] = {}
    for concept, terms in concepts.items():
        for term in terms:
            key = term.lower()
            if concept.startswith("@"):
                marker_terms[key] = concept
                continue
            bucket = term_concepts.setdefault(key, [])
            if concept not in bucket:
                bucket.append(concept)
            if len(term) > 1 and not term.isascii():
                tokenizer.add_word(term, 3000)
    stopwords = frozenset(_read_lines("stopwords.txt"))
    ctx = parse_context((DATA_DIR / "context.txt").read_text(encoding="utf-8"))
    who_concepts = frozenset(ctx.get("who-concepts", ()))
    unknown = who_concepts - set(concepts)
    if unknown:
        raise ValueError(f"context.txt: who-concepts not in the thesaurus: {sorted(unknown)}")
    who_words = {w.lower() for w in ctx.get("who-words", ())}
    for concept in who_concepts:
        who_words.update(t.lower() for t in concepts[concept])
    dict_text = _jieba_dictionary_text(tokenizer)
    return Lexicon(
        tokenizer=tokenizer,
        stopwords=stopwords,
        term_concepts={t: tuple(c) for t, c in term_concepts.items()},
        broader=broader,
        term_lengths=_lengths_index(term_concepts),
        marker_terms=marker_terms,
        marker_lengths=_lengths_index(marker_terms),
        who_concepts=who_concepts,
        who_words=frozenset(who_words),
        place_suffixes=tuple(sorted(ctx.get("place-suffixes", ()), key=len, reverse=True)),
        place_heads=frozenset(ctx.get("place-heads", ())),
        name_heads=frozenset(ctx.get("name-heads", ())),
        place_generic=frozenset(ctx.get("place-generic", ())),
        region_suffixes=tuple(sorted(ctx.get("region-suffixes", ()), key=len, reverse=True)),
        place_tagged=dict(re.findall(r"^(\S+) \d+ (ns|nt|nz|nr|i)$", dict_text, re.M)),
        not_names=frozenset(re.findall(
            r"^(\S+) \d+ (?:v|vn|vd|a|ad|an|d|m|q|r|p|c|u|uj|ul|uz|f|t|s|b|z|mq|l)$", dict_text, re.M)),
    )


def _jieba_dictionary_text(tokenizer: Tokenizer) -> str:
    """jieba's main dictionary (word, frequency, part-of-speech tag per line)."""
    opener = getattr(tokenizer, "get_dict_file", None)
    if opener is None:
        return ""
    with opener() as fh:
        return fh.read().decode("utf-8")


def parse_context(text: str) -> dict[str, list[str]]:
    """Parse ``context.txt``: ``key: item, item`` lines; a line without a key continues
    the previous key."""
    out: dict[str, list[str]] = {}
    key = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        head, sep, body = line.partition(":")
        if sep and head.strip() and _SPLIT_TERMS.search(head) is None and " " not in head.strip():
            key = head.strip()
        else:
            body = line
        if key is None:
            raise ValueError(f"context line {lineno}: items before any key")
        out.setdefault(key, []).extend(t.strip() for t in _SPLIT_TERMS.split(body) if t.strip())
    return out


@dataclass(frozen=True)
class Context:
    """The who and where vocabulary of one engine: the lexicon's, plus the region names and
    beneficiary groups of the deployment (given to ``MatchEngine``)."""

    places: frozenset[str] = frozenset()
    place_lengths: dict[str, tuple[int, ...]] = field(default_factory=dict)
    who_words: frozenset[str] = frozenset()
    who_bigrams: frozenset[str] = frozenset()
    # strip_places results for short, often repeated texts (unit names)
    short_texts: dict[str, tuple[str, list[str]]] = field(default_factory=dict, compare=False, repr=False)


def make_context(lexicon: Lexicon, places: Iterable[str] = (), who_words: Iterable[str] = ()) -> Context:
    """Build the who/where vocabulary. Each region name also counts without its
    administrative suffix (枫树社区 -> 枫树) when at least two characters remain."""
    names: set[str] = set()
    for raw in places:
        name = (raw or "").strip().lower()
        if len(name) < 2:
            continue
        names.add(name)
        for suffix in lexicon.region_suffixes:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                names.add(name[: -len(suffix)])
                break
    # A thesaurus term or an ordinary word is never taken for a place (幸福社区 must not
    # remove 幸福 from 幸福食堂: the longer thesaurus term wins the scan anyway).
    names -= lexicon.place_generic
    names = {n for n in names if n not in lexicon.term_concepts and n not in lexicon.stopwords}
    words = set(lexicon.who_words)
    for raw in who_words:
        word = (raw or "").strip().lower()
        if len(word) > 1:
            # The name as a whole and the words jieba cuts it into (困难职工家庭 -> 困难职工, 家庭).
            words.add(word)
            words.update(w for w in lexicon.tokenizer.cut(word, HMM=False)
                         if len(w) > 1 and w not in lexicon.stopwords and w.isalnum())
    given = words - lexicon.who_words
    bigrams: set[str] = set()
    for word in words:
        # Long thesaurus phrases (坐轮椅出门) hold topical bigrams; group names do not.
        if len(word) <= 3 or word in given:
            for run in _CJK_RUN.findall(word):
                bigrams.update(a + b for a, b in itertools.pairwise(run))
    return Context(places=frozenset(names), place_lengths=_lengths_index(names), who_words=frozenset(words),
                   who_bigrams=frozenset(bigrams))


def scan_terms(text: str, lengths: dict[str, tuple[int, ...]], vocab: dict) -> list[str]:
    """Find vocabulary terms in ``text`` by leftmost-longest, non-overlapping match."""
    found = []
    i, n = 0, len(text)
    get = lengths.get
    while i < n:
        lens = get(text[i])
        if lens:
            for size in lens:
                piece = text[i : i + size]
                if piece in vocab:
                    found.append(piece)
                    i += size
                    break
            else:
                i += 1
        else:
            i += 1
    return found


# --------------------------------------------------------------------------- analysis


@dataclass
class Analysis:
    features: dict[str, float]
    # concept -> surface terms that produced it (for reasons); terms that produced it
    # only as a broader concept are kept under INHERITED + concept
    surfaces: dict[str, list[str]]
    # marker class -> phrases found
    markers: dict[str, list[str]]


def _remember(surfaces: dict[str, list[str]], concept: str, term: str) -> None:
    seen = surfaces.setdefault(concept, [])
    if term not in seen and len(seen) < 8:
        seen.append(term)


def _family(key: str) -> str:
    """Feature family: "w" (word), "c" (concept) or "b" (bigram, stored unprefixed)."""
    return key[0] if len(key) > 2 and key[1] == "|" else "b"


def _is_place_word(word: str, lex: Lexicon) -> bool:
    """A jieba word that names a place: the dictionary tags it as a place or organisation
    name and it ends like a road, street or district name (成龙路, 东大街, 锦江区).
    jieba's place tag alone is too loose (上门, 东西 and 城市 carry it)."""
    if len(word) < 2 or word in lex.place_generic or word in lex.term_concepts:
        return False
    tag = lex.place_tagged.get(word)
    if tag is None or (len(word) < 3 and tag != "ns"):
        return False
    return word.endswith(lex.place_suffixes)


def _can_head_place(word: str, head: str, lex: Lexicon) -> bool:
    """Can ``word`` be the name part before 大道/街道/社区 (成龙 大道, 湖滨 街道)?"""
    if head in lex.name_heads and word not in lex.place_tagged:
        return False
    return (len(word) >= 2 and _CJK_RUN.fullmatch(word) is not None and word not in lex.stopwords
            and word not in lex.not_names and word not in lex.term_concepts and word not in lex.place_generic
            and word not in lex.who_words)


def _mask_region_names(text: str, lex: Lexicon, ctx: Context) -> str:
    """Blank the region names given to the engine, leftmost-longest; a thesaurus term
    at least as long as the name at the same position shadows it."""
    if not ctx.places:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    start = 0
    place_lengths, term_lengths, terms = ctx.place_lengths, lex.term_lengths, lex.term_concepts
    while i < n:
        ch = text[i]
        place_size = next((size for size in place_lengths.get(ch, ()) if text[i : i + size] in ctx.places), 0)
        term_size = next((size for size in term_lengths.get(ch, ()) if text[i : i + size] in terms), 0)
        if place_size and place_size > term_size:
            out.append(text[start:i])
            out.append(" ")
            i += place_size
            start = i
        else:
            i += max(1, term_size)
    out.append(text[start:])
    return "".join(out)


def strip_places(text: str, lex: Lexicon, ctx: Context) -> tuple[str, list[str]]:
    """Return ``text`` (lower-cased) with place names blanked out, and its jieba words
    outside place names."""
    text = _mask_region_names(text, lex, ctx)
    words = list(lex.tokenizer.cut(text, HMM=False))
    kept: list[str] = []
    masked = False
    heads = lex.place_heads
    for i, word in enumerate(words):
        if _is_place_word(word, lex):
            words[i] = " "
            masked = True
        elif word in heads and kept and kept[-1] == words[i - 1]:
            if _can_head_place(words[i - 1], word, lex):
                words[i - 1] = words[i] = " "
                kept.pop()
                masked = True
                continue
            # A name jieba does not know comes out as single characters (柳 岸 社区).
            start = i
            while (start > 0 and i - start < 4 and len(words[start - 1]) == 1 and kept and kept[-1] == words[start - 1]
                   and _CJK_RUN.fullmatch(words[start - 1]) and words[start - 1] not in lex.not_names):
                start -= 1
                kept.pop()
            if i - start >= 2:
                words[start : i + 1] = [" "] * (i + 1 - start)
                masked = True
            else:
                kept.extend(words[start:i])
                kept.append(word)
        else:
            kept.append(word)
    return ("".join(words) if masked else text), kept


# Unit names repeat across a unit's resources: their place-stripped form is cached.
SHORT_TEXT = 40
SHORT_TEXT_CACHE = 50_000


def _clean_fields(
    fields: Iterable[tuple[str, float]], lex: Lexicon, ctx: Context
) -> list[tuple[str, float, list[str]]]:
    """Lower-case, truncate and strip place names from each weighted field."""
    out = []
    for raw_text, weight in fields:
        if not raw_text or weight <= 0:
            continue
        text = raw_text[:MAX_FIELD_CHARS].lower()
        if len(text) <= SHORT_TEXT:
            cached = ctx.short_texts.get(text)
            if cached is None:
                cached = strip_places(text, lex, ctx)
                if len(ctx.short_texts) >= SHORT_TEXT_CACHE:
                    ctx.short_texts.clear()
                ctx.short_texts[text] = cached
            clean, words = cached
        else:
            clean, words = strip_places(text, lex, ctx)
        out.append((clean, weight, words))
    return out


def analyze(
    fields: Iterable[tuple[str, float]], lexicon: Lexicon | None = None, context: Context | None = None
) -> Analysis:
    """Turn weighted text fields into BM25 features (``w|`` words, ``c|`` concepts, and
    bare two-character bigrams), remembering which words produced each concept.

    Place names are removed first (``strip_places``). Fields weighted below 1 (the unit
    name) add no word features: organisation names add little beyond concepts and bigrams.
    """
    lex = lexicon or get_lexicon()
    ctx = context if context is not None else default_context(lex)
    # A Counter (a missing feature counts 0) holding float weights; typeshed types
    # Counter values as int, so it is declared as the str -> float mapping it is.
    feats = cast("dict[str, float]", Counter())
    stop = lex.stopwords
    findall = _CJK_RUN.findall
    cleaned = _clean_fields(fields, lex, ctx)
    for text, weight, words in cleaned:
        # Counting runs in C (Counter over iterators); only the weighting loops in Python.
        counts: Counter[str] = Counter()
        if weight >= 1.0:
            counts.update(["w|" + w for w in words if len(w) > 1 and w not in stop and w.isalnum()])
        for run in findall(text):
            counts.update(map(str.__add__, run, run[1:]))
        # A stop-word is no evidence as a bigram either (社区, 居民, 服务).
        for key in stop.intersection(counts):
            del counts[key]
        if weight == 1.0 and not feats:
            feats = cast("dict[str, float]", counts)
        else:
            for key, n in counts.items():
                feats[key] += n * weight
    surfaces, markers = _scan_concepts([(text, weight) for text, weight, _ in cleaned], lex, feats)
    return Analysis(feats, surfaces, markers)


_DEFAULT_CONTEXT: Context | None = None


def default_context(lex: Lexicon) -> Context:
    """The who/where vocabulary of the lexicon alone (no region names)."""
    global _DEFAULT_CONTEXT
    if _DEFAULT_CONTEXT is None:
        _DEFAULT_CONTEXT = make_context(lex)
    return _DEFAULT_CONTEXT


def _scan_concepts(
    fields: Iterable[tuple[str, float]], lex: Lexicon, feats: dict[str, float] | None = None
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Find thesaurus concepts and marker phrases; add concept features to ``feats``."""
    surfaces: dict[str, list[str]] = {}
    markers: dict[str, list[str]] = {}
    if feats is None:
        feats = {}
    get = feats.get
    broader = lex.broader
    for raw_text, weight in fields:
        if not raw_text or weight <= 0:
            continue
        text = raw_text[:MAX_FIELD_CHARS].lower()
        for term in scan_terms(text, lex.term_lengths, lex.term_concepts):
            for concept in lex.term_concepts[term]:
                key = "c|" + concept
                feats[key] = get(key, 0.0) + weight
                _remember(surfaces, concept, term)
                for parent in broader.get(concept, ()):
                    pkey = "c|" + parent
                    feats[pkey] = get(pkey, 0.0) + weight * BROADER_WEIGHT
                    _remember(surfaces, INHERITED + parent, term)
                    for grand in broader.get(parent, ()):
                        gkey = "c|" + grand
                        feats[gkey] = get(gkey, 0.0) + weight * BROADER_WEIGHT * BROADER_WEIGHT
                        _remember(surfaces, INHERITED + grand, term)
        for term in scan_terms(text, lex.marker_lengths, lex.marker_terms):
            bucket = markers.setdefault(lex.marker_terms[term], [])
            if term not in bucket:
                bucket.append(term)
    return surfaces, markers


def resource_fields(doc: ResourceDoc) -> list[tuple[str, float]]:
    return [(doc.title, TITLE_WEIGHT), (doc.description, 1.0), (doc.unit, UNIT_WEIGHT)]


def need_fields(doc: NeedDoc) -> list[tuple[str, float]]:
    return [(doc.title, TITLE_WEIGHT), (doc.description, 1.0)]


# --------------------------------------------------------------------------- helpers


def _as_date(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))


# Batches at least this large are processed by forked workers when workers=None.
PARALLEL_MIN = 5000
_FORK_ENGINE: MatchEngine | None = None


def _workers_for(size: int, workers: int | None) -> int:
    if workers is not None:
        return max(1, workers) if "fork" in multiprocessing.get_all_start_methods() else 1
    if size < PARALLEL_MIN or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def _fork_pool(workers: int):
    return multiprocessing.get_context("fork").Pool(workers)


_FORK_CONTEXT: Context | None = None


def _analyze_resources(docs: list[ResourceDoc]) -> list[Analysis]:
    """Worker: analyse resources; surfaces are dropped (reasons rebuild them)."""
    lex = get_lexicon()
    out = []
    for doc in docs:
        analysis = analyze(resource_fields(doc), lex, _FORK_CONTEXT)
        # Only which concepts were found directly is needed (strong evidence).
        direct: dict[str, list[str]] = {k: [] for k in analysis.surfaces if not k.startswith(INHERITED)}
        out.append(Analysis(analysis.features, direct, analysis.markers))
    return out


def _rank_in_worker(task: tuple[list[NeedDoc], int]) -> dict[str, list[Match]]:
    """Worker: rank a chunk of needs against the engine inherited through fork."""
    needs, top_k = task
    engine = _FORK_ENGINE
    assert engine is not None
    return {need.id: engine._rank(engine._query(need), top_k) for need in needs}


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _norm_label(value: str | None) -> str:
    return (value or "").strip().lower()


# --------------------------------------------------------------------------- engine


@dataclass
class _Query:
    need: NeedDoc
    analysis: Analysis
    # feature id -> query weight (idf * family weight * saturated tf)
    weights: dict[int, float]
    # the score's denominator: topical weight plus CONTEXT_WEIGHT times context weight
    total: float
    # the context (who) features among ``weights``
    context: list[int] = field(default_factory=list)
    # topical words and directly named concepts of the need (computed on first use)
    strong_words: set[int] | None = None
    strong_concepts: set[int] | None = None


class MatchEngine:
    """An in-memory, incrementally updated index of resources.

    Thread-safe: mutations and queries take one lock. Typical use::

        engine = MatchEngine()
        engine.add_many(resources)
        matches = engine.rank(need, top_k=5)
    """

    CANDIDATES_MIN = 60

    def __init__(self, *, today: date | None = None, places: Iterable[str] = (),
                 who_words: Iterable[str] = ()) -> None:
        """``places``: region names of the deployment (never evidence of a match);
        ``who_words``: names of beneficiary groups (context, not topic)."""
        self.lexicon = get_lexicon()
        self.context = make_context(self.lexicon, places, who_words)
        self.today = today
        self._lock = threading.RLock()
        self._feature_ids: dict[str, int] = {}
        self._feature_keys: list[str] = []
        self._post_rows: list[array] = []
        self._post_weights: list[array] = []
        self._df: list[int] = []
        self._is_context: list[bool] = []
        self._docs: list[ResourceDoc | None] = []
        self._doc_features: list[array | None] = []
        self._doc_weights: list[array | None] = []
        self._doc_markers: list[dict[str, list[str]] | None] = []
        # per row: feature ids of concepts the resource names directly (not only broader)
        self._doc_direct: list[array | None] = []
        self._row_of: dict[str, int] = {}
        self._dead_rows: list[int] = []
        self._dead_np: np.ndarray | None = None
        self._surface_cache: OrderedDict[int, dict[str, list[str]]] = OrderedDict()

    # ----------------------------------------------------------------- mutation

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, resource_id: object) -> bool:
        return resource_id in self._row_of

    def add(self, doc: ResourceDoc) -> None:
        """Index one resource; an existing resource with the same id is replaced."""
        analysis = analyze(resource_fields(doc), self.lexicon, self.context)
        with self._lock:
            self._insert(doc, analysis)

    def add_many(self, docs: Iterable[ResourceDoc], *, workers: int | None = 1) -> None:
        """Index many resources. Text is analysed outside the lock, in chunks, so that
        queries are not blocked for long and analyses do not pile up in memory.

        ``workers``: processes that analyse text in parallel (jieba is pure Python).
        ``None`` picks all CPUs for batches of ``PARALLEL_MIN`` documents or more where
        ``fork`` is available. The default, 1, never forks: forking a threaded web
        server is unsafe, so only scripts and commands should ask for more.
        """
        docs = docs if isinstance(docs, list) else list(docs)
        lex = self.lexicon
        workers = _workers_for(len(docs), workers)
        if workers > 1:
            global _FORK_CONTEXT
            chunks = list(_chunks(docs, 1000))
            _FORK_CONTEXT = self.context
            try:
                with _fork_pool(workers) as pool:
                    for chunk, analyses in zip(chunks, pool.imap(_analyze_resources, chunks), strict=True):
                        with self._lock:
                            for doc, analysis in zip(chunk, analyses, strict=True):
                                self._insert(doc, analysis)
            finally:
                _FORK_CONTEXT = None
            return
        ctx = self.context
        for chunk in _chunks(docs, 512):
            batch = [(doc, analyze(resource_fields(doc), lex, ctx)) for doc in chunk]
            with self._lock:
                for doc, analysis in batch:
                    self._insert(doc, analysis)

    def remove(self, resource_id: str) -> bool:
        """Drop a resource from the index; return whether it was there."""
        with self._lock:
            row = self._row_of.pop(resource_id, None)
            if row is None:
                return False
            self._kill(row)
            self._maybe_compact()
            return True

    def _insert(self, doc: ResourceDoc, analysis: Analysis) -> None:
        old = self._row_of.get(doc.id)
        if old is not None:
            self._kill(old)
        row = len(self._docs)
        features = analysis.features
        # BM25 document side: saturated, length-normalised term frequency per family.
        lengths = {"c": 0.0, "w": 0.0, "b": 0.0}
        families = [key[0] if key[1] == "|" else "b" for key in features]
        for fam, tf in zip(families, features.values(), strict=True):
            lengths[fam] += tf
        k1, b = BM25_K1, BM25_B
        norms = {fam: k1 * (1 - b + b * size / FAMILY_PIVOT[fam]) for fam, size in lengths.items()}
        k1p1 = k1 + 1
        ids = self._feature_ids
        post_rows, post_weights, df = self._post_rows, self._post_weights, self._df
        fid_list = []
        weight_list = []
        for (key, tf), fam in zip(features.items(), families, strict=True):
            fid = ids.get(key)
            if fid is None:
                fid = len(self._feature_keys)
                ids[key] = fid
                self._feature_keys.append(key)
                post_rows.append(array("i"))
                post_weights.append(array("f"))
                df.append(0)
                self._is_context.append(self._context_key(key, fam))
            w = tf * k1p1 / (tf + norms[fam])
            post_rows[fid].append(row)
            post_weights[fid].append(w)
            df[fid] += 1
            fid_list.append(fid)
            weight_list.append(w)
        fids = array("i", fid_list)
        fws = array("f", weight_list)
        self._docs.append(doc)
        self._doc_features.append(fids)
        self._doc_weights.append(fws)
        self._doc_markers.append(analysis.markers or None)
        self._doc_direct.append(array("i", sorted(
            ids["c|" + k] for k in analysis.surfaces if not k.startswith(INHERITED) and "c|" + k in ids)))
        self._row_of[doc.id] = row
        if old is not None:
            self._maybe_compact()

    def _context_key(self, key: str, fam: str) -> bool:
        """Does the feature say who is served rather than what (a context feature)?"""
        if fam == "c":
            return key[2:] in self.lexicon.who_concepts
        if fam == "w":
            return key[2:] in self.context.who_words
        return key in self.context.who_bigrams

    def _kill(self, row: int) -> None:
        fids = self._doc_features[row]
        if fids is not None:
            for fid in fids:
                self._df[fid] -= 1
        self._docs[row] = None
        self._doc_features[row] = None
        self._doc_weights[row] = None
        self._doc_markers[row] = None
        self._doc_direct[row] = None
        self._dead_rows.append(row)
        self._dead_np = None
        self._surface_cache.pop(row, None)

    def _maybe_compact(self) -> None:
        dead = len(self._dead_rows)
        if dead > 256 and dead * 3 > len(self._docs):
            self.compact()

    def compact(self) -> None:
        """Rebuild posting lists without dead rows (no re-analysis of text)."""
        with self._lock:
            alive = [r for r, d in enumerate(self._docs) if d is not None]
            docs = [self._docs[r] for r in alive]
            feats = [self._doc_features[r] for r in alive]
            weights = [self._doc_weights[r] for r in alive]
            markers = [self._doc_markers[r] for r in alive]
            direct = [self._doc_direct[r] for r in alive]
            self._post_rows = [array("i") for _ in self._feature_keys]
            self._post_weights = [array("f") for _ in self._feature_keys]
            for new_row, (fids, fws) in enumerate(zip(feats, weights, strict=True)):
                assert fids is not None and fws is not None  # only dead rows lose their features
                for fid, w in zip(fids, fws, strict=True):
                    self._post_rows[fid].append(new_row)
                    self._post_weights[fid].append(w)
            self._docs = docs
            self._doc_features = feats
            self._doc_weights = weights
            self._doc_markers = markers
            self._doc_direct = direct
            self._row_of = {d.id: i for i, d in enumerate(docs) if d is not None}  # all are alive
            self._dead_rows = []
            self._dead_np = None
            self._surface_cache.clear()

    # ------------------------------------------------------------------ ranking

    def rank(self, need: NeedDoc, top_k: int = 5) -> list[Match]:
        """Return the ``top_k`` best resources for ``need``, best first."""
        with self._lock:
            return self._rank(self._query(need), top_k)

    def rank_many(
        self, needs: Iterable[NeedDoc], top_k: int = 5, *, workers: int | None = 1
    ) -> dict[str, list[Match]]:
        """Rank for many needs at once; keys keep the order of ``needs``.

        ``workers`` as in ``add_many``: forked workers share the index copy-on-write
        and return only the matches.
        """
        needs = needs if isinstance(needs, list) else list(needs)
        out: dict[str, list[Match]] = {}
        workers = _workers_for(len(needs), workers)
        if workers > 1:
            global _FORK_ENGINE
            with self._lock:  # no mutation while workers read their copy
                _FORK_ENGINE = self
                try:
                    with _fork_pool(workers) as pool:
                        tasks = [(chunk, top_k) for chunk in _chunks(needs, 250)]
                        for part in pool.imap(_rank_in_worker, tasks):
                            out.update(part)
                finally:
                    _FORK_ENGINE = None
            return out
        lex = self.lexicon
        for chunk in _chunks(needs, 256):
            analysed = [(need, analyze(need_fields(need), lex, self.context)) for need in chunk]
            with self._lock:
                for need, analysis in analysed:
                    out[need.id] = self._rank(self._make_query(need, analysis), top_k)
        return out

    def _query(self, need: NeedDoc) -> _Query:
        return self._make_query(need, analyze(need_fields(need), self.lexicon, self.context))

    def _make_query(self, need: NeedDoc, analysis: Analysis) -> _Query:
        n_docs = len(self._row_of)
        weights: dict[int, float] = {}
        context: list[int] = []
        total = 0.0
        prune = n_docs >= 2000
        unknown_idf = math.log(1.0 + (n_docs - 0.5) / 1.5)
        for key, tf in analysis.features.items():
            fid = self._feature_ids.get(key)
            df = self._df[fid] if fid is not None else 0
            if fid is None or df <= 0:
                # Words and concepts of the need that no resource has still count in the
                # denominator of the score: a resource that explains only a small part
                # of the need should not look like a near-perfect match.
                family = _family(key)
                if family != "b":
                    w = FAMILY_WEIGHT[family] * unknown_idf * tf * (QUERY_K + 1) / (tf + QUERY_K)
                    total += w * CONTEXT_WEIGHT if self._context_key(key, family) else w
                continue
            if prune and df * 4 > n_docs:
                # Features in a quarter of a large collection barely discriminate
                # but cost the longest posting lists.
                continue
            idf = math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
            w = FAMILY_WEIGHT[_family(key)] * idf * tf * (QUERY_K + 1) / (tf + QUERY_K)
            weights[fid] = w
            if self._is_context[fid]:
                context.append(fid)
                total += w * CONTEXT_WEIGHT
            else:
                total += w
        return _Query(need, analysis, weights, total, context)

    def _text_scores(self, query: _Query) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per row: the evidence that counts (topical, plus context up to as much again),
        the topical evidence alone, and the raw BM25 sum including full-weight context."""
        raw = self._bm25(query, query.weights)
        if not query.context:
            return raw, raw, raw
        ctx = self._bm25(query, {fid: query.weights[fid] for fid in query.context})
        topic = raw - ctx
        eff = topic + np.minimum(ctx * CONTEXT_WEIGHT, np.maximum(topic, 0.0))
        if self._dead_np is not None:
            eff[self._dead_np] = -1.0
        return eff, topic, raw

    def _bm25(self, query: _Query, weights: dict[int, float]) -> np.ndarray:
        n_rows = len(self._docs)
        if not weights or n_rows == 0:
            return np.zeros(n_rows, dtype=np.float64)
        rows_parts = []
        weight_parts = []
        for fid, qw in weights.items():
            rows_parts.append(np.frombuffer(self._post_rows[fid], dtype=np.int32))
            weight_parts.append(np.frombuffer(self._post_weights[fid], dtype=np.float32) * qw)
        rows = np.concatenate(rows_parts)
        row_weights = np.concatenate(weight_parts)
        del rows_parts, weight_parts
        scores = np.bincount(rows, weights=row_weights, minlength=n_rows)
        if self._dead_rows:
            if self._dead_np is None:
                self._dead_np = np.asarray(self._dead_rows, dtype=np.int64)
            scores[self._dead_np] = -1.0
        return scores

    def _rank(self, query: _Query, top_k: int) -> list[Match]:
        if top_k <= 0 or not self._row_of:
            return []
        eff, topic, raw = self._text_scores(query)
        n_rows = len(raw)
        n_cand = min(n_rows, max(self.CANDIDATES_MIN, top_k * 4))
        if n_cand < n_rows:
            cand = np.argpartition(-eff, n_cand - 1)[:n_cand]
        else:
            cand = np.arange(n_rows)
        today = self.today or date.today()
        scored = []
        for row in cand.tolist():
            doc = self._docs[row]
            if doc is None:
                continue
            text = self._text_score(query, float(eff[row]))
            if text > 0 and not self._strong_evidence(query, row):
                # Weak topical evidence gets no support from who-words either.
                text = self._text_score(query, float(topic[row])) * WEAK_EVIDENCE
            final, notes = self._signals(query, row, doc, text, today)
            scored.append((final, float(eff[row]), doc.id, row, notes, float(raw[row])))
        if len(scored) < top_k:
            # Fewer candidates than asked for can only happen with dead rows in the
            # candidate window; top up from the live rows.
            seen = {s[3] for s in scored}
            for row, doc in enumerate(self._docs):
                if len(scored) >= top_k:
                    break
                if doc is not None and row not in seen:
                    final, notes = self._signals(query, row, doc, 0.0, today)
                    scored.append((final, 0.0, doc.id, row, notes, 0.0))
        scored.sort(key=lambda s: (-s[0], -s[1], -s[5], s[2]))
        matches = []
        for final, eff_score, doc_id, row, notes, raw_score in scored[:top_k]:
            if eff_score > 0:
                reasons = self._text_reasons(query, row)
            elif raw_score > 0:
                reasons = self._context_reasons(query, row)
            else:
                reasons = []
            if not reasons:
                reasons = ["文本无明显关联"]
            reasons.extend(notes)
            matches.append(Match(doc_id, round(min(1.0, max(0.0, final)), 4), reasons))
        return matches

    def _strong_evidence(self, query: _Query, row: int) -> bool:
        """Does the resource share a topical word with the need, or a concept that both
        name directly? Otherwise the text evidence is only literal (character bigrams) or
        through a broader topic on one side (相关主题), which is weaker."""
        if query.strong_words is None or query.strong_concepts is None:
            words, concepts = set(), set()
            for fid in query.weights:
                if self._is_context[fid]:
                    continue
                key = self._feature_keys[fid]
                if key.startswith("w|"):
                    words.add(fid)
                elif key.startswith("c|") and key[2:] in query.analysis.surfaces:
                    concepts.add(fid)
            query.strong_words, query.strong_concepts = words, concepts
        fids, direct = self._doc_features[row], self._doc_direct[row]
        if fids is None or direct is None:
            return False
        return not (query.strong_concepts.isdisjoint(direct) and query.strong_words.isdisjoint(fids))

    @staticmethod
    def _text_score(query: _Query, raw: float) -> float:
        """Map the counted BM25 evidence to [0, 1]: the share of the need's weighted evidence that
        the resource covers (a feature matched once in a resource of typical length
        counts fully), square-rooted so that covering a quarter of a wordy need reads
        as a fair match (0.5)."""
        if query.total <= 0 or raw <= 0:
            return 0.0
        return math.sqrt(min(1.0, raw / query.total))

    # ------------------------------------------------------------------ signals

    def _signals(
        self, query: _Query, row: int, doc: ResourceDoc, text: float, today: date
    ) -> tuple[float, list[str]]:
        """Combine the text score with markers and structured signals."""
        need = query.need
        notes: list[str] = []
        mult = 1.0
        bonus = 0.0

        markers = self._doc_markers[row]
        if markers:
            for marker, terms in markers.items():
                if marker in query.analysis.markers:
                    continue  # the need itself is about the same kind of thing
                factor, template = MARKER_RULES.get(marker, (1.0, ""))
                if factor != 1.0:
                    mult *= factor
                    notes.append(template.format(terms="、".join(terms[:3])))

        need_cat, doc_cat = _norm_label(need.category), _norm_label(doc.category)
        if need_cat and doc_cat:
            if need_cat == doc_cat:
                bonus += 0.15
                notes.append(f"类别相同：{doc.category}")
            else:
                mult *= 0.85
                notes.append(f"类别不同：{need.category} / {doc.category}")

        if need.beneficiaries and doc.beneficiaries:
            wanted = {_norm_label(b) for b in need.beneficiaries}
            common = [b for b in doc.beneficiaries if _norm_label(b) in wanted]
            if common:
                bonus += 0.1
                notes.append("服务对象相符：" + "、".join(common))
            else:
                mult *= 0.85
                notes.append("服务对象不同：" + "、".join(doc.beneficiaries))

        if doc.remaining is not None:
            if doc.remaining <= 0:
                mult *= 0.3
                notes.append("名额已满")
            else:
                bonus += 0.03
                unit = f" {doc.capacity_unit}" if doc.capacity_unit else ""
                notes.append(f"剩余名额 {doc.remaining}{unit}")

        valid_from, valid_until = _as_date(doc.valid_from), _as_date(doc.valid_until)
        wanted_by = _as_date(need.wanted_by)
        if valid_until is not None and valid_until < today:
            mult *= 0.2
            notes.append(f"已过有效期（截至 {valid_until.isoformat()}）")
        elif valid_from is not None and valid_from > today:
            if wanted_by is not None and valid_from > wanted_by:
                mult *= 0.6
                notes.append(f"开始时间（{valid_from.isoformat()}）晚于需求期限")
            else:
                mult *= 0.95
                notes.append(f"尚未开始（{valid_from.isoformat()} 起）")
        elif valid_until is not None:
            if wanted_by is not None and valid_until < wanted_by:
                mult *= 0.9
                notes.append(f"有效期至 {valid_until.isoformat()}，早于需求期限")
            else:
                bonus += 0.02
                notes.append(f"在有效期内（至 {valid_until.isoformat()}）")

        if need.region_id and doc.region_ids:
            covering = set(need.region_path) | {need.region_id}
            place = need.region_name or need.region_id
            if covering.intersection(doc.region_ids):
                bonus += 0.1
                notes.append(f"服务范围覆盖{place}")
            else:
                mult *= 0.6
                notes.append(f"服务范围不含{place}")

        completed = doc.unit_completed_in_category or 0
        rating = doc.unit_avg_rating
        if completed > 0:
            bonus += min(0.1, 0.03 * math.log2(1 + completed))
            text_note = f"该单位已完成同类项目 {completed} 个"
            if rating is not None:
                bonus += max(-0.05, min(0.05, (rating - 3.5) * 0.04))
                text_note += f"，平均评分 {rating:.1f}"
            notes.append(text_note)
        elif rating is not None:
            bonus += max(-0.05, min(0.05, (rating - 3.5) * 0.04))
            notes.append(f"该单位平均评分 {rating:.1f}")

        if None not in (need.lat, need.lng, doc.lat, doc.lng):
            km = _haversine_km(need.lat, need.lng, doc.lat, doc.lng)  # type: ignore[arg-type]
            bonus += 0.1 * math.exp(-km / 3.0)
            notes.append(f"距离约 {km:.1f} 公里")

        return text * mult * (1.0 + bonus), notes

    # ------------------------------------------------------------------ reasons

    def _resource_surfaces(self, row: int) -> dict[str, list[str]]:
        cached = self._surface_cache.get(row)
        if cached is not None:
            self._surface_cache.move_to_end(row)
            return cached
        doc = self._docs[row]
        surfaces = {}
        if doc:
            # Only for wording the reasons of features already known to be shared: the
            # region names are blanked (cheap), jieba's place rules are not re-run.
            lex, ctx = self.lexicon, self.context
            fields = [(_mask_region_names(text[:MAX_FIELD_CHARS].lower(), lex, ctx), weight)
                      for text, weight in resource_fields(doc) if text and weight > 0]
            surfaces = _scan_concepts(fields, lex)[0]
        self._surface_cache[row] = surfaces
        if len(self._surface_cache) > 4096:
            self._surface_cache.popitem(last=False)
        return surfaces

    def _context_reasons(self, query: _Query, row: int) -> list[str]:
        """Explain a resource that shares only who-words with the need."""
        fids = self._doc_features[row]
        if fids is None or not query.context:
            return []
        wanted = set(query.context)
        words: list[str] = []
        for fid in fids:
            if fid in wanted:
                key = self._feature_keys[fid]
                name = key[2:] if _family(key) != "b" else key
                if _family(key) != "b" and name not in words:
                    words.append(name)
        if not words:
            return []
        return ["仅服务对象相同：" + "、".join(words[:3])]

    def _text_reasons(self, query: _Query, row: int) -> list[str]:
        """Explain the text part: shared words, and thesaurus bridges between
        different wordings (需求说法→资源说法)."""
        fids = self._doc_features[row]
        fws = self._doc_weights[row]
        if fids is None or fws is None:
            return []
        contrib: list[tuple[float, str]] = []
        is_context = self._is_context
        for fid, dw in zip(fids, fws, strict=True):
            qw = query.weights.get(fid)
            if qw and not is_context[fid]:
                contrib.append((qw * dw, self._feature_keys[fid]))
        if not contrib:
            return []
        contrib.sort(reverse=True)
        words: list[str] = []
        bridges: list[str] = []
        topics: list[str] = []
        concepts_used: set[str] = set()
        used_terms: set[str] = set(words)
        res_surfaces = None
        for _, key in contrib:
            fam, name = _family(key), key[2:]
            if fam == "w":
                if len(words) < 4 and name not in words:
                    words.append(name)
                    used_terms.add(name)
                continue
            if fam != "c" or name in concepts_used:
                continue
            concepts_used.add(name)
            need_terms = query.analysis.surfaces.get(name) or []
            if res_surfaces is None:
                res_surfaces = self._resource_surfaces(row)
            doc_terms = res_surfaces.get(name) or []
            shared = [t for t in need_terms if t in doc_terms]
            if shared:
                if len(words) < 5 and shared[0] not in words:
                    words.append(shared[0])
                used_terms.add(shared[0])
            elif need_terms and doc_terms:
                # One bridge per need wording: the most specific concept (highest
                # contribution) explains it; its broader concepts would only repeat it.
                if need_terms[0] not in used_terms and len(bridges) < 3:
                    bridges.append(f"{need_terms[0]}→{doc_terms[0]}（{name}）")
                used_terms.add(need_terms[0])
            elif len(topics) < 3:
                # Matched through a broader concept on at least one side: name the
                # shared topic rather than pretend two words are synonyms.
                topics.append(name)
        reasons = []
        if words:
            reasons.append("关键词：" + "、".join(words))
        if bridges:
            reasons.append("相近说法：" + "；".join(bridges))
        if topics and not bridges:
            reasons.append("相关主题：" + "、".join(topics))
        if not reasons:
            grams = [key for _, key in contrib if _family(key) == "b"][:4]
            if grams:
                reasons.append("字面相近：" + "、".join(grams))
        return reasons
