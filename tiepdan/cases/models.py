"""The case file's tables: divisions, units, users, petitions, parties, identities, receptions,
documents.

Conventions (see shared/design.md): datetimes are naive UTC, legal dates are `date`, codes are
short strings whose labels live in `tiepdan.cases.vocab` or in the data files. Identities live in
`party_identity`, apart from the case, so that every query that does not join it is free of
personal data; a denouncer's identity is additionally *sealed* (see `tiepdan.cases.identity`).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tiepdan.engine.db import Base

# ---------------------------------------------------------------------------------------------
# Organisation
# ---------------------------------------------------------------------------------------------


class AdminDivision(Base):
    """An administrative division after the 2025 reform (34 provinces, 3,321 communes), imported
    from the `vietnam-provinces` package. Codes are the official GSO codes as zero-padded strings:
    two digits for a province ("79"), five for a commune/ward/special zone ("26734"), so the two
    never collide."""

    __tablename__ = "admin_division"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # tỉnh | thành phố trung ương | xã | phường | đặc khu (the package's VietNamDivisionType values)
    division_type: Mapped[str] = mapped_column(String(30))
    level: Mapped[str] = mapped_column(String(10))  # province | commune
    codename: Mapped[str] = mapped_column(String(100))
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    source: Mapped[str] = mapped_column(String(50), default="")


class Unit(Base):
    """A body in the organisation tree: on the system (it works in tiepdan) or an outside body
    that petitions are transferred to.

    `code` is the stable identifier the engine stores as `unit_id`. `path` is the materialised
    path of ids (8 digits and a dot per level, root first, e.g. "00000001.00000007."), so a
    subtree is one indexed range scan; see `tiepdan.cases.units.subtree_filter`.
    """

    __tablename__ = "unit"
    __table_args__ = (Index("ix_unit_province_kind", "province_code", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    # Used in receipt numbers and document numbers: "UBND", "TTr", "BTCD", "SNNMT", ...
    abbreviation: Mapped[str] = mapped_column(String(30), default="")
    kind: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(10))
    # What a department covers (agriculture_environment, construction, health, ...): the
    # competence rules route recommendations by field to it.
    function: Mapped[str | None] = mapped_column(String(50), nullable=True)
    head_title: Mapped[str] = mapped_column(String(100), default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), nullable=True, index=True)
    path: Mapped[str] = mapped_column(String(255), index=True, default="")
    depth: Mapped[int] = mapped_column(Integer, default=0)
    province_code: Mapped[str | None] = mapped_column(String(2), nullable=True)
    division_code: Mapped[str | None] = mapped_column(
        ForeignKey("admin_division.code"), nullable=True, index=True
    )
    on_system: Mapped[bool] = mapped_column(Boolean, default=True)
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    parent: Mapped["Unit | None"] = relationship(remote_side=[id], lazy="joined", join_depth=1)

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name!r}>"


class User(Base):
    """A person who works in tiepdan, in one unit, holding one or more roles there."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    # Hashing and login are issue 6's; the column is here so that the table is final.
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    unit: Mapped[Unit] = relationship(lazy="joined")
    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> set[str]:
        return {r.role for r in self.role_rows}

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class UserRole(Base):
    """One role (a code of processes/roles.yaml) held by a user in the user's unit."""

    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(50), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


# ---------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------


class ReceiptCounter(Base):
    """The last number given out in one series, per unit and year; the allocating transaction
    locks the row (FOR UPDATE), so numbers are unique and without gaps."""

    __tablename__ = "receipt_counter"

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    # petition (số đơn) | documents (giấy biên nhận, Mẫu 02/TCD)
    series: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


# ---------------------------------------------------------------------------------------------
# Reception sessions and petitions
# ---------------------------------------------------------------------------------------------


