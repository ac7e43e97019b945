"""Ranking of similar objects for the conflict check (SPEC §4.7).

Best first: the exact title; then the same title once an ``_<epochMs>`` import suffix is
ignored; then fuzzy title similarity (rapidfuzz WRatio). Ties are broken by the structural
similarity of the definitions (Jaccard of their field paths), then by title and id.

Fuzzy matching compares a title only with target titles sharing one of its words, taken from
its rarest words first, so a 100,000-object target costs a few thousand comparisons per title.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

IMPORT_SUFFIX = re.compile(r"_\d{13}$")
WORD = re.compile(r"[a-z0-9]+")
EXACT, SUFFIXED, FUZZY = 0, 1, 2
FUZZY_CUTOFF = 75.0
CANDIDATE_CAP = 3_000


def normalize(title: str) -> str:
    text = " ".join(title.strip().lower().split())
    return IMPORT_SUFFIX.sub("", text)


@dataclass(frozen=True, slots=True)
class Candidate:
    index: int
    tier: int
    score: float


class TitleIndex:
    """Titles of one type in the target, indexed for exact, suffix-free and fuzzy lookup."""

    def __init__(self, ids: Sequence[str], titles: Sequence[str], words: set[str]) -> None:
        self.ids = list(ids)
        self.titles = list(titles)
        self.norm = [normalize(t) for t in titles]
        self.exact: dict[str, list[int]] = defaultdict(list)
        self.by_norm: dict[str, list[int]] = defaultdict(list)
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, (title, norm) in enumerate(zip(self.titles, self.norm, strict=True)):
            self.exact[" ".join(title.strip().lower().split())].append(i)
            self.by_norm[norm].append(i)
            # Only the words some query uses are indexed.
            for word in set(WORD.findall(norm)) & words:
                self.postings[word].append(i)

    def candidates(self, title: str, limit: int) -> list[Candidate]:
        key = " ".join(title.strip().lower().split())
        norm = normalize(title)
        seen: dict[int, Candidate] = {}
        for i in self.exact.get(key, ()):
            seen[i] = Candidate(i, EXACT, 100.0)
        for i in self.by_norm.get(norm, ()):
            seen.setdefault(i, Candidate(i, SUFFIXED, 100.0))
        pool: list[int] = []
        taken: set[int] = set()
        for word in sorted(set(WORD.findall(norm)), key=lambda w: len(self.postings.get(w, ()))):
            for i in self.postings.get(word, ()):
                if i not in taken and i not in seen:
                    taken.add(i)
                    pool.append(i)
            if len(pool) >= CANDIDATE_CAP:
                break
        if pool:
            for _choice, score, pos in process.extract(
                norm,
                [self.norm[i] for i in pool],
                scorer=fuzz.WRatio,
                processor=None,
                score_cutoff=FUZZY_CUTOFF,
                limit=limit * 3,
            ):
                seen[pool[pos]] = Candidate(pool[pos], FUZZY, float(score))
        ranked = sorted(seen.values(), key=lambda c: (c.tier, -c.score, self.titles[c.index]))
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
                stack.append((path, value))
        elif isinstance(node, list):
            stack.extend((prefix, v) for v in node)
    return out


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def rank(
    candidates: list[Candidate],
    index: TitleIndex,
    artifact_paths: set[str] | None,
    target_paths: Mapping[str, set[str]],
    limit: int,
) -> list[int]:
    """Final order of candidate positions; structure only breaks (tier, score) ties."""

    def key(c: Candidate) -> tuple[int, float, float, str, str]:
        structural = 0.0
        if artifact_paths is not None and index.ids[c.index] in target_paths:
            structural = jaccard(artifact_paths, target_paths[index.ids[c.index]])
        return (c.tier, -c.score, -structural, index.titles[c.index], index.ids[c.index])

    return [c.index for c in sorted(candidates, key=key)[:limit]]


def tied(candidates: list[Candidate]) -> Iterable[int]:
    """Positions whose (tier, score) another candidate shares: only those need structure."""
    top = candidates
    groups: dict[tuple[int, float], list[int]] = defaultdict(list)
    for c in top:
        groups[(c.tier, c.score)].append(c.index)
    for members in groups.values():
        if len(members) > 1:
            yield from members
