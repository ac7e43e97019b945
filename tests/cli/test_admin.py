"""The `sbx admin` commands print JSON and fail with a message on stderr."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from sandbox_tooling.cli.main import app as cli
from sandbox_tooling.config import get_settings
from sandbox_tooling.runtime import Runtime as AppState


class TestAdminCli:
    def test_commands_print_json(self, state: AppState, settings, monkeypatch) -> None:
        monkeypatch.setenv("SBX_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("SBX_DATA_DIR", str(settings.data_dir))
        get_settings.cache_clear()
        try:
            runner = CliRunner()
            r = runner.invoke(
                cli,
                [
                    "admin",
                    "create-org",
                    "--id",
                    "CCCC@AdobeOrg",
                    "--name",
                    "Cyan Co",
                    "--region",
                    "va7",
                    "--tenant",
                    "cyan",
                ],
            )
            assert r.exit_code == 0, r.output
            assert json.loads(r.stdout)["sandboxes"] == ["prod"]
            r = runner.invoke(
                cli,
                [
                    "admin",
                    "create-role",
                    "--org",
                    "CCCC@AdobeOrg",
                    "--name",
                    "schemas",
                    "--permission",
                    "Schema:read,write",
                    "--sandbox",
                    "prod",
                ],
            )
            assert r.exit_code == 0, r.output
            assert json.loads(r.stdout)["permissions"] == [
                {"resource": "Schema", "actions": ["read", "write"]}
            ]
            r = runner.invoke(
                cli,
                [
                    "admin",
                    "create-user",
                    "--org",
                    "CCCC@AdobeOrg",
                    "--id",
                    "jo@cyan",
                    "--role",
                    "admin",
                ],
            )
            assert r.exit_code == 0 and json.loads(r.stdout)["roles"] == ["admin"]
            r = runner.invoke(
                cli,
                [
                    "admin",
                    "assign-role",
                    "--org",
                    "CCCC@AdobeOrg",
                    "--user",
                    "jo@cyan",
                    "--role",
                    "schemas",
                ],
            )
            assert r.exit_code == 0, r.output
            r = runner.invoke(
                cli, ["admin", "create-credential", "--org", "CCCC@AdobeOrg", "--user", "jo@cyan"]
            )
            cred = json.loads(r.stdout)
            assert set(cred) == {"client_id", "client_secret"}
            r = runner.invoke(
                cli,
                [
                    "admin",
                    "create-org",
                    "--id",
                    "CCCC@AdobeOrg",
                    "--name",
                    "dup",
                    "--region",
                    "va7",
                ],
            )
            assert r.exit_code == 1 and "already exists" in r.stderr
            r = runner.invoke(
                cli,
                [
                    "admin",
                    "create-role",
                    "--org",
                    "CCCC@AdobeOrg",
                    "--name",
                    "x",
                    "--permission",
                    "Schema:fly",
                ],
            )
            assert r.exit_code == 1 and "fly" in r.stderr
        finally:
            get_settings.cache_clear()