class Reception(Base):
    """A reception session (lượt tiếp công dân): who received whom, when, and what came of it."""

    __tablename__ = "reception"
    __table_args__ = (Index("ix_reception_unit_day", "unit_id", "received_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    received_on: Mapped[date] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    received_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    is_leader_session: Mapped[bool] = mapped_column(Boolean, default=False)
    location: Mapped[str] = mapped_column(String(300), default="")
    citizen_count: Mapped[int] = mapped_column(Integer, default=1)
    # vocab.IDENTITY_CHECKS
    identity_check: Mapped[str | None] = mapped_column(String(30), nullable=True)
    identity_note: Mapped[str] = mapped_column(Text, default="")
    refused: Mapped[bool] = mapped_column(Boolean, default=False)
    # a code of data/refusal_grounds.yaml
    refusal_ground: Mapped[str | None] = mapped_column(String(50), nullable=True)
    refusal_note: Mapped[str] = mapped_column(Text, default="")
    # The written record of what the citizen said when there is no letter (LTCD Art 25(2)).
    record_text: Mapped[str] = mapped_column(Text, default="")
    record_read_back: Mapped[bool] = mapped_column(Boolean, default=False)
    # vocab.RECORD_CONFIRMATIONS
    record_confirmation: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # [{"name": ..., "pages": 3, "original": false}], acknowledged by the receipt (Mẫu 02/TCD)
    documents: Mapped[list] = mapped_column(JSON, default=list)
    documents_receipt_no: Mapped[str | None] = mapped_column(String(60), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100), default="")

    unit: Mapped[Unit] = relationship(lazy="joined")
    received_by: Mapped[User] = relationship(lazy="joined")


class Petition(Base):
    """A petition (đơn): the case's root record. One per content: a mixed letter is split."""

    __tablename__ = "petition"
    __table_args__ = (
        UniqueConstraint("receiving_unit_id", "receipt_year", "receipt_seq", name="uq_petition_receipt"),
        Index("ix_petition_unit_received", "receiving_unit_id", "received_on"),
        Index("ix_petition_holding_status", "holding_unit_id", "status"),
        # A trigram index on PostgreSQL makes LIKE '%...%' an index search; SQLite, which has
        # no such index type, gets a plain one (LIKE with a leading % scans there regardless).
        Index(
            "ix_petition_search_text",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "public.gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # "<unit code>/<year>/<seq>": the engine instance's business key, unique across units.
    business_key: Mapped[str] = mapped_column(String(100), unique=True)
    # "<seq>/<year>/TCD-<unit abbreviation>", unique per receiving unit and year.
    receipt_no: Mapped[str] = mapped_column(String(60))
    receipt_year: Mapped[int] = mapped_column(Integer)
    receipt_seq: Mapped[int] = mapped_column(Integer)
    receiving_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    # The unit that has the case now (receiving unit, or the resolving unit after acceptance).
    holding_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    reception_id: Mapped[int | None] = mapped_column(ForeignKey("reception.id"), nullable=True, index=True)
    channel: Mapped[str] = mapped_column(String(20))
    forwarded_by_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), nullable=True)
    forwarded_by_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    forward_doc_no: Mapped[str | None] = mapped_column(String(60), nullable=True)
    forward_doc_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    received_on: Mapped[date] = mapped_column(Date)  # the local (Vietnam) date of receipt
    letter_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    content: Mapped[str] = mapped_column(Text)
    # A field code of processes/competence.yaml (land, construction, ...), when known.
    field: Mapped[str | None] = mapped_column(String(50), nullable=True)
    petition_type: Mapped[str | None] = mapped_column(String(20), nullable=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    eligible: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    eligibility_reasons: Mapped[list] = mapped_column(JSON, default=list)
    within_competence: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    competent_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), nullable=True)
    petitioner_count: Mapped[int] = mapped_column(Integer, default=1)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("petition.id"), nullable=True, index=True)
    split_from_id: Mapped[int | None] = mapped_column(ForeignKey("petition.id"), nullable=True, index=True)
    transferred_from_id: Mapped[int | None] = mapped_column(ForeignKey("petition.id"), nullable=True, index=True)
    transferred_to_id: Mapped[int | None] = mapped_column(ForeignKey("petition.id"), nullable=True)
    transferred_to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), nullable=True)
    transfer_doc_no: Mapped[str | None] = mapped_column(String(60), nullable=True)
    guided_to_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    guidance_doc_no: Mapped[str | None] = mapped_column(String(60), nullable=True)
    transferred_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # An archived petition is kept until this day (archive.retention), then may be destroyed.
    retain_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Register columns "Cơ quan đã giải quyết", "Theo dõi kết quả", "Ghi chú".
    previous_resolution: Mapped[str] = mapped_column(Text, default="")
    result_note: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="registered")
    # 1 for a first-instance complaint (and every other petition), 2 for a second-instance one.
    instance_level: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The day the case was accepted for resolution (thụ lý), the day its decision or conclusion
    # was signed, and what it found (upheld, partly_upheld, rejected: right, partly, wrong);
    # reports 03/GQKN and 04/GQTC count by these days.
    accepted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    decision_outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # The first-instance petition a second-instance complaint appeals.
    appeal_of_id: Mapped[int | None] = mapped_column(ForeignKey("petition.id"), nullable=True, index=True)
    # sha256 of the secret code given to the citizen; the code itself is never stored.
    tracking_code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    # Folded (lower case, no diacritics) receipt number, content and the names that may be
    # searched; never a sealed identity (see petitions.refresh_search_text).
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    receiving_unit: Mapped[Unit] = relationship(foreign_keys=[receiving_unit_id], lazy="joined")
    holding_unit: Mapped[Unit] = relationship(foreign_keys=[holding_unit_id], lazy="joined")
    competent_unit: Mapped[Unit | None] = relationship(foreign_keys=[competent_unit_id])
    forwarded_by_unit: Mapped[Unit | None] = relationship(foreign_keys=[forwarded_by_unit_id])
    transferred_to_unit: Mapped[Unit | None] = relationship(foreign_keys=[transferred_to_unit_id])
    reception: Mapped[Reception | None] = relationship(back_populates="petitions")
    parties: Mapped[list["Party"]] = relationship(
        back_populates="petition", order_by="Party.ordinal", foreign_keys="Party.petition_id"
    )

    def __repr__(self) -> str:
        return f"<Petition {self.receipt_no} ({self.business_key})>"


