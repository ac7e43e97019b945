"""The Python SDK against a live server: tokens (fetched, reused, refreshed before expiry and
after a 401), typed errors carrying the body, paging iterators, job waiting with progress,
timeouts and drift, plans applied, package files."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sandbox_tooling.client import (
    AuthenticationError,
    BadRequestError,
    Client,
    ConflictError,
    JobTimeoutError,
    NotFoundError,
    TargetDriftedError,
    TransportError,
)
from sandbox_tooling.job.schemas import JobRead
from sandbox_tooling.kit import failpoints
from sandbox_tooling.package.schemas import PackageRead
from tests import factories as f
from tests.helpers import Credential, free_port


def connect(url: str, cred: Credential, **kw: object) -> Client:
    return Client(
        url,
        client_id=cred.client_id,
        client_secret=cred.client_secret,
        org=cred.org_id,
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def sbx(live_url: str, cred_a: Credential) -> Client:
    client = connect(live_url, cred_a)
    yield client
    client.close()


@pytest.fixture
def world(sbx: Client) -> dict[str, str]:
    def create(type_name: str, definition: dict) -> str:
        return sbx.objects.create(type_name, definition, sandbox="prod").id

    ids = f.seed(f.TEST_WORLD, "alpha", create)
    sbx.sandboxes.create("dev")
    return ids


def published(sbx: Client, roots: list[tuple[str, str]], name: str = "pkg") -> PackageRead:
    pkg = sbx.packages.create(name, sandbox="prod", artifacts=roots)
    sbx.jobs.wait(sbx.packages.publish(pkg.id).job_id)
    return sbx.packages.get(pkg.id)


class TestTokens:
    def test_token_fetched_once_and_refreshed_before_expiry(
        self, live_url: str, cred_a: Credential
    ) -> None:
        seen: list[str] = []
        with connect(live_url, cred_a, on_token=lambda t, _e: seen.append(t)) as sbx:
            sbx.sandboxes.list()
            sbx.sandboxes.list()
            assert len(seen) == 1
            sbx._expires_at = time.time() + 30  # within the refresh margin
            sbx.sandboxes.list()
            assert len(seen) == 2 and seen[0] != seen[1]

    def test_a_refused_token_is_replaced_once(self, live_url: str, cred_a: Credential) -> None:
        with connect(
            live_url, cred_a, token="not-a-token", token_expires_at=time.time() + 999
        ) as sbx:
            assert [s.name for s in sbx.sandboxes.list()] == ["prod"]
            assert sbx._token != "not-a-token"

    def test_bad_credentials(self, live_url: str, cred_a: Credential) -> None:
        with Client(
            live_url, client_id=cred_a.client_id, client_secret="wrong", org=cred_a.org_id
        ) as sbx:
            with pytest.raises(AuthenticationError) as err:
                sbx.sandboxes.list()
            assert err.value.status == 401 and err.value.error == "invalid_client"
        no_secret = Client(live_url, client_id=cred_a.client_id, org=cred_a.org_id)
        with no_secret as sbx, pytest.raises(AuthenticationError):
            sbx.sandboxes.list()  # no secret, no token
        with Client(
            live_url,
            client_id=cred_a.client_id,
            client_secret=cred_a.client_secret,
            org="OTHER@AdobeOrg",
        ) as sbx:
            with pytest.raises(AuthenticationError) as err:
                sbx.packages.get("x")
            assert err.value.error == "403025"

    def test_unreachable(self, cred_a: Credential) -> None:
        nowhere = connect(f"http://127.0.0.1:{free_port()}", cred_a)
        with nowhere as sbx, pytest.raises(TransportError):
            sbx.sandboxes.list()


class TestCalls:
    def test_typed_errors_carry_the_body(self, sbx: Client) -> None:
        with pytest.raises(NotFoundError) as err:
            sbx.packages.get("0" * 32)
        assert err.value.error == "PackageNotFound"
        assert err.value.body["status"] == 404
        with pytest.raises(BadRequestError) as bad:
            sbx.packages.create("x", sandbox="nowhere", artifacts=[("REGISTRY_SCHEMA", "y")])
        assert bad.value.detail.startswith("sourceSandbox")
        sbx.sandboxes.create("dev")
        with pytest.raises(ConflictError) as conflict:
            sbx.sandboxes.create("dev")
        assert conflict.value.error == "SandboxExists"

    def test_paging_iterators(self, sbx: Client) -> None:
        for i in range(23):
            sbx.objects.create("ID_NAMESPACE", f.namespace(f"code{i:02d}"), sandbox="prod")
        codes = [o.id for o in sbx.objects.list("ID_NAMESPACE", sandbox="prod")]
        assert len(codes) == 23 == len(set(codes))
        pages = sbx.pages(
            "/data/foundation/registry/objects/ID_NAMESPACE",
            type(next(sbx.objects.list("ID_NAMESPACE"))),
            page_size=5,
        )
        assert len(list(pages)) == 23

    def test_objects_apply_creates_then_replaces(self, sbx: Client) -> None:
        definition = f.namespace("member")
        obj, created = sbx.objects.apply("ID_NAMESPACE", definition)
        assert created and obj.id == "member"
        obj, created = sbx.objects.apply("ID_NAMESPACE", {**definition, "name": "Member"})
        assert not created and obj.title == "Member" and obj.version == 2


class TestJobs:
    def test_plan_apply_and_wait_with_progress(
        self, sbx: Client, world: dict[str, str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        pkg = published(sbx, [("JOURNEY", world["journey"])])
        plan = sbx.imports.plan(pkg.id, "dev")
        assert plan.changes and plan.summary["CREATE"] == len(plan.steps)
        failpoints.reset()
        monkeypatch.setenv("SBX_FAILPOINTS", "import.batch=1:sleep700")
        states: list[JobRead] = []
        job = sbx.jobs.wait(sbx.imports.apply(plan), progress=states.append, interval=0.05)
        assert job.job_status == "SUCCESS"
        running = [s for s in states if s.progress is not None]
        assert running and running[0].progress is not None
        assert running[0].progress.total == len(plan.steps)
        assert set(running[0].progress.types) == {s.type for s in plan.steps}
        assert job.import_replacement_map == {s.source_id: s.target_id for s in plan.steps}

    def test_timeout(
        self, sbx: Client, world: dict[str, str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        pkg = published(sbx, [("CATALOG_DATASET", world["ds"])])
        failpoints.reset()
        monkeypatch.setenv("SBX_FAILPOINTS", "import.batch=1:sleep1500")
        submitted = sbx.imports.submit(pkg.id, "dev")
        with pytest.raises(JobTimeoutError) as err:
            sbx.jobs.wait(submitted.job_id, timeout=0.3)
        assert err.value.job.job_status in ("PENDING", "IN_PROGRESS")
        assert sbx.jobs.wait(submitted.job_id).job_status == "SUCCESS"

    def test_drift_raises_with_the_objects(self, sbx: Client, world: dict[str, str]) -> None:
        pkg = published(sbx, [("REGISTRY_SCHEMA", world["schema"])])
        plan = sbx.imports.plan(pkg.id, "dev")
        fg = sbx.objects.create("REGISTRY_MIXIN", f.field_group("alpha"), sandbox="dev")
        with pytest.raises(TargetDriftedError) as err:
            sbx.jobs.wait(sbx.imports.apply(plan))
        assert [(d.type, d.id, d.change) for d in err.value.drifted] == [
            ("REGISTRY_MIXIN", fg.id, "added")
        ]

    def test_package_files_and_express(
        self, sbx: Client, world: dict[str, str], tmp_path: Path
    ) -> None:
        pkg = published(sbx, [("CATALOG_DATASET", world["ds"])], name="files")
        name = sbx.packages.download(pkg.id, tmp_path / "p.zip")
        assert name == "files-v0.sbx.zip"
        copy = sbx.packages.upload(tmp_path / "p.zip")
        assert copy.status == "PUBLISHED" and copy.name.startswith("files_")
        plan = sbx.express.plan("prod", "dev", [("FLOW", world["flow"])])
        job = sbx.express.copy("prod", "dev", [("FLOW", world["flow"])], plan_id=plan.plan_id)
        done = sbx.jobs.wait(job.id)
        assert done.summary and done.summary["create"] == plan.summary["CREATE"]
