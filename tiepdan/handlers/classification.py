"""Proposing a petition's type from its text, for the officer to confirm or correct.

The law classifies by content, whatever the title (TT 05/2021 Art 6): a request to review a
decision or act that harms the petitioner is a complaint; a report of an official's unlawful act
is a denunciation; the rest is a recommendation or reflection. A letter with both kinds of
content is mixed and must be split.
"""
from __future__ import annotations

from sqlalchemy import or_, select

from tiepdan.cases import competence
from tiepdan.cases.duplicates import likely_duplicates
from tiepdan.cases.errors import CaseError
from tiepdan.cases.models import Petition, Unit
from tiepdan.cases.petitions import classify, mark_duplicate, seal_petitioners, seals
from tiepdan.cases.units import find_unit
from tiepdan.cases.withdrawals import check_not_withdrawn

from ..text import fold
from . import context
from .registry import operation

_MARKERS = {
    "complaint": ("khieu nai", "de nghi xem xet lai quyet dinh", "quyet dinh hanh chinh", "huy quyet dinh"),
    "denunciation": ("to cao", "sai pham", "nhan hoi lo", "tham nhung", "lam trai phap luat"),
    "recommendation": ("kien nghi", "phan anh", "de xuat", "gop y"),
}


def propose_type(content: str) -> tuple[str, list[str]]:
    """The proposed type and the markers that led to it (empty when nothing matched)."""
    folded = fold(content)
    hits = {kind: [m for m in markers if m in folded] for kind, markers in _MARKERS.items()}
    found = [kind for kind in ("complaint", "denunciation") if hits[kind]]
    if len(found) == 2:
        return "mixed", hits["complaint"] + hits["denunciation"]
    if found:
        return found[0], hits[found[0]]
    return "recommendation", hits["recommendation"]


@operation("propose_classification", required=("content",))
def propose_classification(ctx, content: str, petitioner_count: int = 1) -> dict:
    kind, markers = propose_type(content or "")
    return {
        "proposed_type": kind,
        "markers": markers,
        "group": int(petitioner_count or 1) >= 5,
    }


# --- the intake's classification: the handler proposes, the officer confirms -----------------

OUTCOMES = ("accept", "guide", "transfer", "archive", "split", "review")


def _subject_unit(petition: Petition) -> Unit:
    """The unit the petition is about: the respondent's body when known, else the receiver."""
    for party in petition.parties:
        if party.role == "respondent" and party.organisation_unit is not None:
            return party.organisation_unit
    return petition.holding_unit


@operation("propose_petition_classification")
def propose_petition_classification(ctx) -> dict:
    """Type, competent unit and likely duplicates, for the officer to confirm or correct."""
    petition = context.petition(ctx)
    kind, markers = propose_type(f"{petition.title} {petition.content}")
    if seals(kind):
        # Secrecy errs on the safe side: what reads as a denunciation is sealed before any
        # officer confirms it (sealing is one-way and hides nothing from those entitled).
        seal_petitioners(petition)
    rules = competence.load_rules(context.processes_dir(ctx))
    unit = competence.competent_unit(
        ctx.session, rules, _subject_unit(petition), petition_type=kind, field=petition.field, anonymous=petition.anonymous
    ) if kind != "mixed" else None
    return {
        "proposed_type": kind,
        "markers": markers,
        "group": petition.petitioner_count >= 5,
        "proposed_unit": unit.code if unit is not None else None,
        "proposed_unit_name": unit.name if unit is not None else None,
        "within_competence": None if unit is None else unit.id == petition.holding_unit_id,
        "duplicates": [
            {"business_key": c.petition.business_key, "receipt_no": c.petition.receipt_no, "score": c.score,
             "same_by": c.same_by, "status": c.petition.status}
            for c in likely_duplicates(ctx.session, petition)
        ],
    }


