"""sharing

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 17:04:25.729854
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handshakes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("linking_id", sa.String(length=36), nullable=False),
        sa.Column("source_org_id", sa.String(length=128), nullable=False),
        sa.Column("target_org_id", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("target_region", sa.String(length=32), nullable=True),
        sa.Column("target_org_name", sa.String(length=256), nullable=True),
        sa.Column(
            "status_history",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=256), nullable=False),
        sa.Column("created_by_name", sa.String(length=256), nullable=False),
        sa.Column("modified_by", sa.String(length=256), nullable=False),
        sa.Column("modified_by_name", sa.String(length=256), nullable=False),
        sa.Column("modified_by_org_id", sa.String(length=128), nullable=False),
        sa.Column("created_date", sa.BigInteger(), nullable=False),
        sa.Column("modified_date", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handshakes")),
        sa.UniqueConstraint("linking_id", name=op.f("uq_handshakes_linking_id")),
    )
    with op.batch_alter_table("handshakes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_handshakes_source", ["source_org_id", "created_date"], unique=False
        )
        batch_op.create_index(
            "ix_handshakes_target", ["target_org_id", "created_date"], unique=False
        )

    op.create_table(
        "transfers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("request_type", sa.String(length=16), nullable=False),
        sa.Column("source_org_id", sa.String(length=128), nullable=False),
        sa.Column("target_org_id", sa.String(length=128), nullable=False),
        sa.Column("package_id", sa.String(length=32), nullable=False),
        sa.Column("package_name", sa.String(length=512), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("initiated_by", sa.String(length=256), nullable=False),
        sa.Column("pipeline_message_id", sa.String(length=36), nullable=True),
        sa.Column("job_id", sa.String(length=32), nullable=True),
        sa.Column("target_package_id", sa.String(length=32), nullable=True),
        sa.Column(
            "messages",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("completed_time", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.String(length=256), nullable=False),
        sa.Column("modified_by", sa.String(length=256), nullable=False),
        sa.Column("created_date", sa.BigInteger(), nullable=False),
        sa.Column("modified_date", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
    )
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_transfers_source", ["source_org_id", "created_date"], unique=False
        )
        batch_op.create_index(
            "ix_transfers_target", ["target_org_id", "created_date"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.drop_index("ix_transfers_target")
        batch_op.drop_index("ix_transfers_source")

    op.drop_table("transfers")
    with op.batch_alter_table("handshakes", schema=None) as batch_op:
        batch_op.drop_index("ix_handshakes_target")
        batch_op.drop_index("ix_handshakes_source")

    op.drop_table("handshakes")
