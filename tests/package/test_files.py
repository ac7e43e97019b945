"""Package files: a published version downloaded as one zip (the same bytes every time),
uploaded into another org as a PUBLISHED package and imported there with the tenant moved;
a corrupt or altered file is refused naming the check that failed."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest

from tests.helpers import Api, objects, package, run_import

P = "/data/foundation/exim/packages"
ZIP = {"Content-Type": "application/zip"}


def download(api: Api, pid: str, **params: int) -> bytes:
    r = api.get(f"{P}/{pid}/file", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"].startswith('attachment; filename="')
    return bytes(r.content)


def upload(api: Api, data: bytes) -> object:
    return api.post(f"{P}/file", content=data, headers=ZIP)


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture
def published(api: Api, world: dict[str, str]) -> str:
    return package(api, [("JOURNEY", world["journey"])], name="Journeys")


class TestDownload:
    def test_file_holds_the_snapshot_and_its_hashes(self, api: Api, published: str) -> None:
        data = download(api, published)
        files = entries(data)
        assert list(files) == ["sbx-package.json", "manifest.json", "artifacts.jsonl"]
        head = json.loads(files["sbx-package.json"])
        assert head["format"] == "sbx.package-file/1"
        assert head["packageName"] == "Journeys" and head["packageVersion"] == 0
        assert head["sourceOrgId"] == api.org_id and head["tenantId"] == api.tenant
        assert head["contentHash"] == sha(files["artifacts.jsonl"])
        assert head["manifestHash"] == sha(files["manifest.json"])
        job = api.get(f"{P}/jobs").json()["data"][0]
        snap = api.get(f"/data/foundation/exim/tools/job/{job['id']}").json()["object"]
        assert snap["snapshot"]["contentHash"] == head["contentHash"]
        assert b"hunter2" not in data  # secrets stay placeholders
        assert download(api, published) == data  # the same bytes every time

    def test_versions(self, api: Api, published: str) -> None:
        r = api.post(f"{P}/{published}/version/save")
        assert api.wait_job(r.json()["id"])["jobStatus"] == "SUCCESS"
        v0 = json.loads(entries(download(api, published, version=0))["sbx-package.json"])
        latest = json.loads(entries(download(api, published))["sbx-package.json"])
        assert (v0["packageVersion"], latest["packageVersion"]) == (0, 1)
        r = api.get(f"{P}/{published}/file", params={"version": 5})
        assert r.status_code == 400 and r.json()["error"] == "NoSuchVersion"

    def test_draft_and_unknown_packages(self, api: Api, world: dict[str, str]) -> None:
        r = api.post(
            P,
            json={
                "name": "draft",
                "packageType": "PARTIAL",
                "artifacts": [{"id": world["ds"], "type": "CATALOG_DATASET"}],
            },
        )
        r = api.get(f"{P}/{r.json()['id']}/file")
        assert r.status_code == 409 and r.json()["error"] == "PackageNotPublished"
        assert api.get(f"{P}/{'0' * 32}/file").status_code == 404


class TestUpload:
    def test_round_trip_into_another_org(
        self, api: Api, api_b: Api, published: str, world: dict[str, str]
    ) -> None:
        data = download(api, published)
        r = upload(api_b, data)
        assert r.status_code == 200, r.text
        pkg = r.json()
        assert pkg["status"] == "PUBLISHED" and pkg["name"] == "Journeys"
        assert pkg["imsOrgId"] == api_b.org_id
        assert pkg["sourceSandbox"] == {"name": "prod", "imsOrgId": api.org_id}
        assert pkg["artifactsList"][0]["id"] == world["journey"]
        # The same file again: the name is taken, so it is suffixed.
        again = upload(api_b, data).json()
        assert again["name"].startswith("Journeys_") and again["id"] != pkg["id"]
        # Downloaded again from org B, the artifacts are the same bytes (same content hash).
        back = entries(download(api_b, pkg["id"]))
        assert back["artifacts.jsonl"] == entries(data)["artifacts.jsonl"]
        # Imported in org B, the content moves to B's tenant.
        job = run_import(api_b, pkg["id"], "prod")
        assert job["jobStatus"] == "SUCCESS", job
        created = objects(api_b, "prod")
        schema = job["importReplacementMap"][world["schema"]]
        assert schema.startswith(f"https://ns.adobe.com/{api_b.tenant}/")
        assert f"_{api.tenant}" not in json.dumps(created[("REGISTRY_SCHEMA", schema)])

    def test_upload_is_audited(self, api: Api, api_b: Api, published: str) -> None:
        pkg = upload(api_b, download(api, published)).json()
        r = api_b.get(
            "/data/foundation/audit/events", params={"property": "action==package.create"}
        )
        [event] = r.json()["data"]
        assert event["assetId"] == pkg["id"]
        assert event["details"]["file"]["sourceOrgId"] == api.org_id

    def test_upload_into_own_org(self, api: Api, published: str) -> None:
        r = upload(api, download(api, published))
        assert r.status_code == 200, r.text
        assert r.json()["sourceSandbox"]["imsOrgId"] == api.org_id

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (lambda f: b"not a zip at all", "file: not a zip archive"),
            (
                lambda f: rezip(
                    {**f, "artifacts.jsonl": f["artifacts.jsonl"].replace(b"Gold", b"Lead")}
                ),
                "artifacts.jsonl: its SHA-256",
            ),
            (
                lambda f: rezip(
                    {**f, "manifest.json": f["manifest.json"].replace(b"Journeys", b"Hacked")}
                ),
                "manifest.json: its SHA-256",
            ),
            (lambda f: rezip({**f, "extra.txt": b"x"}), "file: unexpected entry 'extra.txt'"),
            (
                lambda f: rezip({k: v for k, v in f.items() if k != "manifest.json"}),
                "file: entry 'manifest.json' missing",
            ),
            (
                lambda f: rezip(
                    {
                        **f,
                        "sbx-package.json": json.dumps(
                            {**json.loads(f["sbx-package.json"]), "format": "other/9"}
                        ).encode(),
                    }
                ),
                "sbx-package.json.format",
            ),
            (
                lambda f: rezip({**f, "artifacts.jsonl": b"\0" * (10 * 1024 * 1024)}),
                "over the limit",
            ),
        ],
        ids=["not-zip", "artifacts", "manifest", "extra", "missing", "format", "bomb"],
    )
    def test_corrupt_or_altered_files_are_refused(
        self, api: Api, api_b: Api, published: str, change: object, message: str
    ) -> None:
        files = entries(download(api, published))
        r = upload(api_b, change(files))  # type: ignore[operator]
        assert r.status_code == 400, r.text
        assert r.json()["error"] == "InvalidPackageFile"
        assert message in r.json()["detail"], r.json()["detail"]
        assert api_b.get(P).json()["totalElements"] == 0

    def test_a_consistent_forgery_with_a_bad_index_is_refused(
        self, api: Api, api_b: Api, published: str
    ) -> None:
        files = entries(download(api, published))
        manifest = json.loads(files["manifest.json"])
        manifest["edges"].append([0, 10_000])
        files["manifest.json"] = json.dumps(manifest).encode()
        head = json.loads(files["sbx-package.json"])
        head["manifestHash"] = sha(files["manifest.json"])
        files["sbx-package.json"] = json.dumps(head).encode()
        r = upload(api_b, rezip(files))
        assert r.status_code == 400 and r.json()["detail"].startswith("manifest.json.edges")

    def test_json_body_is_not_a_file(self, api: Api) -> None:
        r = api.post(f"{P}/file", json={"not": "a file"})
        assert r.status_code == 400 and r.json()["error"] == "InvalidPackageFile"
