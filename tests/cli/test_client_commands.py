"""The ``sbx`` client commands, run as subprocesses against a live server: a dev -> stage
promotion script, drift refusal, a package file round trip between two orgs, profiles and
precedence, and the documented exit codes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sandbox_tooling.client import Client
from sandbox_tooling.kit import failpoints
from tests import factories as f
from tests.helpers import Credential

SBX = str(Path(sys.executable).parent / "sbx")


class Cli:
    """Runs ``sbx`` with its own config directory and no SBX_* variables of the caller."""

    def __init__(self, home: Path, url: str) -> None:
        self.url = url
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SBX_")}
        self.env.update(
            {"XDG_CONFIG_HOME": str(home / "config"), "NO_COLOR": "1", "COLUMNS": "200"}
        )
        self.cwd = home

    def __call__(
        self, *args: str, env: dict[str, str] | None = None, code: int | None = 0
    ) -> subprocess.CompletedProcess[str]:
        run = subprocess.run(
            [SBX, *args],
            env={**self.env, **(env or {})},
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        if code is not None:
            assert run.returncode == code, (args, run.returncode, run.stdout, run.stderr)
        return run

    def json(self, *args: str, **kw: Any) -> Any:
        run = self(*args, "-o", "json", **kw)
        return json.loads(run.stdout)  # stdout holds the data only

    def login(self, cred: Credential, *extra: str) -> None:
        self(
            "login",
            "--url",
            self.url,
            "--client-id",
            cred.client_id,
            "--client-secret",
            cred.client_secret,
            "--org",
            cred.org_id,
            *extra,
        )


@pytest.fixture
def cli(tmp_path: Path, live_url: str) -> Cli:
    return Cli(tmp_path, live_url)


def sdk(url: str, cred: Credential) -> Client:
    return Client(url, client_id=cred.client_id, client_secret=cred.client_secret, org=cred.org_id)


@pytest.fixture
def dev_world(live_url: str, cred_a: Credential) -> dict[str, str]:
    """The tests' world in a ``dev`` sandbox of org A (made with the SDK)."""
    with sdk(live_url, cred_a) as client:
        client.sandboxes.create("dev")
        return f.seed(
            f.TEST_WORLD,
            cred_a.tenant,
            lambda t, d: client.objects.create(t, d, sandbox="dev").id,
        )


def test_promotion_dev_to_stage(
    cli: Cli, tmp_path: Path, live_url: str, cred_a: Credential, dev_world: dict[str, str]
) -> None:
    cli.login(cred_a, "--sandbox", "dev")
    creds = tmp_path / "config" / "sbx" / "credentials.json"
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600
    assert cred_a.client_secret not in (tmp_path / "config" / "sbx" / "config.json").read_text()

    cli("sandboxes", "create", "stage")
    assert {s["name"] for s in cli.json("sandboxes", "list")} == {"prod", "dev", "stage"}
    # Objects from a file (one more field group, created then replaced).
    group = f.field_group(cred_a.tenant, title="Extras")
    group["$id"] = f"https://ns.adobe.com/{cred_a.tenant}/mixins/extras"
    (tmp_path / "extras.json").write_text(
        json.dumps({"type": "REGISTRY_MIXIN", "definition": group})
    )
    applied = cli.json("objects", "apply", "-f", "extras.json")
    assert applied[0]["action"] == "created"
    assert cli.json("objects", "apply", "-f", "extras.json")[0]["action"] == "replaced"

    schema = dev_world["schema"]
    pkg = cli.json("packages", "create", "promo", "--artifact", f"REGISTRY_SCHEMA:{schema}")
    assert pkg["status"] == "DRAFT" and pkg["sourceSandbox"]["name"] == "dev"
    publish = cli("packages", "publish", pkg["id"])
    assert "published version 0" in publish.stderr and publish.stdout == ""

    # Plan, review the file, apply exactly it.
    run = cli(
        "import",
        "plan",
        pkg["id"],
        "--target",
        "stage",
        "--out",
        "plan.json",
        "--detailed-exitcode",
        code=7,
    )
    assert "CREATE" in run.stdout  # the table
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert plan["kind"] == "IMPORT" and plan["changes"] is True
    job = cli.json("import", "apply", "--plan", "plan.json")
    assert job["jobStatus"] == "SUCCESS"
    assert job["importReplacementMap"] == {
        s["sourceId"]: s["targetId"] for s in plan["steps"] if "targetId" in s
    }
    # Planned again: everything is in stage already (reused by title): no changes.
    again = cli.json("import", "plan", pkg["id"], "--target", "stage", "--detailed-exitcode")
    assert again["changes"] is False

    # Change the source, save a version, compare with stage, update stage.
    with sdk(live_url, cred_a) as client:
        fg = client.objects.get("REGISTRY_MIXIN", dev_world["fg"], sandbox="dev").definition
        fields = fg["definitions"]["main"]["properties"][f"_{cred_a.tenant}"]["properties"]
        fields["tier"] = {"type": "string"}
        client.objects.replace("REGISTRY_MIXIN", dev_world["fg"], fg, sandbox="dev")
    cli("versions", "save", pkg["id"])
    assert [v["packageVersion"] for v in cli.json("versions", "history", pkg["id"])] == [1, 0]
    delta = cli.json("versions", "compare", pkg["id"], "--target", "stage")
    assert delta["jobStatus"] == "SUCCESS" and "tier" in json.dumps(delta["deltaPackageVersion"])
    updated = cli.json("versions", "update", pkg["id"], "--target", "stage")
    assert updated["jobStatus"] == "SUCCESS"
    new_fg = job["importReplacementMap"][dev_world["fg"]]
    assert updated["updatedObjects"] == [{"type": "REGISTRY_MIXIN", "id": new_fg}]
    stage_fg = cli.json("objects", "get", "REGISTRY_MIXIN", new_fg, "-s", "stage")
    assert "tier" in json.dumps(stage_fg["definition"])

    kinds = {(j["requestType"], j["jobType"]) for j in cli.json("jobs", "list")}
    assert {
        ("EXPORT", "NEW"),
        ("IMPORT", "NEW"),
        ("VERSION", "UPGRADE"),
        ("IMPORT", "UPDATE"),
    } <= kinds
    # Tables on stdout without -o json.
    assert "promo" in cli("packages", "list").stdout


