"""import plans

Revision ID: 2026_11_23_0040
Revises: 2026_11_23_0030
Create Date: 2026-11-23 03:50:21.277258
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "2026_11_23_0040"
down_revision: str | None = "2026_11_23_0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "import_plans",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("package_id", sa.String(length=32), nullable=True),
        sa.Column("package_version", sa.Integer(), nullable=True),
        sa.Column("snapshot_id", sa.String(length=36), nullable=True),
        sa.Column("sandbox_id", sa.String(length=36), nullable=False),
        sa.Column("target_name", sa.String(length=256), nullable=False),
        sa.Column("source_name", sa.String(length=256), nullable=False),
        sa.Column("request", _json(), nullable=False),
        sa.Column("pairs", _json(), nullable=False),
        sa.Column("steps", _json(), nullable=False),
        sa.Column("reads", _json(), nullable=False),
        sa.Column("digest", sa.String(length=80), nullable=False),
        sa.Column("source_reads", _json(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=256), nullable=False),
        sa.Column("created_date", sa.BigInteger(), nullable=False),
        sa.Column("expiry", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_import_plans_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["packages.id"],
            name=op.f("fk_import_plans_package_id_packages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sandbox_id"],
            ["sandboxes.id"],
            name=op.f("fk_import_plans_sandbox_id_sandboxes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_plans")),
    )
    with op.batch_alter_table("import_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_plans_expiry"), ["expiry"], unique=False)
        batch_op.create_index(batch_op.f("ix_import_plans_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_import_plans_package_id"), ["package_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("import_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_plans_package_id"))
        batch_op.drop_index(batch_op.f("ix_import_plans_org_id"))
        batch_op.drop_index(batch_op.f("ix_import_plans_expiry"))

    op.drop_table("import_plans")
