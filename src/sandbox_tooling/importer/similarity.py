"""Ranking of similar objects for the conflict check (SPEC §4.7).

Best first: the exact title (case-insensitive); then the same title once an ``_<epochMs>``
import suffix is ignored; then fuzzy title similarity (rapidfuzz's normalized Indel ratio,
at least 75). Ties are broken by the structural similarity of the definitions (Jaccard of
their field paths), then by title.

A title is compared only with target titles sharing its words: every title holding one of
its rare words (in at most 500 titles), then the titles holding all of its common words
together, then others holding a common word, up to 2,000 candidates. Words in more than 10% of
the titles (and at least 1,000) are stop-words, used only when a title has no other word. So a
100,000-object target costs about 2,000 cheap comparisons per title instead of 100,000.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

WORD = re.compile(r"[a-z0-9]+")
EXACT, SUFFIXED, FUZZY = 0, 1, 2
FUZZY_CUTOFF = 75.0
POOL_CAP = 2_000
RARE = 500
STOP_FRACTION, STOP_MIN = 0.1, 1_000


def lowered(title: str) -> str:
    return title.strip().lower()


def unsuffixed(low: str) -> str:
    """Drop an ``_<epochMs>`` import suffix (13 digits)."""
    if len(low) > 14 and low[-14] == "_" and low[-13:].isdigit():
        return low[:-14]
    return low


def normalize(title: str) -> str:
    return unsuffixed(lowered(title))


@dataclass(frozen=True, slots=True)
class Candidate:
    index: int
    tier: int
    score: float


class TitleIndex:
    """Titles of one type in the target, indexed for exact, suffix-free and fuzzy lookup.

    ``words``: the words the queries use; only those are indexed.
    """

    def __init__(self, keys: Sequence[Any], titles: Sequence[str], words: set[str]) -> None:
        self.keys = list(keys)
        self.titles = list(titles)
        self.lows = [lowered(t) for t in self.titles]
        self.norm = [unsuffixed(low) for low in self.lows]
        self.by_norm: dict[str, list[int]] = defaultdict(list)
        self.postings: dict[str, list[int]] = defaultdict(list)
        findall = WORD.findall
        for i, norm in enumerate(self.norm):
            self.by_norm[norm].append(i)
            for word in findall(norm):
                if word in words:
                    self.postings[word].append(i)
        self.stop = max(STOP_MIN, int(len(self.titles) * STOP_FRACTION))
        self._sets: dict[str, set[int]] = {}

    def _set(self, word: str) -> set[int]:
        found = self._sets.get(word)
        if found is None:
            found = self._sets[word] = set(self.postings[word])
        return found

    def _pool(self, norm: str) -> set[int]:
        words = sorted(set(WORD.findall(norm)), key=lambda w: len(self.postings.get(w, ())))
        words = [w for w in words if self.postings.get(w)]
        useful = [w for w in words if len(self.postings[w]) <= self.stop] or words[:1]
        pool: set[int] = set()
        common = []
        for word in useful:
            if len(self.postings[word]) <= RARE:
                pool.update(self.postings[word])
            else:
                common.append(word)
        if len(common) > 1:
            together = self._set(common[0]).intersection(*(self._set(w) for w in common[1:]))
            pool.update(list(together)[:POOL_CAP])
        for word in common:
            if len(pool) >= POOL_CAP:
                break
            pool.update(self.postings[word][: POOL_CAP - len(pool)])
        return pool

    def candidates(self, title: str, limit: int) -> list[Candidate]:
        """The best ``limit * 3`` candidates by (tier, score, title)."""
        low = lowered(title)
        norm = unsuffixed(low)
        found: dict[int, Candidate] = {}
        for i in self.by_norm.get(norm, ()):
            found[i] = Candidate(i, EXACT if self.lows[i] == low else SUFFIXED, 100.0)
        pool = self._pool(norm)
        pool.difference_update(found)
        if pool:
            order = list(pool)
            for _choice, score, pos in process.extract(
                norm,
                [self.norm[i] for i in order],
                scorer=fuzz.ratio,
                processor=None,
                score_cutoff=FUZZY_CUTOFF,
                limit=limit * 3,
            ):
                found[order[pos]] = Candidate(order[pos], FUZZY, round(float(score), 2))
        ranked = sorted(found.values(), key=lambda c: (c.tier, -c.score, self.titles[c.index]))
        return ranked[: limit * 3]


def field_paths(definition: Any) -> set[str]:
    """Key paths of a definition (list positions ignored): its structural fingerprint."""
    out: set[str] = set()
    stack: list[tuple[str, Any]] = [("", definition)]
    while stack:
        prefix, node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                path = f"{prefix}/{key}"
                out.add(path)
                if isinstance(value, dict | list):
                    stack.append((path, value))
        elif isinstance(node, list):
            stack.extend((prefix, v) for v in node if isinstance(v, dict | list))
    return out


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def rank(
    candidates: list[Candidate],
    index: TitleIndex,
    artifact_paths: set[str] | None,
    target_paths: Mapping[Any, set[str]],
    limit: int,
) -> list[int]:
    """Final order of candidate positions; structure only breaks (tier, score) ties."""

    def key(c: Candidate) -> tuple[int, float, float, str]:
        structural = 0.0
        paths = target_paths.get(index.keys[c.index])
        if artifact_paths is not None and paths is not None:
            structural = jaccard(artifact_paths, paths)
        return (c.tier, -c.score, -structural, index.titles[c.index])

    return [c.index for c in sorted(candidates, key=key)[:limit]]


def tied(candidates: list[Candidate]) -> Iterable[int]:
    """Positions whose (tier, score) another candidate shares: only those need structure."""
    groups: dict[tuple[int, float], list[int]] = defaultdict(list)
    for c in candidates:
        groups[(c.tier, c.score)].append(c.index)
    for members in groups.values():
        if len(members) > 1:
            yield from members
