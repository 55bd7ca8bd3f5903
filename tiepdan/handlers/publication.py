"""Publication (công khai) of a complaint decision or a denunciation conclusion (NĐ 124/2020
Art 29; LTC Art 40, NĐ 31/2019 Art 6): the officer's plan (form, start, meeting notice), the
posting period of the catalogue's `publication.posting` consecutive days, the publication notice,
and its automatic close with the proof when the period has run (the diagram's timer at 24:00
local time of the last day).

A plan the law does not allow (a meeting without 3 days' written notice, a start outside the
publication limit, text holding the denouncer's identity) comes back to the planning task with
its problems. Nothing published ever holds a sealed identity: the notice leaves the unit and is
generated from the redacted view, and `plan_publication` refuses a title or a document that
reveals one.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tiepdan.cases import publications
from tiepdan.cases.documents import document_text
from tiepdan.cases.errors import CaseError
from tiepdan.cases.models import CaseDocument, Publication
from tiepdan.cases.petitions import petition_reveals
from tiepdan.cases.vocab import PUBLICATION_FORMS, label
from tiepdan.engine import audit
from tiepdan.engine.deadlines import RuleCatalogue

from . import context
from .documents import produce
from .registry import operation

POSTING_RULE = "publication.posting"
# What is published, by the publication limit the resolution named.
PUBLISHED = {
    "complaint.publish": "Quyết định giải quyết khiếu nại",
    "denunciation.publish": "Kết luận nội dung tố cáo",
}


def _day(value) -> date | None:
    if value in (None, ""):
        return None
    return date.fromisoformat(str(value)[:10])


def posting_days(ctx, starts_on: date) -> int:
    """The minimum posting period in force on `starts_on` (consecutive days, from the catalogue)."""
    rule = RuleCatalogue.load(context.processes_dir(ctx) / "rules").in_force(POSTING_RULE, starts_on)
    if rule.unit != "days":
        raise CaseError(f"Quy tắc {POSTING_RULE} phải tính theo ngày liên tục, không phải {rule.unit!r}")
    return rule.count


def _published_document(ctx, petition, number: str) -> CaseDocument | None:
    if not number:
        return None
    found = ctx.session.execute(
        select(CaseDocument).where(CaseDocument.petition_id == petition.id, CaseDocument.number == number)
    ).scalar_one_or_none()
    if found is None:
        raise CaseError(f"Không tìm thấy văn bản số {number} của đơn {petition.receipt_no} để công khai")
    if petition_reveals(petition, document_text(found)):
        raise CaseError(f"Văn bản số {number} của đơn {petition.receipt_no} chứa thông tin người tố cáo: "
                        "không được công khai")
    return found


def _plan_problems(ctx, petition, rule, decided_on, starts_on, summary) -> list[str]:
    problems = []
    if starts_on < decided_on:
        problems.append(f"Ngày bắt đầu công khai {starts_on:%d/%m/%Y} trước ngày ban hành {decided_on:%d/%m/%Y}")
    # Within the publication limit; once it has passed (the delay is escalated), from today.
    limit = context.due(ctx, rule, decided_on)
    today = context.today(ctx)
    if starts_on > max(limit, today):
        if limit >= today:
            problems.append(f"Ngày bắt đầu công khai {starts_on:%d/%m/%Y} quá thời hạn công khai (đến hết ngày {limit:%d/%m/%Y})")
        else:
            problems.append(f"Đã quá thời hạn công khai (hết ngày {limit:%d/%m/%Y}): phải công khai ngay, "
                            f"không để đến ngày {starts_on:%d/%m/%Y}")
    if petition_reveals(petition, summary):
        problems.append("Nội dung tóm tắt chứa thông tin người tố cáo: không được công khai")
    return problems


@operation("schedule_publication")
def schedule_publication(ctx) -> dict:
    """Plan the publication from the officer's form; produce its notice; {problems} if refused."""
    petition = context.petition(ctx)
    rule = ctx.data.get("publish_rule")
    if rule not in PUBLISHED:
        raise CaseError(f"Quy tắc thời hạn công khai không hợp lệ: {rule!r}")
    decided_on = _day(ctx.data.get("decided_on"))
    if decided_on is None:
        raise CaseError("Thiếu ngày ban hành quyết định, kết luận cần công khai")
    form = context.form_value(ctx, "form")
    starts_on, notice_on = _day(context.form_value(ctx, "starts_on")), _day(context.form_value(ctx, "notice_on"))
    summary = str(context.form_value(ctx, "summary", "")).strip()
    number = str(ctx.data.get("document") or "").strip()
    document = _published_document(ctx, petition, number)
    if starts_on is None:
        return {"problems": ["Phải ghi ngày bắt đầu công khai"]}
    problems = _plan_problems(ctx, petition, rule, decided_on, starts_on, summary)
    if problems:
        return {"problems": problems}
    days = posting_days(ctx, starts_on)
    title = f"{PUBLISHED[rule]}{f' số {number}' if number else ''} ngày {decided_on:%d/%m/%Y}"
    try:
        with ctx.session.begin_nested():
            planned = publications.plan_publication(
                ctx.session, petition, unit=petition.holding_unit, title=title, form=form, starts_on=starts_on,
                days=days, notice_on=notice_on, keep_in_archive=bool(ctx.data.get("keep_in_archive")), clock=ctx.clock,
            )
            method = (f"{label(PUBLICATION_FORMS, form)}, từ ngày {planned.starts_on:%d/%m/%Y} "
                      f"đến hết ngày {planned.ends_on:%d/%m/%Y}")
            notice = produce(ctx, kind="publication", template="publication_notice.docx", unit=petition.holding_unit,
                             petition=petition, leaves_unit=True,
                             extra={"doc": {"published_title": PUBLISHED[rule].lower(), "published_no": number or "…",
                                            "published_on": decided_on.isoformat(), "method": method,
                                            "summary": summary or title}})
            # What the public page offers: the decision or conclusion itself when the resolution
            # named one (checked above for the denouncer), else this notice.
            planned.document_id = document.id if document is not None else notice.id
    except CaseError as err:
        return {"problems": [str(err)]}
    return {
        "problems": [], "publication_id": planned.id, "form": form, "starts_on": planned.starts_on.isoformat(),
        "ends_on": planned.ends_on.isoformat(), "days": days, "document": notice.number,
    }


