"""Publication (công khai) of a complaint decision or a denunciation conclusion.

One of the forms of NĐ 124/2020 Art 29(3) and LTC Art 40 / NĐ 31 Art 6: a meeting (with
written notice at least 3 days before), posting at the office or reception place, or the media
or portal. The period runs for `days` consecutive days, the start day included, so it ends on
``starts_on + days - 1``; the caller passes the catalogue's ``publication.posting`` count (15),
the number being data. A publication is planned, running while its period runs, then ended;
an ended one kept in the archive stays on the public page's archive.

What is published never reveals a denouncer: a title or a document holding a sealed identity of
the petition is refused (the same lock as `documents.issue_document` for what leaves the unit).
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan.engine.clock import Clock

from .errors import CaseError
from .models import CaseDocument, Petition, Publication, Unit
from .documents import document_text
from .petitions import petition_reveals
from .units import get_unit
from .vocab import PUBLICATION_FORMS

MEETING_NOTICE_DAYS = 3


def plan_publication(
    session: Session,
    petition: Petition,
    *,
    unit: Unit | str,
    title: str,
    form: str,
    starts_on: date,
    days: int,
    notice_on: date | None = None,
    document: CaseDocument | None = None,
    keep_in_archive: bool = True,
    clock: Clock | None = None,
) -> Publication:
    """Plan the publication of `document` (the decision or conclusion) in `form` from
    `starts_on` for `days` consecutive days. Running at once if it starts today or earlier."""
    clock = clock or Clock()
    unit = get_unit(session, unit)
    if form not in PUBLICATION_FORMS:
        raise CaseError(f"Hình thức công khai không hợp lệ: {form!r} (cho phép: {', '.join(PUBLICATION_FORMS)})")
    title = (title or "").strip()
    if not title:
        raise CaseError("Phải ghi tiêu đề nội dung công khai")
    if days < 1:
        raise CaseError(f"Thời gian công khai phải từ 1 ngày trở lên, không phải {days}")
    if form == "meeting":
        if notice_on is None:
            raise CaseError("Công khai tại cuộc họp phải có ngày thông báo bằng văn bản cho người tham dự")
        if notice_on > starts_on - timedelta(days=MEETING_NOTICE_DAYS):
            raise CaseError(
                f"Thông báo họp ngày {notice_on:%d/%m/%Y} phải trước ngày họp {starts_on:%d/%m/%Y} "
                f"ít nhất {MEETING_NOTICE_DAYS} ngày"
            )
    if document is not None and document.petition_id != petition.id:
        raise CaseError(f"Văn bản {document.number} không thuộc đơn {petition.receipt_no}")
    if petition_reveals(petition, title) or (
        document is not None and petition_reveals(petition, document_text(document))
    ):
        raise CaseError(f"Nội dung công khai của đơn {petition.receipt_no} chứa thông tin người tố cáo: không được công khai")
    publication = Publication(
        petition_id=petition.id,
        document_id=document.id if document is not None else None,
        unit=unit,
        title=title,
        form=form,
        notice_on=notice_on,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=days - 1),
        keep_in_archive=keep_in_archive,
        proof="",
        status="running" if starts_on <= clock.today() else "planned",
        created_at=clock.now(),
    )
    session.add(publication)
    session.flush()
    return publication


def record_proof(publication: Publication, proof: str) -> Publication:
    """Attach the proof of publication (minutes of the meeting, posting record, link, issue)."""
    proof = (proof or "").strip()
    if not proof:
        raise CaseError("Phải ghi rõ chứng cứ đã công khai (biên bản, đường dẫn, số báo...)")
    publication.proof = proof
    return publication


def current_publications(session: Session, on: date) -> list[Publication]:
    """The publications whose period includes `on` and that have not been ended, by start."""
    return list(
        session.execute(
            select(Publication)
            .where(Publication.status != "ended", Publication.starts_on <= on, Publication.ends_on >= on)
            .order_by(Publication.starts_on, Publication.id)
        ).scalars()
    )


def archived_publications(session: Session, on: date) -> list[Publication]:
    """Ended publications kept in the archive whose period was over before `on`, newest first."""
    return list(
        session.execute(
            select(Publication)
            .where(Publication.status == "ended", Publication.keep_in_archive.is_(True), Publication.ends_on < on)
            .order_by(Publication.ends_on.desc(), Publication.id.desc())
        ).scalars()
    )


def start_due_publications(session: Session, on: date) -> list[Publication]:
    """Mark the planned publications whose period has begun by `on` as running; returns them."""
    due = list(
        session.execute(
            select(Publication).where(Publication.status == "planned", Publication.starts_on <= on)
            .order_by(Publication.id)
        ).scalars()
    )
    for publication in due:
        publication.status = "running"
    session.flush()
    return due


def end_due_publications(session: Session, on: date) -> list[Publication]:
    """Mark the publications whose period ran out before `on` as ended; returns them."""
    due = []
    for status in ("planned", "running"):  # two equality lookups on (status, ends_on)
        due += session.execute(
            select(Publication).where(Publication.status == status, Publication.ends_on < on)
        ).scalars()
    for publication in due:
        publication.status = "ended"
    session.flush()
    return sorted(due, key=lambda p: p.id)
