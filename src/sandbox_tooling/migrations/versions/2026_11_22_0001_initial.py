"""initial

Revision ID: 0001
Revises:
Create Date: 2026-11-22 16:03:21.002323
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("package_id", sa.String(length=32), nullable=True),
        sa.Column("request_type", sa.String(length=16), nullable=False),
        sa.Column("job_type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("package_type", sa.String(length=16), nullable=True),
        sa.Column(
            "source_sandbox",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "destination_sandbox",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("snapshot_id", sa.String(length=36), nullable=True),
        sa.Column("package_version", sa.Integer(), nullable=True),
        sa.Column(
            "params",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("counter", sa.Integer(), nullable=False),
        sa.Column("locked_by", sa.String(length=128), nullable=True),
        sa.Column("heartbeat", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.String(length=256), nullable=False),
        sa.Column("created_date", sa.BigInteger(), nullable=False),
        sa.Column("modified_date", sa.BigInteger(), nullable=False),
        sa.Column("started_date", sa.BigInteger(), nullable=True),
        sa.Column("finished_date", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_org_created", ["org_id", "created_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_package_id"), ["package_id"], unique=False)
        batch_op.create_index("ix_jobs_status", ["status"], unique=False)

    op.create_table(
        "orgs",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("created_date", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orgs")),
    )
    op.create_table(
        "packages",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("package_type", sa.String(length=16), nullable=False),
        sa.Column("source_sandbox_name", sa.String(length=256), nullable=False),
        sa.Column("source_org_id", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("access_type", sa.String(length=16), nullable=False),
        sa.Column("expiry", sa.BigInteger(), nullable=False),
        sa.Column("publish_date", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("latest_package_version", sa.Integer(), nullable=True),
        sa.Column(
            "artifacts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("created_date", sa.BigInteger(), nullable=False),
        sa.Column("modified_date", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=256), nullable=False),
        sa.Column("modified_by", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_packages_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packages")),
        sa.UniqueConstraint("org_id", "name", name=op.f("uq_packages_org_id_name")),
    )
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_packages_created_date"), ["created_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_packages_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_packages_status"), ["status"], unique=False)

    op.create_table(
        "roles",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column(
            "permissions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "sandboxes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("created_date", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_roles_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_roles")),
        sa.UniqueConstraint("org_id", "name", name=op.f("uq_roles_org_id_name")),
    )
    with op.batch_alter_table("roles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roles_org_id"), ["org_id"], unique=False)

    op.create_table(
        "sandboxes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("etag", sa.Integer(), nullable=False),
        sa.Column("created_date", sa.BigInteger(), nullable=False),
        sa.Column("modified_date", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=256), nullable=False),
        sa.Column("modified_by", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_sandboxes_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandboxes")),
    )
    with op.batch_alter_table("sandboxes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sandboxes_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            "uq_sandboxes_live_name",
            ["org_id", "name"],
            unique=True,
            sqlite_where=sa.text("state != 'deleted'"),
            postgresql_where=sa.text("state != 'deleted'"),
        )

    op.create_table(
        "users",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=256), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("created_date", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_users_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_users")),
        sa.UniqueConstraint("org_id", "user_id", name=op.f("uq_users_org_id_user_id")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_org_id"), ["org_id"], unique=False)

    op.create_table(
        "credentials",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=128), nullable=False),
        sa.Column("created_date", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_credentials_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_pk"], ["users.pk"], name=op.f("fk_credentials_user_pk_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_credentials")),
    )
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credentials_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credentials_user_pk"), ["user_pk"], unique=False)

    op.create_table(
        "package_versions",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("package_id", sa.String(length=32), nullable=False),
        sa.Column("package_version", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.String(length=36), nullable=False),
        sa.Column("manifest_key", sa.String(length=512), nullable=False),
        sa.Column("artifacts_key", sa.String(length=512), nullable=False),
        sa.Column("content_hash", sa.String(length=80), nullable=False),
        sa.Column("artifact_count", sa.Integer(), nullable=False),
        sa.Column("created_date", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["packages.id"],
            name=op.f("fk_package_versions_package_id_packages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_package_versions")),
        sa.UniqueConstraint(
            "package_id",
            "package_version",
            name=op.f("uq_package_versions_package_id_package_version"),
        ),
        sa.UniqueConstraint("snapshot_id", name=op.f("uq_package_versions_snapshot_id")),
    )
    op.create_table(
        "registry_objects",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sandbox_id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.String(length=512), nullable=False),
        sa.Column("title", sa.String(length=512), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "definition",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_date", sa.BigInteger(), nullable=False),
        sa.Column("modified_date", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=256), nullable=False),
        sa.Column("modified_by", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["sandbox_id"],
            ["sandboxes.id"],
            name=op.f("fk_registry_objects_sandbox_id_sandboxes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_registry_objects")),
        sa.UniqueConstraint(
            "sandbox_id",
            "type",
            "object_id",
            name=op.f("uq_registry_objects_sandbox_id_type_object_id"),
        ),
    )
    with op.batch_alter_table("registry_objects", schema=None) as batch_op:
        batch_op.create_index(
            "ix_registry_objects_sandbox_object", ["sandbox_id", "object_id"], unique=False
        )
        batch_op.create_index(
            "ix_registry_objects_sandbox_type_title", ["sandbox_id", "type", "title"], unique=False
        )

    op.create_table(
        "user_roles",
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.Column("role_pk", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_pk"], ["roles.pk"], name=op.f("fk_user_roles_role_pk_roles"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_pk"], ["users.pk"], name=op.f("fk_user_roles_user_pk_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_pk", "role_pk", name=op.f("pk_user_roles")),
    )
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_roles_role_pk"), ["role_pk"], unique=False)

    op.create_table(
        "access_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("created_date", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["credentials.client_id"],
            name=op.f("fk_access_tokens_client_id_credentials"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_access_tokens")),
    )
    with op.batch_alter_table("access_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_tokens_client_id"), ["client_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_access_tokens_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "object_references",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sandbox_id", sa.String(length=36), nullable=False),
        sa.Column("source_pk", sa.Integer(), nullable=False),
        sa.Column("target_type", sa.String(length=64), nullable=False),
        sa.Column("target_id", sa.String(length=512), nullable=False),
        sa.Column("attach", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sandbox_id"],
            ["sandboxes.id"],
            name=op.f("fk_object_references_sandbox_id_sandboxes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_pk"],
            ["registry_objects.pk"],
            name=op.f("fk_object_references_source_pk_registry_objects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_object_references")),
    )
    with op.batch_alter_table("object_references", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_object_references_source_pk"), ["source_pk"], unique=False
        )
        batch_op.create_index(
            "ix_object_references_target", ["sandbox_id", "target_id", "target_type"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("object_references", schema=None) as batch_op:
        batch_op.drop_index("ix_object_references_target")
        batch_op.drop_index(batch_op.f("ix_object_references_source_pk"))

    op.drop_table("object_references")
    with op.batch_alter_table("access_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_tokens_expires_at"))
        batch_op.drop_index(batch_op.f("ix_access_tokens_client_id"))

    op.drop_table("access_tokens")
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_roles_role_pk"))

    op.drop_table("user_roles")
    with op.batch_alter_table("registry_objects", schema=None) as batch_op:
        batch_op.drop_index("ix_registry_objects_sandbox_type_title")
        batch_op.drop_index("ix_registry_objects_sandbox_object")

    op.drop_table("registry_objects")
    op.drop_table("package_versions")
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credentials_user_pk"))
        batch_op.drop_index(batch_op.f("ix_credentials_org_id"))

    op.drop_table("credentials")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_org_id"))

    op.drop_table("users")
    with op.batch_alter_table("sandboxes", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_sandboxes_live_name",
            sqlite_where=sa.text("state != 'deleted'"),
            postgresql_where=sa.text("state != 'deleted'"),
        )
        batch_op.drop_index(batch_op.f("ix_sandboxes_org_id"))

    op.drop_table("sandboxes")
    with op.batch_alter_table("roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roles_org_id"))

    op.drop_table("roles")
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_packages_status"))
        batch_op.drop_index(batch_op.f("ix_packages_org_id"))
        batch_op.drop_index(batch_op.f("ix_packages_created_date"))

    op.drop_table("packages")
    op.drop_table("orgs")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_status")
        batch_op.drop_index(batch_op.f("ix_jobs_package_id"))
        batch_op.drop_index("ix_jobs_org_created")

    op.drop_table("jobs")
