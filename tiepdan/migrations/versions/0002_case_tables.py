"""case tables: organisation directory, users, reception sessions, petitions, parties,
identities, case documents and the receipt counters (tiepdan.cases.models).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

# Written out rather than imported from the models: a migration must not change when they do.
PG_TRGM_DDL = "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('admin_division',
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('division_type', sa.String(length=30), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('codename', sa.String(length=100), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=50), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_index(op.f('ix_admin_division_province_code'), 'admin_division', ['province_code'], unique=False)
    op.create_table('unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('abbreviation', sa.String(length=30), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('function', sa.String(length=50), nullable=True),
    sa.Column('head_title', sa.String(length=100), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=True),
    sa.Column('division_code', sa.String(length=5), nullable=True),
    sa.Column('on_system', sa.Boolean(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['division_code'], ['admin_division.code'], ),
    sa.ForeignKeyConstraint(['parent_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_index(op.f('ix_unit_division_code'), 'unit', ['division_code'], unique=False)
    op.create_index(op.f('ix_unit_parent_id'), 'unit', ['parent_id'], unique=False)
    op.create_index(op.f('ix_unit_path'), 'unit', ['path'], unique=False)
    op.create_index('ix_unit_province_kind', 'unit', ['province_code', 'kind'], unique=False)
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_index(op.f('ix_app_user_unit_id'), 'app_user', ['unit_id'], unique=False)
    op.create_table('receipt_counter',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('series', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('unit_id', 'series', 'year')
    )
    op.create_table('reception',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('received_by_id', sa.Integer(), nullable=False),
    sa.Column('is_leader_session', sa.Boolean(), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('citizen_count', sa.Integer(), nullable=False),
    sa.Column('identity_check', sa.String(length=30), nullable=True),
    sa.Column('identity_note', sa.Text(), nullable=False),
    sa.Column('refused', sa.Boolean(), nullable=False),
    sa.Column('refusal_ground', sa.String(length=50), nullable=True),
    sa.Column('refusal_note', sa.Text(), nullable=False),
    sa.Column('record_text', sa.Text(), nullable=False),
    sa.Column('record_read_back', sa.Boolean(), nullable=False),
    sa.Column('record_confirmation', sa.String(length=20), nullable=True),
    sa.Column('documents', sa.JSON(), nullable=False),
    sa.Column('documents_receipt_no', sa.String(length=60), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['received_by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_reception_received_by_id'), 'reception', ['received_by_id'], unique=False)
    op.create_index('ix_reception_unit_day', 'reception', ['unit_id', 'received_on'], unique=False)
    op.create_table('user_role',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role')
    )
    # The search index is a GIN trigram index on PostgreSQL (LIKE '%...%' becomes an index
    # search); its operator class comes from pg_trgm, created in the public schema whatever the
    # search_path, as models.PG_TRGM_DDL does. On SQLite the same index is a plain one.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_TRGM_DDL)
    op.create_table('petition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_key', sa.String(length=100), nullable=False),
    sa.Column('receipt_no', sa.String(length=60), nullable=False),
    sa.Column('receipt_year', sa.Integer(), nullable=False),
    sa.Column('receipt_seq', sa.Integer(), nullable=False),
    sa.Column('receiving_unit_id', sa.Integer(), nullable=False),
    sa.Column('holding_unit_id', sa.Integer(), nullable=False),
    sa.Column('reception_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('forwarded_by_unit_id', sa.Integer(), nullable=True),
    sa.Column('forwarded_by_name', sa.String(length=300), nullable=True),
    sa.Column('forward_doc_no', sa.String(length=60), nullable=True),
    sa.Column('forward_doc_date', sa.Date(), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('letter_date', sa.Date(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('field', sa.String(length=50), nullable=True),
    sa.Column('petition_type', sa.String(length=20), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('eligible', sa.Boolean(), nullable=True),
    sa.Column('eligibility_reasons', sa.JSON(), nullable=False),
    sa.Column('within_competence', sa.Boolean(), nullable=True),
    sa.Column('competent_unit_id', sa.Integer(), nullable=True),
    sa.Column('petitioner_count', sa.Integer(), nullable=False),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('split_from_id', sa.Integer(), nullable=True),
    sa.Column('transferred_from_id', sa.Integer(), nullable=True),
    sa.Column('transferred_to_id', sa.Integer(), nullable=True),
    sa.Column('transferred_to_unit_id', sa.Integer(), nullable=True),
    sa.Column('transfer_doc_no', sa.String(length=60), nullable=True),
    sa.Column('guided_to_name', sa.String(length=300), nullable=True),
    sa.Column('guidance_doc_no', sa.String(length=60), nullable=True),
    sa.Column('transferred_on', sa.Date(), nullable=True),
    sa.Column('retain_until', sa.Date(), nullable=True),
    sa.Column('previous_resolution', sa.Text(), nullable=False),
    sa.Column('result_note', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('tracking_code_hash', sa.String(length=64), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['competent_unit_id'], ['unit.id'], ),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['petition.id'], ),
    sa.ForeignKeyConstraint(['forwarded_by_unit_id'], ['unit.id'], ),
    sa.ForeignKeyConstraint(['holding_unit_id'], ['unit.id'], ),
    sa.ForeignKeyConstraint(['receiving_unit_id'], ['unit.id'], ),
    sa.ForeignKeyConstraint(['reception_id'], ['reception.id'], ),
    sa.ForeignKeyConstraint(['split_from_id'], ['petition.id'], ),
    sa.ForeignKeyConstraint(['transferred_from_id'], ['petition.id'], ),
    sa.ForeignKeyConstraint(['transferred_to_id'], ['petition.id'], ),
    sa.ForeignKeyConstraint(['transferred_to_unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('business_key'),
    sa.UniqueConstraint('receiving_unit_id', 'receipt_year', 'receipt_seq', name='uq_petition_receipt'),
    sa.UniqueConstraint('tracking_code_hash')
    )
    op.create_index(op.f('ix_petition_duplicate_of_id'), 'petition', ['duplicate_of_id'], unique=False)
    op.create_index('ix_petition_holding_status', 'petition', ['holding_unit_id', 'status'], unique=False)
    op.create_index(op.f('ix_petition_reception_id'), 'petition', ['reception_id'], unique=False)
    op.create_index('ix_petition_search_text', 'petition', ['search_text'], unique=False, postgresql_using='gin', postgresql_ops={'search_text': 'public.gin_trgm_ops'})
    op.create_index(op.f('ix_petition_split_from_id'), 'petition', ['split_from_id'], unique=False)
    op.create_index(op.f('ix_petition_transferred_from_id'), 'petition', ['transferred_from_id'], unique=False)
    op.create_index('ix_petition_unit_received', 'petition', ['receiving_unit_id', 'received_on'], unique=False)
    op.create_table('case_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=True),
    sa.Column('reception_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('doc_year', sa.Integer(), nullable=False),
    sa.Column('doc_seq', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('leaves_unit', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['petition_id'], ['petition.id'], ),
    sa.ForeignKeyConstraint(['reception_id'], ['reception.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_id', 'kind', 'doc_year', 'doc_seq', name='uq_case_document_number')
    )
    op.create_index(op.f('ix_case_document_petition_id'), 'case_document', ['petition_id'], unique=False)
    op.create_index(op.f('ix_case_document_reception_id'), 'case_document', ['reception_id'], unique=False)
    op.create_table('party',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=True),
    sa.Column('reception_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('is_representative', sa.Boolean(), nullable=False),
    sa.Column('sealed', sa.Boolean(), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=False),
    sa.Column('organisation', sa.String(length=300), nullable=False),
    sa.Column('organisation_unit_id', sa.Integer(), nullable=True),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_unit_id'], ['unit.id'], ),
    sa.ForeignKeyConstraint(['petition_id'], ['petition.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reception_id'], ['reception.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_party_petition_id'), 'party', ['petition_id'], unique=False)
    op.create_index(op.f('ix_party_reception_id'), 'party', ['reception_id'], unique=False)
    op.create_table('party_identity',
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('id_type', sa.String(length=20), nullable=True),
    sa.Column('id_number', sa.String(length=30), nullable=True),
    sa.Column('id_issued_on', sa.Date(), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('address_key', sa.String(length=500), nullable=False),
    sa.Column('id_number_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['party_id'], ['party.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('party_id')
    )
    op.create_index(op.f('ix_party_identity_id_number_hash'), 'party_identity', ['id_number_hash'], unique=False)
    op.create_index(op.f('ix_party_identity_name_key'), 'party_identity', ['name_key'], unique=False)


def downgrade() -> None:
    # Dropping a table drops its indexes. The pg_trgm extension stays: it lives in the public
    # schema and other schemas of the database may use it.
    for table in (
        "party_identity", "party", "case_document", "petition", "user_role", "reception",
        "receipt_counter", "app_user", "unit", "admin_division",
    ):
        op.drop_table(table)