Reception.petitions = relationship(Petition, back_populates="reception", order_by=Petition.id)

# The trigram operator class of the search index. Always created in (and named from) the public
# schema, whatever the connection's search_path, so that every schema of a database shares one
# extension. pg_trgm ships with PostgreSQL and is a trusted extension (PostgreSQL 13+): a
# database owner may create it. Migration 0002 does the same.
PG_TRGM_DDL = "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"
event.listen(Petition.__table__, "before_create", DDL(PG_TRGM_DDL).execute_if(dialect="postgresql"))


class Party(Base):
    """A petitioner, an authorised representative or a respondent of a petition, or a citizen
    received in a session. Holds no personal data: that is in `party_identity`."""

    __tablename__ = "party"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[int | None] = mapped_column(
        ForeignKey("petition.id", ondelete="CASCADE"), nullable=True, index=True
    )
    reception_id: Mapped[int | None] = mapped_column(ForeignKey("reception.id"), nullable=True, index=True)
    role: Mapped[str] = mapped_column(String(30))  # vocab.PARTY_ROLES
    kind: Mapped[str] = mapped_column(String(20), default="person")  # vocab.PARTY_KINDS
    # Appointed representative of a group (LTCD Art 30): one of the petitioners.
    is_representative: Mapped[bool] = mapped_column(Boolean, default=False)
    # A denouncer's identity: shown only through identity.reveal_identity (audited).
    sealed: Mapped[bool] = mapped_column(Boolean, default=False)
    # For a respondent: position and the body where he or she works.
    position: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(300), default="")
    organisation_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), nullable=True)
    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    petition: Mapped[Petition | None] = relationship(back_populates="parties", foreign_keys=[petition_id])
    reception: Mapped[Reception | None] = relationship()
    organisation_unit: Mapped[Unit | None] = relationship()
    identity: Mapped["PartyIdentity | None"] = relationship(
        back_populates="party", uselist=False, cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Party {self.id} {self.role}{' sealed' if self.sealed else ''}>"


class PartyIdentity(Base):
    """Personal data of one party, kept apart from the case. The keys (`name_key`,
    `address_key`, `id_number_hash`) serve duplicate detection through indexed lookups."""

    __tablename__ = "party_identity"

    party_id: Mapped[int] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500), default="")
    id_type: Mapped[str | None] = mapped_column(String(20), nullable=True)  # vocab.ID_TYPES
    id_number: Mapped[str | None] = mapped_column(String(30), nullable=True)
    id_issued_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # References to stored files: signature/handwriting samples, scans of papers.
    files: Mapped[list] = mapped_column(JSON, default=list)
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    address_key: Mapped[str] = mapped_column(String(500), default="")
    id_number_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)

    party: Mapped[Party] = relationship(back_populates="identity")


