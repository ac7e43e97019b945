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


class TestSetPassword:
    def test_reads_the_password_from_stdin(
        self, state: AppState, settings, monkeypatch, api
    ) -> None:
        from sandbox_tooling.identity import repository as identity_repository
        from sandbox_tooling.identity import service as identity_service

        monkeypatch.setenv("SBX_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("SBX_DATA_DIR", str(settings.data_dir))
        get_settings.cache_clear()
        try:
            runner = CliRunner()
            args = ["admin", "set-password", "--org", api.org_id, "--user", api.user_id]
            r = runner.invoke(cli, args, input="a long enough secret\n")
            assert r.exit_code == 0, r.output
            assert json.loads(r.stdout) == {
                "org": api.org_id,
                "user": api.user_id,
                "password": "set",
            }
            with state.db.transaction() as session:
                user = identity_repository.get_user(session, api.org_id, api.user_id)
                assert user is not None and user.password_hash.startswith("$argon2id$")
                assert identity_service.check_password(user, "a long enough secret")
                assert not identity_service.check_password(user, "a long enough secreT")
            r = runner.invoke(cli, args, input="short\n")
            assert r.exit_code == 1
            assert "password: must hold at least 8 characters" in r.stderr
            r = runner.invoke(
                cli,
                ["admin", "set-password", "--org", api.org_id, "--user", "nobody"],
                input="x" * 9,
            )
            assert r.exit_code == 1 and "IdentityNotFound" in r.stderr
        finally:
            get_settings.cache_clear()
