"""Unit tests of the import plan: what happens to each artifact, decided from the manifest
alone (CREATE, REUSE, SUBSTITUTE, EXISTS, SKIP), roots against FULL, cycles, updates."""

from __future__ import annotations

from typing import Any

from sandbox_tooling.artifact_type.plugins import load_types
from sandbox_tooling.artifact_type.spec import TypeContext
from sandbox_tooling.importer.plan import Key, Plan, make_plan

TYPES = load_types()
CTX = TypeContext(org_id="X@AdobeOrg", tenant="alpha")
U = "https://ns.adobe.com/alpha"

# (type, id, title)
DS = ("CATALOG_DATASET", "d" * 24, "Members Dataset")
SCHEMA = ("REGISTRY_SCHEMA", f"{U}/schemas/s1", "Members")
FG = ("REGISTRY_MIXIN", f"{U}/mixins/g1", "Loyalty")
DT = ("REGISTRY_DATATYPE", f"{U}/datatypes/t1", "Tier")
DESC = ("REGISTRY_DESCRIPTOR", "e" * 40, "Identity descriptor")
NS = ("ID_NAMESPACE", "loyaltyId", "loyaltyId namespace")
#: a dataset of a schema with a field group, a data type, an identity descriptor, a namespace
DATASET_GRAPH = (
    [DS, SCHEMA, FG, DT, DESC, NS],
    [(DS, SCHEMA), (SCHEMA, FG), (FG, DT), (SCHEMA, DESC), (DESC, NS)],
)


def key(art: tuple[str, str, str]) -> Key:
    return art[0], art[1]


def manifest(
    artifacts: list[tuple[str, str, str]],
    edges: list[tuple[tuple[str, str, str], tuple[str, str, str]]],
    roots: list[tuple[str, str, str]],
) -> dict[str, Any]:
    """A snapshot manifest: the index, edges as index pairs, the root artifacts."""
    position = {a: i for i, a in enumerate(artifacts)}
    return {
        "artifacts": [{"type": t, "id": i, "title": title} for t, i, title in artifacts],
        "edges": [[position[a], position[b]] for a, b in edges],
        "rootArtifacts": [{"type": t, "id": i} for t, i, _title in roots],
    }


def plan(
    m: dict[str, Any],
    *,
    full: bool = False,
    alternatives: dict[str, str] | None = None,
    titles: dict[Key, str] | None = None,
    codes: set[str] | None = None,
    descend_substituted: bool = False,
) -> Plan:
    return make_plan(
        m,
        TYPES,
        CTX,
        full=full,
        alternatives=alternatives or {},
        target_titles=titles or {},
        target_codes=codes or set(),
        descend_substituted=descend_substituted,
    )


def actions(p: Plan) -> dict[Key, str]:
    return {k: s.action for k, s in p.steps.items()}


class TestCreate:
    def test_empty_target_creates_everything_with_new_ids(self) -> None:
        p = plan(manifest(*DATASET_GRAPH, roots=[DS]))
        assert set(actions(p).values()) == {"CREATE"}
        assert p.count("CREATE") == 6 and p.count("SKIP") == 0
        ids = p.id_map()
        assert ids[key(NS)] == "loyaltyId"  # a namespace keeps its code
        for k, new in ids.items():
            if k != key(NS):
                assert new != k[1]
                assert TYPES.get(k[0]).id_problem(new, CTX) is None, (k, new)
        assert len(set(ids.values())) == 6

    def test_steps_keep_title_and_first_parent(self) -> None:
        p = plan(manifest(*DATASET_GRAPH, roots=[DS]))
        assert p.roots == [key(DS)]
        step = p.steps[key(SCHEMA)]
        assert (step.type, step.id, step.title) == SCHEMA
        assert step.parent == key(DS)
        assert p.steps[key(DT)].parent == key(FG)
        assert p.steps[key(NS)].parent == key(DESC)
        assert p.steps[key(DS)].parent is None

    def test_objects_outside_the_roots_closure_are_skipped(self) -> None:
        p = plan(manifest(*DATASET_GRAPH, roots=[FG]))
        assert actions(p) == {
            key(DS): "SKIP",
            key(SCHEMA): "SKIP",
            key(FG): "CREATE",
            key(DT): "CREATE",
            key(DESC): "SKIP",
            key(NS): "SKIP",
        }
        assert set(p.id_map()) == {key(FG), key(DT)}

    def test_unknown_root_is_ignored(self) -> None:
        ghost = ("REGISTRY_SCHEMA", f"{U}/schemas/ghost", "Ghost")
        m = manifest(*DATASET_GRAPH, roots=[DT])
        m["rootArtifacts"].append({"type": ghost[0], "id": ghost[1]})
        p = plan(m)
        assert key(ghost) not in p.steps
        assert p.count("CREATE") == 1 and p.steps[key(DT)].action == "CREATE"