class CaseDocument(Base):
    """A document the case produced (receipt, notice, slip, proposal), as generated, with its
    number in the issuing unit's series for its kind and year ("3/2026/PC-UBND").

    The content is stored in the row, so a document commits or rolls back with the step that
    made it. `leaves_unit` marks what is sent outside the unit (a transfer slip, a notice to the
    citizen): such a document is generated from the redacted view and never holds a sealed
    identity."""

    __tablename__ = "case_document"
    __table_args__ = (UniqueConstraint("unit_id", "kind", "doc_year", "doc_seq", name="uq_case_document_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petition.id"), nullable=True, index=True)
    reception_id: Mapped[int | None] = mapped_column(ForeignKey("reception.id"), nullable=True, index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    kind: Mapped[str] = mapped_column(String(20))  # a code of documents.DOCUMENT_KINDS
    number: Mapped[str] = mapped_column(String(60))
    doc_year: Mapped[int] = mapped_column(Integer)
    doc_seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    leaves_unit: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100), default="")

    unit: Mapped[Unit] = relationship(lazy="joined")


# ---------------------------------------------------------------------------------------------
# Resolution records (issue 5): the clock, withdrawals, publication, execution follow-up
# ---------------------------------------------------------------------------------------------


class CaseClockEvent(Base):
    """A decision that moves a case's statutory clock: suspension (tạm đình chỉ), continuation
    (tiếp tục giải quyết) or extension (gia hạn). The closed pauses and the extension grants that
    `tiepdan.engine.deadlines.Deadlines.due` takes are read from these rows
    (`tiepdan.cases.clock.adjustments`)."""

    __tablename__ = "case_clock_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petition.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # vocab.CLOCK_EVENT_KINDS
    on_date: Mapped[date] = mapped_column(Date)  # the decision's date
    # vocab.COMPLEXITIES, for an extension
    complexity: Mapped[str | None] = mapped_column(String(30), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    decision_no: Mapped[str | None] = mapped_column(String(60), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100), default="")

    petition: Mapped[Petition] = relationship()


class Withdrawal(Base):
    """A petitioner's withdrawal (rút đơn) of the whole petition or of part of its content."""

    __tablename__ = "withdrawal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petition.id"), index=True)
    on_date: Mapped[date] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(String(10))  # vocab.WITHDRAWAL_SCOPES
    content: Mapped[str] = mapped_column(Text, default="")  # what is withdrawn
    # The withdrawal was forced or threatened out of the petitioner (LTC Art 33; LKN Art 10 as amended).
    coerced: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100), default="")

    petition: Mapped[Petition] = relationship()