def _target(ctx, petition: Petition, form: dict, problems: list[str]) -> Unit | None:
    """The competent unit: the one the officer named, else the one the rules give."""
    code = form.get("competent_unit")
    if code:
        unit = find_unit(ctx.session, code)
        if unit is None:
            problems.append(f"Không có đơn vị mã {code!r}")
        return unit
    rules = competence.load_rules(context.processes_dir(ctx))
    return competence.competent_unit(
        ctx.session, rules, _subject_unit(petition), petition_type=form["petition_type"], field=form.get("field"),
        against_head=bool(form.get("against_head")), signs_of_crime=bool(form.get("signs_of_crime")),
        party_rule_breach=bool(form.get("party_rule_breach")), anonymous=petition.anonymous,
    )


def _earlier_same_content(ctx, petition: Petition, form: dict) -> Petition | None:
    key = form.get("duplicate_of")
    if not key:
        return None
    return ctx.session.execute(
        select(Petition).where(or_(Petition.receipt_no == key, Petition.business_key == key))
        .where(or_(Petition.receiving_unit_id == petition.receiving_unit_id,
                   Petition.holding_unit_id == petition.holding_unit_id))
    ).scalar_one_or_none()


def classification_problems(ctx, petition: Petition, form: dict) -> tuple[list[str], Unit | None, Petition | None]:
    """What is wrong with the officer's classification (Vietnamese, one line each), the target
    unit of a transfer or acceptance, and the earlier petition of the same content."""
    problems: list[str] = []
    outcome, kind = form.get("outcome"), form.get("petition_type")
    reasons = list(form.get("reasons") or [])
    within = form.get("within_competence") == "yes"
    crime, party = bool(form.get("signs_of_crime")), bool(form.get("party_rule_breach"))
    earlier = _earlier_same_content(ctx, petition, form)
    if form.get("duplicate_of") and earlier is None:
        problems.append(f"Không tìm thấy đơn {form['duplicate_of']!r} của đơn vị để đánh dấu trùng")
    if earlier is not None and earlier.id == petition.id:
        problems.append("Một đơn không thể trùng với chính nó")
    if "duplicate" in reasons and not form.get("duplicate_of"):
        problems.append("Lưu đơn trùng: phải ghi số đơn đã nhận trước")
    target = None
    if outcome == "split":
        if kind != "mixed":
            problems.append("Chỉ tách đơn khi đơn có nhiều nội dung khác nhau")
        return problems, None, earlier
    if kind == "mixed":
        problems.append("Đơn có nhiều nội dung phải được tách trước khi xử lý")
    if outcome == "archive":
        if not reasons:
            problems.append("Lưu đơn phải nêu ít nhất một lý do")
        return problems, None, earlier
    if reasons:
        problems.append("Đơn không đủ điều kiện xử lý thì chỉ được lưu đơn")
    problems += _withdrawn_before(ctx, petition)
    if crime and outcome != "transfer":
        problems.append("Đơn có dấu hiệu tội phạm phải chuyển ngay cho cơ quan điều tra")
    if outcome == "accept":
        if petition.anonymous and kind == "denunciation":
            problems.append("Tố cáo nặc danh không được thụ lý giải quyết theo thủ tục tố cáo (Luật Tố cáo Điều 25): "
                            "chuyển cơ quan thanh tra làm thông tin thanh tra, kiểm tra, hoặc lưu đơn")
        if not within:
            problems.append("Chỉ thụ lý đơn thuộc thẩm quyền của đơn vị")
        return problems, petition.holding_unit, earlier
    if outcome == "review":
        if kind != "denunciation":
            problems.append("Chỉ đơn tố cáo tiếp mới trình lãnh đạo xem xét tố cáo tiếp")
        if petition.anonymous:
            problems.append("Tố cáo nặc danh không được xem xét theo thủ tục tố cáo tiếp")
        if not within:
            problems.append("Chỉ xem xét tố cáo tiếp khi đơn vị là cấp trên trực tiếp của người đã giải quyết")
        return problems, petition.holding_unit, earlier
    if within and not (crime or party):
        problems.append("Đơn thuộc thẩm quyền: thụ lý, không hướng dẫn hay chuyển đơn")
    if outcome == "guide":
        if kind != "complaint":
            problems.append("Hướng dẫn chỉ dành cho khiếu nại không thuộc thẩm quyền; tố cáo, kiến nghị thì chuyển đơn")
        if not form.get("guided_to"):
            problems.append("Phải ghi tên cơ quan có thẩm quyền để hướng dẫn công dân")
        if earlier is not None and earlier.guided_to_name:
            problems.append(
                f"Nội dung này đã được hướng dẫn một lần (đơn {earlier.receipt_no}, {earlier.guided_to_name}): lưu đơn"
            )
        return problems, None, earlier
    if outcome == "transfer":
        if kind == "complaint" and not (crime or party):
            problems.append("Khiếu nại không thuộc thẩm quyền thì hướng dẫn, không chuyển đơn")
        target = _target(ctx, petition, form, problems)
        if target is None and not problems:
            problems.append("Không xác định được cơ quan có thẩm quyền trên hệ thống: hãy ghi mã đơn vị nhận")
        elif target is not None and target.id == petition.holding_unit_id:
            problems.append("Không thể chuyển đơn cho chính đơn vị mình")
        for prior in filter(None, (petition, earlier)):
            if prior.transferred_to_unit_id is not None:
                problems.append(
                    f"Nội dung này đã được chuyển một lần (đơn {prior.receipt_no} chuyển "
                    f"{prior.transferred_to_unit.name}): không chuyển lần thứ hai, lưu đơn"
                )
        if petition.transferred_from_id is not None and target is not None:
            origin = ctx.session.get(Petition, petition.transferred_from_id)
            if origin is not None and origin.holding_unit_id == target.id:
                problems.append(f"Đơn do {origin.holding_unit.name} chuyển đến: không chuyển trả lại")
        return problems, target, earlier
    problems.append(f"Hướng xử lý không hợp lệ: {outcome!r}")
    return problems, None, earlier