class TestReuse:
    def test_reuse_by_title_creates_no_orphans(self) -> None:
        existing = f"{U}/schemas/existing"
        p = plan(
            manifest(*DATASET_GRAPH, roots=[DS]),
            titles={("REGISTRY_SCHEMA", "Members"): existing},
        )
        assert actions(p) == {
            key(DS): "CREATE",
            key(SCHEMA): "REUSE",
            key(FG): "SKIP",  # needed only by the reused schema
            key(DT): "SKIP",
            key(DESC): "SKIP",
            key(NS): "SKIP",
        }
        assert p.steps[key(SCHEMA)].target_id == existing
        assert p.steps[key(FG)].target_id is None
        assert set(p.id_map()) == {key(DS), key(SCHEMA)}

    def test_only_types_reused_by_title(self) -> None:
        # datasets are never reused by title; the title must match exactly, per type
        p = plan(
            manifest(*DATASET_GRAPH, roots=[DS]),
            titles={
                ("CATALOG_DATASET", "Members Dataset"): "f" * 24,
                ("REGISTRY_SCHEMA", "members"): f"{U}/schemas/lower",
                ("REGISTRY_MIXIN", "Members"): f"{U}/mixins/other-type",
            },
        )
        assert set(actions(p).values()) == {"CREATE"}

    def test_full_package_never_reuses_and_ignores_roots(self) -> None:
        m = manifest(*DATASET_GRAPH, roots=[])
        p = plan(m, full=True, titles={("REGISTRY_SCHEMA", "Members"): f"{U}/schemas/existing"})
        assert p.roots == [key(a) for a in DATASET_GRAPH[0]]
        assert set(actions(p).values()) == {"CREATE"}
        assert p.steps[key(SCHEMA)].target_id != f"{U}/schemas/existing"

    def test_needed_by_a_created_parent_is_created(self) -> None:
        # the journey needs the audience (reused) and the schema; the audience's merge
        # policy and dataset are skipped, the schema the journey needs is created
        journey = ("JOURNEY", "11111111-1111-1111-1111-111111111111@1", "Welcome")
        aud = ("PROFILE_SEGMENT", "22222222-2222-2222-2222-222222222222", "Gold")
        merge = ("PROFILE_MERGE", "33333333-3333-3333-3333-333333333333", "Default")
        m = manifest(
            [journey, aud, merge, DS, SCHEMA, FG],
            [
                (journey, aud),
                (journey, SCHEMA),
                (aud, merge),
                (merge, DS),
                (DS, SCHEMA),
                (SCHEMA, FG),
            ],
            roots=[journey],
        )
        p = plan(m, titles={("PROFILE_SEGMENT", "Gold"): "44444444-4444-4444-4444-444444444444"})
        assert actions(p) == {
            key(journey): "CREATE",
            key(aud): "REUSE",
            key(merge): "SKIP",
            key(DS): "SKIP",
            key(SCHEMA): "CREATE",
            key(FG): "CREATE",
        }