class Publication(Base):
    """The publication (công khai) of a decision or conclusion: form, period, proof."""

    __tablename__ = "publication"
    __table_args__ = (
        Index("ix_publication_status_ends", "status", "ends_on"),
        Index("ix_publication_unit_starts", "unit_id", "starts_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petition.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("case_document.id"), nullable=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    title: Mapped[str] = mapped_column(String(300))
    form: Mapped[str] = mapped_column(String(20))  # vocab.PUBLICATION_FORMS
    # For a meeting: the day the participants were notified (at least 3 days before).
    notice_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # inclusive
    keep_in_archive: Mapped[bool] = mapped_column(Boolean, default=True)
    proof: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="planned")  # vocab.PUBLICATION_STATUSES
    created_at: Mapped[datetime] = mapped_column(DateTime)

    petition: Mapped[Petition] = relationship()
    document: Mapped[CaseDocument | None] = relationship()
    unit: Mapped[Unit] = relationship(lazy="joined")


class ExecutionItem(Base):
    """One obligation of an effective decision or conclusion (thi hành): who must do what by
    when, and what came of it."""

    __tablename__ = "execution_item"
    __table_args__ = (Index("ix_execution_item_done_due", "done_on", "due_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petition.id"), index=True)
    obligor: Mapped[str] = mapped_column(String(300))
    obligor_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), nullable=True)
    action: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    result: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100), default="")

    petition: Mapped[Petition] = relationship()
    obligor_unit: Mapped[Unit | None] = relationship()


# ---------------------------------------------------------------------------------------------
# Sign-in (issue 6)
# ---------------------------------------------------------------------------------------------


class LoginAttempt(Base):
    """One failed sign-in: the web UI refuses a username or an address with too many recent
    failures (webui.ratelimit). Kept in the database, not in memory, so that the limit holds
    across every web process; rows older than a day are pruned as new ones are written."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "at"),
        Index("ix_login_attempt_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    # As typed, stripped and lower-cased (it need not name an existing user).
    username: Mapped[str] = mapped_column(String(100))
    ip: Mapped[str] = mapped_column(String(64))


# ---------------------------------------------------------------------------------------------
# REST API access (issue 6)
# ---------------------------------------------------------------------------------------------


class ApiToken(Base):
    """A bearer token for the REST API (webui.api), made by its user on the page "Mã truy cập
    API" and shown once: only its sha256 is kept. A request with it acts as that user, with the
    same rights and unit scope; a revoked token, or one whose user is inactive, answers 401."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(lazy="joined")


# ---------------------------------------------------------------------------------------------
# The task page and the case file (issue 6): drafts, comments, attachments
# ---------------------------------------------------------------------------------------------


