"""job progress (read by every API process while a worker runs the job)

Revision ID: 2026_11_23_0050
Revises: 2026_11_23_0040
Create Date: 2026-11-23 06:00:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "2026_11_23_0050"
down_revision: str | None = "2026_11_23_0040"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "job_progress",
        sa.Column("job_id", sa.String(length=32), nullable=False),
        sa.Column("planned", _json(), nullable=False),
        sa.Column("completed", _json(), nullable=False),
        sa.Column("failed", _json(), nullable=False),
        sa.Column("updated_date", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_job_progress")),
    )


def downgrade() -> None:
    op.drop_table("job_progress")