class TestSubstituteAndExists:
    def test_alternative_is_used_and_its_dependencies_skipped(self) -> None:
        alt = f"{U}/schemas/alt"
        p = plan(manifest(*DATASET_GRAPH, roots=[DS]), alternatives={SCHEMA[1]: alt})
        assert p.steps[key(SCHEMA)].action == "SUBSTITUTE"
        assert p.steps[key(SCHEMA)].target_id == alt
        assert [k for k, a in actions(p).items() if a == "SKIP"] == [
            key(FG),
            key(DT),
            key(DESC),
            key(NS),
        ]

    def test_alternative_wins_over_reuse(self) -> None:
        p = plan(
            manifest(*DATASET_GRAPH, roots=[DS]),
            alternatives={SCHEMA[1]: f"{U}/schemas/alt"},
            titles={("REGISTRY_SCHEMA", "Members"): f"{U}/schemas/existing"},
        )
        assert p.steps[key(SCHEMA)].target_id == f"{U}/schemas/alt"

    def test_existing_namespace_code(self) -> None:
        p = plan(manifest(*DATASET_GRAPH, roots=[DS]), codes={"loyaltyId", "other"})
        assert p.steps[key(NS)].action == "EXISTS"
        assert p.steps[key(NS)].target_id == "loyaltyId"
        assert p.count("CREATE") == 5

    def test_update_descends_into_substituted_objects(self) -> None:
        # an update pairs the schema with the target's, then visits its dependencies
        existing_fg = f"{U}/mixins/existing"
        m = manifest(*DATASET_GRAPH, roots=[SCHEMA])
        p = plan(
            m,
            alternatives={SCHEMA[1]: f"{U}/schemas/paired"},
            titles={("REGISTRY_MIXIN", "Loyalty"): existing_fg},
            codes={"loyaltyId"},
            descend_substituted=True,
        )
        assert actions(p) == {
            key(DS): "SKIP",  # not a dependency of the root
            key(SCHEMA): "SUBSTITUTE",
            key(FG): "REUSE",
            key(DT): "SKIP",  # the reused field group's: not visited
            key(DESC): "CREATE",
            key(NS): "EXISTS",
        }
        # an import (no descent) leaves them all alone
        p = plan(m, alternatives={SCHEMA[1]: f"{U}/schemas/paired"})
        assert p.count("SKIP") == 5


class TestCycles:
    def test_reference_cycle_is_planned_once(self) -> None:
        a = ("REGISTRY_SCHEMA", f"{U}/schemas/a", "A")
        b = ("REGISTRY_SCHEMA", f"{U}/schemas/b", "B")
        ab = ("REGISTRY_DESCRIPTOR", "a" * 40, "A to B")
        ba = ("REGISTRY_DESCRIPTOR", "b" * 40, "B to A")
        m = manifest([a, ab, b, ba], [(a, ab), (ab, b), (b, ba), (ba, a)], roots=[a])
        p = plan(m)
        assert set(actions(p).values()) == {"CREATE"}
        assert len(set(p.id_map().values())) == 4
        assert p.steps[key(ab)].parent == key(a) and p.steps[key(b)].parent == key(ab)

    def test_cycle_behind_a_reused_object_is_skipped(self) -> None:
        a = ("REGISTRY_SCHEMA", f"{U}/schemas/a", "A")
        b = ("REGISTRY_SCHEMA", f"{U}/schemas/b", "B")
        ab = ("REGISTRY_DESCRIPTOR", "a" * 40, "A to B")
        ba = ("REGISTRY_DESCRIPTOR", "b" * 40, "B to A")
        m = manifest([a, ab, b, ba], [(a, ab), (ab, b), (b, ba), (ba, a)], roots=[a])
        p = plan(m, titles={("REGISTRY_SCHEMA", "B"): f"{U}/schemas/existing-b"})
        assert actions(p) == {key(a): "CREATE", key(ab): "CREATE", key(b): "REUSE", key(ba): "SKIP"}
