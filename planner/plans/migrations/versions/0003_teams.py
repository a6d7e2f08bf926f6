"""Teams: each plan's owner (the sign-in provider's subject and email) and visibility, each revision's author,
approvals (who approved which revision, when, the SHA-256 of its document, a comment) and the audit trail.

Plans saved before this migration have no owner and the visibility `team`: every signed-in member of the team
lists, opens and revises them, as everyone could before, until an administrator names an owner
(`python -m planner plans own ID --as EMAIL`). Approvals and the audit trail are append-only: the database
refuses to update or delete their rows (a trigger on SQLite and on PostgreSQL).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APPEND_ONLY = ("approvals", "audit")
REFUSAL = "is append-only: its rows are never updated or deleted"


def upgrade() -> None:
    with op.batch_alter_table("plans") as table:
        table.add_column(sa.Column("owner_subject", sa.String(255), nullable=True))
        table.add_column(sa.Column("owner_email", sa.String(320), nullable=True))
        table.add_column(sa.Column("visibility", sa.String(8), nullable=False, server_default="team"))
    with op.batch_alter_table("revisions") as table:
        table.add_column(sa.Column("author_subject", sa.String(255), nullable=True))
        table.add_column(sa.Column("author_email", sa.String(320), nullable=True))
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.String(32), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approver_subject", sa.String(255), nullable=False),
        sa.Column("approver_email", sa.String(320), nullable=False),
        sa.Column("document_sha256", sa.String(64), nullable=False),
        sa.Column("comment", sa.String(500), nullable=False),
        sa.ForeignKeyConstraint(["plan_id", "revision"], ["revisions.plan_id", "revisions.number"]),
        sa.UniqueConstraint("plan_id", "revision", "approver_email", name="approvals_once_per_approver"),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.String(32), sa.ForeignKey("plans.id"), nullable=False, index=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor_subject", sa.String(255), nullable=True),
        sa.Column("actor_email", sa.String(320), nullable=True),
        sa.Column("revision", sa.Integer, nullable=True),
        sa.Column("detail", sa.String(500), nullable=False),
    )
    for name in APPEND_ONLY:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(
                f"CREATE FUNCTION {name}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"RAISE EXCEPTION '{name} {REFUSAL}'; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON {name} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}_append_only()"
            )
        else:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {name}_no_{event.lower()} BEFORE {event} ON {name} "
                    f"BEGIN SELECT RAISE(ABORT, '{name} {REFUSAL}'); END"
                )


def downgrade() -> None:
    for name in APPEND_ONLY:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER {name}_append_only ON {name}")
            op.execute(f"DROP FUNCTION {name}_append_only()")
        op.drop_table(name)
    with op.batch_alter_table("revisions") as table:
        table.drop_column("author_email")
        table.drop_column("author_subject")
    with op.batch_alter_table("plans") as table:
        table.drop_column("visibility")
        table.drop_column("owner_email")
        table.drop_column("owner_subject")
