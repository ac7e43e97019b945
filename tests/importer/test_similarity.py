"""Unit tests of the conflict check's ranking: title normalization, candidate tiers, the
word pool, structural tie-breaks."""

from __future__ import annotations

import pytest

from sandbox_tooling.importer.similarity import (
    EXACT,
    FUZZY,
    SUFFIXED,
    WORD,
    Candidate,
    TitleIndex,
    field_paths,
    jaccard,
    normalize,
    rank,
    tied,
    unsuffixed,
)


def index(titles: list[str], query: str = "Members") -> TitleIndex:
    """Titles keyed ``k0, k1, ...``, indexed for the words of ``query``."""
    return TitleIndex(
        [f"k{i}" for i in range(len(titles))], titles, set(WORD.findall(normalize(query)))
    )


class TestNormalize:
    @pytest.mark.parametrize(
        ("title", "expected"),
        [
            ("Members", "members"),
            ("  Loyalty Members \t", "loyalty members"),
            ("Members_1686403052050", "members"),  # an import suffix: 13 digits
            ("Members_168640305205", "members_168640305205"),  # 12 digits: not a suffix
            ("Members-1686403052050", "members-1686403052050"),  # no underscore
            ("Members_1686403052050_1686403052051", "members_1686403052050"),  # only the last
            ("_1686403052050", "_1686403052050"),  # nothing left before it: kept
            ("x_1686403052050", "x"),
        ],
    )
    def test_normalize(self, title: str, expected: str) -> None:
        assert normalize(title) == expected

    def test_unsuffixed_expects_lowered_input(self) -> None:
        assert unsuffixed("members_1686403052050") == "members"
        assert unsuffixed("members_16864030520ab") == "members_16864030520ab"


class TestCandidates:
    def test_tiers_in_order_exact_suffixed_fuzzy(self) -> None:
        titles = ["Members v2", "Members_1686403052050", "members", "Members", "Unrelated thing"]
        got = index(titles).candidates("Members", 10)
        assert [(titles[c.index], c.tier, c.score) for c in got] == [
            ("Members", EXACT, 100.0),  # exact ignores case; ties sorted by title
            ("members", EXACT, 100.0),
            ("Members_1686403052050", SUFFIXED, 100.0),
            ("Members v2", FUZZY, 82.35),  # rapidfuzz ratio of "members" / "members v2"
        ]

    def test_suffixed_query_finds_the_plain_title(self) -> None:
        titles = ["Members", "Members_1600000000000"]
        got = index(titles).candidates("Members_1700000000000", 10)
        assert {(titles[c.index], c.tier) for c in got} == {
            ("Members", SUFFIXED),
            ("Members_1600000000000", SUFFIXED),
        }

    def test_fuzzy_cutoff_is_75(self) -> None:
        # "gold members" scores 73.7 against "members": left out
        assert index(["Gold Members"]).candidates("Members", 10) == []

    def test_only_titles_sharing_a_word_are_compared(self) -> None:
        # one letter away, but no word in common: never in the pool
        assert index(["Memberz"]).candidates("Members", 10) == []

    def test_at_most_three_times_the_limit(self) -> None:
        titles = [f"Members_{1600000000000 + i}" for i in range(10)]
        got = index(titles).candidates("Members", 2)
        assert len(got) == 6
        assert [titles[c.index] for c in got] == sorted(titles)[:6]

    def test_empty_index(self) -> None:
        assert index([]).candidates("Members", 10) == []


class TestStructure:
    def test_field_paths_ignore_list_positions(self) -> None:
        definition = {
            "title": "t",
            "allOf": [{"$ref": "a"}, {"$ref": "b"}, "plain"],
            "definitions": {"main": {"properties": {"x": {"type": "string"}}}},
        }
        assert field_paths(definition) == {
            "/title",
            "/allOf",
            "/allOf/$ref",
            "/definitions",
            "/definitions/main",
            "/definitions/main/properties",
            "/definitions/main/properties/x",
            "/definitions/main/properties/x/type",
        }
        assert field_paths([{"a": [{"b": 1}]}]) == {"/a", "/a/b"}
        assert field_paths("scalar") == set()

    def test_jaccard(self) -> None:
        assert jaccard({"/a", "/b"}, {"/b", "/c"}) == pytest.approx(1 / 3)
        assert jaccard({"/a"}, {"/a"}) == 1.0
        assert jaccard(set(), {"/a"}) == 0.0
        assert jaccard(set(), set()) == 0.0


class TestRank:
    def test_structure_breaks_ties_only(self) -> None:
        titles = ["A", "B", "C"]
        idx = index(titles)
        cands = [
            Candidate(0, SUFFIXED, 100.0),
            Candidate(1, SUFFIXED, 100.0),
            Candidate(2, EXACT, 100.0),
        ]
        source = {"/x", "/y"}
        target_paths = {"k0": {"/z"}, "k1": {"/x", "/y"}, "k2": set()}
        # C is exact: first whatever its structure; then B, whose structure is the source's
        assert rank(cands, idx, source, target_paths, 10) == [2, 1, 0]

    def test_score_beats_structure(self) -> None:
        idx = index(["A", "B"])
        cands = [Candidate(0, FUZZY, 90.0), Candidate(1, FUZZY, 80.0)]
        assert rank(cands, idx, {"/x"}, {"k0": set(), "k1": {"/x"}}, 10) == [0, 1]

    def test_title_breaks_remaining_ties(self) -> None:
        idx = index(["b", "a", "c"])
        cands = [Candidate(i, FUZZY, 80.0) for i in range(3)]
        assert rank(cands, idx, None, {}, 10) == [1, 0, 2]  # no structure known: by title
        assert rank(cands, idx, {"/x"}, {"k2": {"/x"}}, 2) == [2, 1]  # cut at the limit

    def test_tied_yields_only_shared_tier_and_score(self) -> None:
        cands = [
            Candidate(0, EXACT, 100.0),
            Candidate(1, SUFFIXED, 100.0),
            Candidate(2, SUFFIXED, 100.0),
            Candidate(3, FUZZY, 80.0),
            Candidate(4, FUZZY, 81.0),
        ]
        assert sorted(tied(cands)) == [1, 2]
        assert list(tied([])) == []
