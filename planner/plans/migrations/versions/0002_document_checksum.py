"""Each revision's SHA-256 of its stored document, written at save: the plans list tells a damaged or altered
document from an intact one by hashing it, without parsing every plan (rows saved before have none: they
are parsed).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("revisions") as table:  # SQLite alters a table by copying it
        table.add_column(sa.Column("document_sha256", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("revisions") as table:
        table.drop_column("document_sha256")
