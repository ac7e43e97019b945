"""console: users.password_hash, packages (org_id, created_date) index

Revision ID: 2026_11_23_0030
Revises: 2026_11_23_0020
Create Date: 2026-11-23 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_11_23_0030"
down_revision: str | None = "2026_11_23_0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(length=256), nullable=True))
    op.create_index("ix_packages_org_created", "packages", ["org_id", "created_date"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_packages_org_created", table_name="packages")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_hash")