def test_drift_refused_with_exit_6(
    cli: Cli, tmp_path: Path, live_url: str, cred_a: Credential, dev_world: dict[str, str]
) -> None:
    cli.login(cred_a, "--sandbox", "dev")
    cli("sandboxes", "create", "stage")
    pkg = cli.json(
        "packages", "create", "p", "--artifact", f"REGISTRY_SCHEMA:{dev_world['schema']}"
    )
    cli("packages", "publish", pkg["id"])
    cli("import", "plan", pkg["id"], "--target", "stage", "--out", "plan.json")
    with sdk(live_url, cred_a) as client:
        fg = client.objects.create("REGISTRY_MIXIN", f.field_group(cred_a.tenant), sandbox="stage")
        before = [o.id for o in client.objects.list("REGISTRY_SCHEMA", sandbox="stage")]
    run = cli("import", "apply", "--plan", "plan.json", code=6)
    assert "target changed since the plan: 1 object" in run.stderr
    assert fg.id in run.stderr
    with sdk(live_url, cred_a) as client:
        assert [o.id for o in client.objects.list("REGISTRY_SCHEMA", sandbox="stage")] == before
    # Planned and applied at once, it goes through.
    job = cli.json("import", "apply", pkg["id"], "--target", "stage")
    assert job["jobStatus"] == "SUCCESS"


def test_package_file_round_trip_between_orgs(
    cli: Cli,
    tmp_path: Path,
    cred_a: Credential,
    cred_b: Credential,
    dev_world: dict[str, str],
) -> None:
    cli.login(cred_a, "--sandbox", "dev")
    cli.login(cred_b, "--profile", "bravo")
    pkg = cli.json(
        "packages", "create", "journeys", "--artifact", f"JOURNEY:{dev_world['journey']}"
    )
    cli("packages", "publish", pkg["id"])
    cli("packages", "download", pkg["id"], "-f", "journeys.zip")
    default_name = cli("packages", "download", pkg["id"])
    assert "journeys-v0.sbx.zip" in default_name.stderr
    assert (tmp_path / "journeys-v0.sbx.zip").read_bytes() == (
        tmp_path / "journeys.zip"
    ).read_bytes()

    uploaded = cli.json("-p", "bravo", "packages", "upload", "journeys.zip")
    assert uploaded["status"] == "PUBLISHED" and uploaded["imsOrgId"] == cred_b.org_id
    job = cli.json("import", "apply", uploaded["id"], "--target", "prod", "-p", "bravo")
    assert job["jobStatus"] == "SUCCESS"
    schema = job["importReplacementMap"][dev_world["schema"]]
    assert schema.startswith(f"https://ns.adobe.com/{cred_b.tenant}/")

    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 not really")
    run = cli("packages", "upload", "bad.zip", "-p", "bravo", code=1)
    assert "not a zip archive" in run.stderr and "InvalidPackageFile" in run.stderr