def _withdrawn_before(ctx, petition: Petition) -> list[str]:
    """A content the same petitioner withdrew from an earlier case cannot come back (LKN Art 10):
    the officer archives it instead of processing it."""
    problems = []
    for candidate in likely_duplicates(ctx.session, petition):
        try:
            check_not_withdrawn(ctx.session, candidate.petition, petition.content)
        except CaseError as refused:
            problems.append(f"{refused}: lưu đơn")
    return problems


@operation("record_classification")
def record_classification(ctx) -> dict:
    """Check the officer's classification; when it holds, record it on the petition.

    Nothing is written when there are problems: the diagram sends the officer back to the form
    with them listed."""
    petition = context.petition(ctx)
    form = {name: ctx.data.get(name) for name in (
        "petition_type", "field", "reasons", "within_competence", "competent_unit", "against_head",
        "signs_of_crime", "party_rule_breach", "duplicate_of", "guided_to", "outcome", "petitioner_count",
    )}
    problems, target, earlier = classification_problems(ctx, petition, form)
    if problems:
        return {"outcome": form["outcome"], "problems": problems}
    reasons = list(form["reasons"] or [])
    classify(
        ctx.session, petition, petition_type=form["petition_type"], field=form["field"],
        eligible=not reasons, reasons=reasons, within_competence=form["within_competence"] == "yes",
        competent_unit=target, petitioner_count=form["petitioner_count"], clock=ctx.clock,
    )
    if earlier is not None:
        mark_duplicate(petition, earlier, clock=ctx.clock)
    return {
        "outcome": form["outcome"],
        "problems": [],
        "petition_type": form["petition_type"],
        "target_unit": target.code if target is not None else None,
        "target_on_system": bool(target is not None and target.on_system),
    }