class TaskDraft(Base):
    """An officer's unfinished input on a task's form ("Lưu nháp"), as typed and unvalidated:
    {field name: [values]}. One per task and user; dropped when the task is completed."""

    __tablename__ = "task_draft"
    __table_args__ = (UniqueConstraint("task_id", "username", name="uq_task_draft_task_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[str] = mapped_column(String(64), index=True)
    business_key: Mapped[str] = mapped_column(String(100))
    username: Mapped[str] = mapped_column(String(100))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class CaseComment(Base):
    """A note an officer leaves on a case (from its task page or its case file)."""

    __tablename__ = "case_comment"
    __table_args__ = (Index("ix_case_comment_key_created", "business_key", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_key: Mapped[str] = mapped_column(String(100))
    # The task it was written on, if any.
    task_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    author: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Attachment(Base):
    """A file an officer attached to a case. The bytes live on disk under
    <var>/attachments/<first two hex digits of the sha256>/<sha256> (identical files share
    one copy); this row holds what the download needs and who may ask (by the case)."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_key: Mapped[str] = mapped_column(String(100), index=True)
    task_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100))
    uploaded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class SavedView(Base):
    """An inbox view a user saved under a name: which list and which filters (a query string)."""

    __tablename__ = "saved_view"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_view_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    query: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Notification(Base):
    """A message shown to one user in the app (the bell): an escalation digest, ... `key` makes
    writing it idempotent (e.g. "digest:<username>:<date>": a digest run twice writes one)."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    read_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class OutboxMessage(Base):
    """An e-mail waiting to be sent (transactional outbox): written in the transaction that
    decides to send it, delivered later by `cases.outbox.send_pending`, retried with backoff,
    never sent again once marked sent. `idempotency_key` keeps a re-run from queueing it twice."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    recipient: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # pending -> sending (claimed by a sender) -> sent | pending (retry later) | failed (gave up)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


# ---------------------------------------------------------------------------------------------
# Reception schedules and duty plans (issue 9)
# ---------------------------------------------------------------------------------------------


class ReceptionSchedule(Base):
    """One periodic reception day of a unit's leader (lịch tiếp công dân định kỳ, LTCD Art 24):
    when, where, who receives and in which capacity (the head, or a deputy whose session does
    not count towards the head's minimum). A postponement keeps the first date in
    `postponed_from` and the reason; `posted_on` is the local day the current date was entered,
    to tell a session entered too late to be posted 5 working days ahead."""

    __tablename__ = "reception_schedule"
    __table_args__ = (Index("ix_reception_schedule_unit_day", "unit_id", "day"),
                      Index("ix_reception_schedule_day", "day"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    day: Mapped[date] = mapped_column(Date)
    # "HH:MM", local time (sorts as text)
    starts_at: Mapped[str] = mapped_column(String(5))
    ends_at: Mapped[str] = mapped_column(String(5))
    place: Mapped[str] = mapped_column(String(300))
    leader_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    leader_title: Mapped[str] = mapped_column(String(10))  # vocab.LEADER_TITLES
    topics: Mapped[str] = mapped_column(Text, default="")
    postponed_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    postpone_reason: Mapped[str] = mapped_column(Text, default="")
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    posted_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100), default="")

    unit: Mapped[Unit] = relationship(lazy="joined")
    leader: Mapped[User] = relationship(lazy="joined")


class DutyPlan(Base):
    """A plan for citizen reception over a special period (Tết, a National Assembly session, an
    event): what each unit involved does, and who is on duty each day (`DutyRoster`)."""

    __tablename__ = "duty_plan"
    __table_args__ = (Index("ix_duty_plan_unit_starts", "unit_id", "starts_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))  # the unit that issues the plan
    number: Mapped[str] = mapped_column(String(60), default="")  # "12/KH-UBND", once issued
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))  # vocab.DUTY_PLAN_KINDS
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # inclusive
    purpose: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100), default="")

    unit: Mapped[Unit] = relationship(lazy="joined")
    duties: Mapped[list["DutyPlanUnit"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="DutyPlanUnit.ordinal"
    )
    roster: Mapped[list["DutyRoster"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="(DutyRoster.day, DutyRoster.id)"
    )


class DutyPlanUnit(Base):
    """A unit involved in a duty plan and its duties, as the plan's text assigns them."""

    __tablename__ = "duty_plan_unit"
    __table_args__ = (UniqueConstraint("plan_id", "unit_id", name="uq_duty_plan_unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("duty_plan.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    duties: Mapped[str] = mapped_column(Text)
    ordinal: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[DutyPlan] = relationship(back_populates="duties")
    unit: Mapped[Unit] = relationship(lazy="joined")


class DutyRoster(Base):
    """One officer on duty on one day of a plan, with the phone number to reach them (shown
    on internal pages only, never on a public one)."""

    __tablename__ = "duty_roster"
    __table_args__ = (
        UniqueConstraint("plan_id", "day", "user_id", name="uq_duty_roster_day_user"),
        Index("ix_duty_roster_user_day", "user_id", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("duty_plan.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    phone: Mapped[str] = mapped_column(String(30))
    task: Mapped[str] = mapped_column(String(300), default="")  # where and what: "Trực tại Ban Tiếp công dân"

    plan: Mapped[DutyPlan] = relationship(back_populates="roster")
    user: Mapped[User] = relationship(lazy="joined")