def test_express_copy(cli: Cli, cred_a: Credential, dev_world: dict[str, str]) -> None:
    cli.login(cred_a)
    cli("sandboxes", "create", "stage")
    run = cli(
        "copy",
        "--from",
        "dev",
        "--to",
        "stage",
        "--artifact",
        f"FLOW:{dev_world['flow']}",
        "--plan-only",
        "--out",
        "copy.json",
        "--detailed-exitcode",
        code=7,
    )
    assert "EXPRESS plan" in run.stdout
    job = cli.json("copy", "--plan", "copy.json")
    assert job["jobStatus"] == "SUCCESS" and job["requestType"] == "COPY"
    rollback = cli.json("jobs", "rollback", job["id"], "--yes")
    assert rollback["jobStatus"] == "SUCCESS"


def test_exit_codes_and_precedence(
    cli: Cli,
    live_url: str,
    cred_a: Credential,
    dev_world: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {"SBX_URL": live_url, "SBX_CLIENT_ID": cred_a.client_id, "SBX_ORG": cred_a.org_id}
    # No profile, no secret: authentication (3); with SBX_CLIENT_SECRET it works.
    cli("sandboxes", "list", env=env, code=3)
    env["SBX_CLIENT_SECRET"] = cred_a.client_secret
    assert cli.json("sandboxes", "list", env=env)[0]["name"] == "prod"
    # A flag beats the environment: a wrong --org is refused (3).
    run = cli("sandboxes", "list", "--org", "OTHER@AdobeOrg", env=env, code=3)
    assert "403025" in run.stderr
    cli("sandboxes", "list", env={**env, "SBX_CLIENT_SECRET": "wrong"}, code=3)
    # No URL at all: usage (2); bad arguments: usage (2).
    cli("sandboxes", "list", code=2)
    cli("packages", "create", "x", env=env, code=2)
    cli("import", "apply", env=env, code=2)
    cli("packages", "list", "--no-such-option", env=env, code=2)
    # The server refuses: error (1), its detail on stderr.
    run = cli("packages", "show", "0" * 32, env=env, code=1)
    assert "PackageNotFound" in run.stderr and "not found" in run.stderr
    # Destructive commands need --yes off a terminal (2).
    cli("sandboxes", "create", "scratch", env=env)
    cli("sandboxes", "delete", "scratch", env=env, code=2)
    cli("sandboxes", "delete", "scratch", "--yes", env=env)
    # A job that fails: 4 (the package's root vanished before publishing).
    pkg = cli.json(
        "packages",
        "create",
        "gone",
        "-s",
        "dev",
        "--artifact",
        f"REGISTRY_SCHEMA:{dev_world['store_schema']}",
        env=env,
    )
    with sdk(live_url, cred_a) as client:
        client.objects.delete("REGISTRY_DESCRIPTOR", dev_world["rel"], sandbox="dev")
        client.objects.delete("REGISTRY_SCHEMA", dev_world["store_schema"], sandbox="dev")
    run = cli("packages", "publish", pkg["id"], env=env, code=4)
    assert "FAILED" in run.stderr
    # A job still running at --timeout: 5 (the import is slowed by a failpoint).
    ok = cli.json(
        "packages",
        "create",
        "ok",
        "-s",
        "dev",
        "--artifact",
        f"CATALOG_DATASET:{dev_world['ds']}",
        env=env,
    )
    cli("packages", "publish", ok["id"], env=env)
    failpoints.reset()
    monkeypatch.setenv("SBX_FAILPOINTS", "import.batch=1:sleep2000")
    run = cli("import", "apply", ok["id"], "--target", "prod", "--timeout", "0.3", env=env, code=5)
    assert "sbx jobs watch" in run.stderr
    job_id = run.stderr.split("sbx jobs watch ")[1].split(")")[0].strip()
    assert cli.json("jobs", "watch", job_id, env=env)["jobStatus"] == "SUCCESS"
    # --no-wait answers the job at once.
    saved = cli.json("versions", "save", ok["id"], "--no-wait", env=env)
    assert saved["requestType"] == "VERSION" and saved["jobStatus"] in (
        "PENDING",
        "IN_PROGRESS",
        "SUCCESS",
    )