def _proof(publication: Publication) -> str:
    period = f"từ ngày {publication.starts_on:%d/%m/%Y} đến hết ngày {publication.ends_on:%d/%m/%Y}"
    if publication.form == "meeting":
        notice = f" (thông báo họp ngày {publication.notice_on:%d/%m/%Y})" if publication.notice_on else ""
        return f"Đã công bố tại cuộc họp ngày {publication.starts_on:%d/%m/%Y}{notice}; công khai {period}"
    if publication.form == "media":
        return f"Đã thông báo trên phương tiện thông tin đại chúng, cổng thông tin {period}"
    return f"Đã niêm yết tại trụ sở, nơi tiếp công dân {period}"


@operation("close_publication")
def close_publication(ctx) -> dict:
    """The period has run (24:00 local of its last day): end the publication with its proof."""
    planned = ctx.data.get("publication") or {}
    found = ctx.session.get(Publication, planned.get("publication_id"))
    if found is None:
        raise CaseError(f"Không có kế hoạch công khai {planned.get('publication_id')!r} của đơn {ctx.business_key}")
    today = context.today(ctx)
    if today <= found.ends_on:
        raise CaseError(f"Thời gian công khai chưa hết: công khai đến hết ngày {found.ends_on:%d/%m/%Y}")
    if found.status != "ended":
        publications.record_proof(found, _proof(found))
        found.status = "ended"
        audit.record(ctx.session, actor="timer", action="publication.ended", business_key=ctx.business_key,
                     instance_id=ctx.instance_id, detail={"publication": found.id, "proof": found.proof},
                     clock=ctx.clock)
    return {"ended_on": found.ends_on.isoformat(), "proof": found.proof}
