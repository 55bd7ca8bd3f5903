"""Periodic reports (báo cáo định kỳ, TT 06/2025/TT-TTCP): forms 01/TCD, 02/XLD, 03/GQKN,
04/GQTC, 05/KQTH (execution of decisions) and 06/QLKNTC (state management) computed from the
case file for a unit and its subtree.

Periods come from processes/reporting.yaml: the cut-off rule of TT 02/2021 Art 7 (kept by
TT 01/2024), from the 15th of the month before the period's first month to the 14th of its last
month (Q1 and the 6-month, 9-month and annual reports start on 15/12 of the previous year). The
TT 06/2025 cut-offs are not verified [NV]; the file says so and may be corrected as data.

The official column lists of TT 06/2025's forms are not known exactly (law-notes §7: "Columns:
[NV]"). The rows below follow the structure of TT 02/2021's forms as described there — sessions
and people received (regular and by leaders, group sessions), petitions by channel, type,
conditions and outcome, complaints and denunciations by stage — at the granularity the case file
records. Each form is a list of rows (code, Vietnamese label, value); a value is always a count,
or None where the case file does not hold the figure (the row says so): no cell ever holds a
name, an address, an ID number or any text from a case.

Every figure is one SQL aggregation (COUNT(CASE WHEN ...) over the period's rows of the
subtree); no case row is loaded into Python. What the figures mean, given the records kept:

- 01/TCD counts reception sessions (`reception`) held by the subtree's units in the period, and
  the petitions those sessions produced. A "group" (đoàn đông người) is a session of 5 or more
  citizens (LTCD Art 30). "Old matter" (vụ việc cũ) is a petition marked as a duplicate.
- 02/XLD counts petitions received by the subtree's units in the period (`receiving_unit_id`,
  `received_on`) by their current classification and outcome. A petition transferred between two
  units of the subtree is a petition record in each, so it counts once per unit (as each unit's
  own report would); the carry-over from the previous period is not reported.
- 03/GQKN and 04/GQTC count the complaints and denunciations whose holding (resolving) unit is
  in the subtree, each figure by its own date: received (`received_on`), accepted (`accepted_on`,
  set when the head accepts the petition, or at the appeal for a second instance), decided or
  concluded (`decided_on`, with `decision_outcome`: right, partly right, wrong), withdrawn,
  suspended, extended (the dates of those decisions), sent to the investigation body
  (`transferred_on`). "Carried over" was accepted before the period and not decided at its start;
  "in progress" was accepted and not decided at its end (neither withdrawn nor terminated).
  "Overdue" is an in-progress case with an open workflow task due before the period's end.
  Migration 0011 back-filled the dates for cases older than these columns.
- 05/KQTH (execution of complaint decisions and denunciation conclusions) and 06/QLKNTC (state
  management of reception and petitions) carry TT 06/2025's codes (law-notes §7); their columns
  are not known either, so their rows follow what TT 02/2021's forms on execution and state
  management count, as far as the case file records it (see the row lists below): obligations
  of effective decisions (`execution_item`) for 05, units, officers, leaders' sessions and
  publications for 06; inspections, training and directives are not recorded (None).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from tiepdan.engine.models import TaskIndex

from .errors import CaseError
from .models import CaseClockEvent, ExecutionItem, Petition, Publication, Reception, Unit, User, UserRole, Withdrawal
from .petitions import DECISION_OUTCOMES
from .units import get_unit, subtree_id_filter

ACCEPTED = ("accepted", "resolving", "suspended", "resolved", "withdrawn", "closed")
UNPROCESSED = ("registered", "classified")
STOPPED = ("withdrawn", "closed")  # ended without a decision (full withdrawal, termination)
GROUP_SIZE = 5  # LTCD Art 30: 5 or more people with the same content appoint representatives
NO_DATA = "chưa có dữ liệu"

FORMS: dict[str, str] = {
    "01/TCD": "Tổng hợp kết quả tiếp công dân",
    "02/XLD": "Tổng hợp kết quả tiếp nhận, xử lý đơn",
    "03/GQKN": "Tổng hợp kết quả giải quyết khiếu nại",
    "04/GQTC": "Tổng hợp kết quả giải quyết tố cáo",
    "05/KQTH": "Tổng hợp kết quả thi hành quyết định giải quyết khiếu nại, kết luận nội dung tố cáo",
    "06/QLKNTC": "Tổng hợp kết quả công tác quản lý nhà nước về tiếp công dân, khiếu nại, tố cáo",
}
PERIOD_KINDS = ("quarter", "months6", "months9", "year", "custom")


class ReportError(CaseError):
    """A bad report request: unknown form, period or unit."""


# --- periods ---------------------------------------------------------------------------------


def _default_config_path() -> Path:
    from tiepdan.config import Settings

    return Path(Settings.from_env().processes_dir) / "reporting.yaml"


@lru_cache(maxsize=8)
def _load(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    cutoff = data["cutoff"]
    for key in ("start_day", "end_day"):
        if not 1 <= int(cutoff[key]) <= 28:
            raise ReportError(f"{path}: cutoff.{key} phải từ 1 đến 28")
    return data


def reporting_config(path: Path | str | None = None) -> dict:
    """processes/reporting.yaml (or `path`), parsed and checked."""
    return _load(str(path or _default_config_path()))


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    start: date
    end: date  # inclusive
    quarter: int | None = None

    @property
    def label(self) -> str:
        if self.kind == "quarter":
            name = f"Quý {self.quarter} năm {self.year}"
        elif self.kind == "months6":
            name = f"6 tháng năm {self.year}"
        elif self.kind == "months9":
            name = f"9 tháng năm {self.year}"
        elif self.kind == "year":
            name = f"Năm {self.year}"
        else:
            return f"Từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y}"
        return f"{name} (từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y})"


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def period(kind: str, year: int, quarter: int | None = None, *, config: dict | None = None) -> tuple[date, date]:
    """(start, end), both inclusive, of a reporting period under the cut-off rule."""
    p = report_period(kind, year, quarter, config=config)
    return p.start, p.end


def report_period(kind: str, year: int, quarter: int | None = None, *, config: dict | None = None) -> Period:
    config = config or reporting_config()
    kinds = config["kinds"]
    if kind not in kinds:
        raise ReportError(f"Kỳ báo cáo không hợp lệ: {kind!r} (cho phép: {', '.join(kinds)}, custom)")
    if not 1900 < int(year) < 3000:
        raise ReportError(f"Năm không hợp lệ: {year!r}")
    spec = kinds[kind]
    if kind == "quarter":
        if quarter not in (1, 2, 3, 4):
            raise ReportError(f"Quý phải là 1, 2, 3 hoặc 4, không phải {quarter!r}")
        per = int(spec["months_per_quarter"])
        first, last = per * (quarter - 1) + 1, per * quarter
    else:
        if quarter is not None:
            raise ReportError(f"Kỳ {kind!r} không nhận quý")
        first, last = int(spec["first_month"]), int(spec["last_month"])
    sy, sm = _month_before(year, first)
    start = date(sy, sm, int(config["cutoff"]["start_day"]))
    end = date(year, last, int(config["cutoff"]["end_day"]))
    return Period(kind, year, start, end, quarter)


def custom_period(start: date, end: date) -> Period:
    if end < start:
        raise ReportError(f"Ngày kết thúc {end:%d/%m/%Y} trước ngày bắt đầu {start:%d/%m/%Y}")
    return Period("custom", end.year, start, end)


# --- forms -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    code: str
    label: str
    value: int | None  # None: the case file does not hold this figure


@dataclass
class Report:
    form: str
    title: str
    unit_code: str
    unit_name: str
    period: Period
    rows: list[ReportRow]
    notes: list[str] = field(default_factory=list)

    def value(self, code: str) -> int | None:
        for row in self.rows:
            if row.code == code:
                return row.value
        raise KeyError(code)

    def as_dict(self) -> dict[str, int | None]:
        return {row.code: row.value for row in self.rows}


def _n(cond):
    """COUNT(CASE WHEN cond THEN 1 END)."""
    return func.count(case((cond, 1)))


def _sum(cond, value):
    return func.coalesce(func.sum(case((cond, value), else_=0)), 0)


def _rows(spec: list[tuple[str, str, str | None]], values: dict) -> list[ReportRow]:
    return [ReportRow(code, label, None if key is None else int(values[key] or 0)) for code, label, key in spec]


def _overdue(day: date):
    return exists().where(
        TaskIndex.business_key == Petition.business_key, TaskIndex.state == "open",
        TaskIndex.due_date.is_not(None), TaskIndex.due_date < day,
    )


TCD_ROWS = [
    ("1", "Tổng số lượt tiếp công dân", "sessions"),
    ("1.1", "Số người được tiếp", "people"),
    ("1.2", "Số đoàn đông người (từ 5 người trở lên)", "groups"),
    ("1.3", "Số người trong các đoàn đông người", "group_people"),
    ("2", "Tiếp thường xuyên (cán bộ tiếp công dân): số lượt", "regular"),
    ("2.1", "Tiếp thường xuyên: số người", "regular_people"),
    ("2.2", "Tiếp thường xuyên: số đoàn đông người", "regular_groups"),
    ("3", "Lãnh đạo tiếp định kỳ, đột xuất: số lượt", "leader"),
    ("3.1", "Lãnh đạo tiếp: số người", "leader_people"),
    ("3.2", "Lãnh đạo tiếp: số đoàn đông người", "leader_groups"),
    ("4", "Số lượt từ chối tiếp công dân", "refused"),
    ("5", "Số đơn tiếp nhận qua tiếp công dân", "petitions"),
    ("5.1", "Đơn khiếu nại", "p_complaint"),
    ("5.2", "Đơn tố cáo", "p_denunciation"),
    ("5.3", "Đơn kiến nghị, phản ánh", "p_recommendation"),
    ("5.4", "Đơn có nhiều nội dung khác nhau", "p_mixed"),
    ("5.5", "Đơn chưa phân loại", "p_unclassified"),
    ("6", "Vụ việc cũ (đơn trùng nội dung đã tiếp nhận)", "old"),
    ("7", "Vụ việc mới", "new"),
]

XLD_ROWS = [
    ("1", "Tổng số đơn tiếp nhận trong kỳ", "total"),
    ("1.1", "Nhận trực tiếp tại nơi tiếp công dân", "ch_in_person"),
    ("1.2", "Nhận qua dịch vụ bưu chính", "ch_post"),
    ("1.3", "Do cơ quan, tổ chức, cá nhân chuyển đến", "ch_forwarded"),
    ("1.4", "Qua cổng thông tin điện tử, thư điện tử", "ch_online"),
    ("2", "Phân loại theo nội dung: đơn khiếu nại", "t_complaint"),
    ("2.1", "Đơn tố cáo", "t_denunciation"),
    ("2.2", "Đơn kiến nghị, phản ánh", "t_recommendation"),
    ("2.3", "Đơn có nhiều nội dung khác nhau", "t_mixed"),
    ("2.4", "Đơn chưa phân loại", "t_none"),
    ("3", "Đơn đủ điều kiện xử lý", "eligible"),
    ("4", "Đơn không đủ điều kiện xử lý", "ineligible"),
    ("5", "Đơn thuộc thẩm quyền", "within"),
    ("6", "Đơn không thuộc thẩm quyền", "outside"),
    ("7", "Đơn đã thụ lý giải quyết", "accepted"),
    ("8", "Đơn đã hướng dẫn", "guided"),
    ("9", "Đơn đã chuyển cơ quan có thẩm quyền", "transferred"),
    ("9.1", "Trong đó: chuyển cơ quan điều tra", "to_investigation"),
    ("10", "Đơn lưu (không đủ điều kiện, trùng, đã giải quyết)", "archived"),
    ("11", "Đơn trùng nội dung", "duplicates"),
    ("12", "Đơn đang xử lý, chưa có kết quả", "unprocessed"),
]

GQKN_ROWS = [
    ("1", "Tổng số đơn khiếu nại tiếp nhận trong kỳ", "total"),
    ("2", "Số vụ việc thụ lý trong kỳ", "accepted"),
    ("2.1", "Thụ lý giải quyết lần đầu", "accepted_1"),
    ("2.2", "Thụ lý giải quyết lần hai", "accepted_2"),
    ("2.3", "Số vụ việc kỳ trước chuyển sang", "carried"),
    ("3", "Số vụ việc đã giải quyết trong kỳ (đã ban hành quyết định)", "resolved"),
    ("3.1", "Giải quyết lần đầu", "resolved_1"),
    ("3.2", "Giải quyết lần hai", "resolved_2"),
    ("4", "Số vụ việc rút toàn bộ đơn khiếu nại", "withdrawn"),
    ("4.1", "Số vụ việc rút một phần nội dung", "partly_withdrawn"),
    ("5", "Số vụ việc tạm đình chỉ trong kỳ", "suspended"),
    ("6", "Số vụ việc đang giải quyết tại ngày chốt số liệu", "in_progress"),
    ("7", "Số vụ việc quá hạn giải quyết", "overdue"),
    ("8", "Khiếu nại đúng", "o_upheld"),
    ("8.1", "Khiếu nại đúng một phần", "o_partly_upheld"),
    ("8.2", "Khiếu nại sai", "o_rejected"),
]

GQTC_ROWS = [
    ("1", "Tổng số đơn tố cáo tiếp nhận trong kỳ", "total"),
    ("2", "Số vụ việc thụ lý trong kỳ", "accepted"),
    ("2.1", "Số vụ việc kỳ trước chuyển sang", "carried"),
    ("3", "Số vụ việc đã có kết luận trong kỳ", "concluded"),
    ("4", "Số vụ việc gia hạn giải quyết", "extended"),
    ("5", "Số vụ việc người tố cáo rút tố cáo", "withdrawn"),
    ("6", "Số vụ việc chuyển cơ quan điều tra", "to_investigation"),
    ("7", "Số vụ việc tạm đình chỉ trong kỳ", "suspended"),
    ("8", "Số vụ việc đang giải quyết tại ngày chốt số liệu", "in_progress"),
    ("9", "Số vụ việc quá hạn giải quyết", "overdue"),
    ("10", "Tố cáo đúng", "o_upheld"),
    ("10.1", "Tố cáo đúng một phần", "o_partly_upheld"),
    ("10.2", "Tố cáo sai", "o_rejected"),
]

NOTE_DATES = ("Thụ lý, giải quyết, rút đơn, tạm đình chỉ, gia hạn được tính theo ngày thụ lý, ngày ký quyết định "
              "(kết luận) và ngày của quyết định tương ứng trong kỳ; \"đang giải quyết\" là đã thụ lý mà chưa có "
              "quyết định tại ngày chốt số liệu.")
NOTE_GQTC_OUTCOME = ("Kết luận tố cáo đúng/đúng một phần/sai chỉ được đếm khi biểu mẫu kết luận ghi nhận kết quả này; "
                     "kết luận chưa ghi kết quả không nằm trong các dòng 10, 10.1, 10.2.")
NOTE_STRUCTURE = ("Cấu trúc biểu theo TT 02/2021/TT-TTCP; danh mục cột chính thức của TT 06/2025/TT-TTCP "
                  "cần đối chiếu.")


def _scan(session: Session, column):
    """`column` as a filter that does not pick an index on SQLite (`+column`).

    A report's period covers a large share of the table; SQLite would otherwise walk the
    (unit, day) index and fetch every matching row by rowid, about four times slower than one
    sequential scan. PostgreSQL's planner chooses for itself."""
    if session.get_bind().dialect.name == "sqlite":
        return UnaryExpression(column, operator=custom_op("+"), type_=column.type)
    return column


def _in_subtree(session: Session, unit: Unit, column):
    return subtree_id_filter(session, unit, _scan(session, column))


def _tcd_sessions(session: Session, unit: Unit, p: Period) -> dict:
    day = _scan(session, Reception.received_on)
    group = Reception.citizen_count >= GROUP_SIZE
    leader = Reception.is_leader_session.is_(True)
    regular = Reception.is_leader_session.is_(False)
    return dict(session.execute(select(
        func.count().label("sessions"),
        func.coalesce(func.sum(Reception.citizen_count), 0).label("people"),
        _n(group).label("groups"),
        _sum(group, Reception.citizen_count).label("group_people"),
        _n(regular).label("regular"),
        _sum(regular, Reception.citizen_count).label("regular_people"),
        _n(and_(regular, group)).label("regular_groups"),
        _n(leader).label("leader"),
        _sum(leader, Reception.citizen_count).label("leader_people"),
        _n(and_(leader, group)).label("leader_groups"),
        _n(Reception.refused.is_(True)).label("refused"),
    ).where(_in_subtree(session, unit, Reception.unit_id), day >= p.start, day <= p.end)).mappings().one())


def _petition_measures(session: Session, unit: Unit, p: Period, form: str):
    """(scope, {key: condition}) of the petition figures of one form: the rows of the period
    that the form counts, and what each figure counts among them."""
    t, s, c = Petition.petition_type, Petition.status, Petition.channel
    investigation = Petition.transferred_to_unit_id.in_(select(Unit.id).where(Unit.kind == "investigation"))
    if form == "01/TCD":
        # A petition presented at a session is registered by the session's unit on its day
        # (receptions.petition_from_reception), so the petition's own columns scope it.
        scope = and_(_in_subtree(session, unit, Petition.receiving_unit_id), Petition.reception_id.is_not(None))
        return scope, {
            "petitions": None,
            "p_complaint": t == "complaint", "p_denunciation": t == "denunciation",
            "p_recommendation": t == "recommendation", "p_mixed": t == "mixed", "p_unclassified": t.is_(None),
            "old": Petition.duplicate_of_id.is_not(None), "new": Petition.duplicate_of_id.is_(None),
        }
    if form == "02/XLD":
        return _in_subtree(session, unit, Petition.receiving_unit_id), {
            "total": None,
            **{f"ch_{ch}": c == ch for ch in ("in_person", "post", "forwarded", "online")},
            **{f"t_{ty}": t == ty for ty in ("complaint", "denunciation", "recommendation", "mixed")},
            "t_none": t.is_(None),
            "eligible": Petition.eligible.is_(True), "ineligible": Petition.eligible.is_(False),
            "within": Petition.within_competence.is_(True), "outside": Petition.within_competence.is_(False),
            "accepted": s.in_(ACCEPTED), "guided": s == "guided", "transferred": s == "transferred",
            "to_investigation": and_(s == "transferred", investigation),
            "archived": s == "archived", "duplicates": Petition.duplicate_of_id.is_not(None),
            "unprocessed": s.in_(UNPROCESSED),
        }
    held = _in_subtree(session, unit, Petition.holding_unit_id)
    acc, dec, out = _scan(session, Petition.accepted_on), Petition.decided_on, Petition.decision_outcome

    def in_p(col):
        return and_(col >= p.start, col <= p.end)

    received = in_p(_scan(session, Petition.received_on))
    carried = and_(acc < p.start, or_(dec.is_(None), dec >= p.start), s.notin_(STOPPED))
    running = and_(acc <= p.end, or_(dec.is_(None), dec > p.end), s.notin_(STOPPED))
    # Nothing received after the period, nor decided before it, figures in it.
    live = and_(_scan(session, Petition.received_on) <= p.end, or_(dec.is_(None), dec >= p.start))

    def event(model, kind_col, kind):
        return exists().where(model.petition_id == Petition.id, kind_col == kind, in_p(model.on_date))

    outcomes = {f"o_{o}": and_(in_p(dec), out == o) for o in DECISION_OUTCOMES}
    suspended = event(CaseClockEvent, CaseClockEvent.kind, "suspension")
    if form == "03/GQKN":
        level = Petition.instance_level
        return and_(held, t == "complaint", live), {
            "total": received,
            "accepted": in_p(acc),
            "accepted_1": and_(in_p(acc), level == 1), "accepted_2": and_(in_p(acc), level == 2),
            "carried": carried,
            "resolved": in_p(dec),
            "resolved_1": and_(in_p(dec), level == 1), "resolved_2": and_(in_p(dec), level == 2),
            "withdrawn": event(Withdrawal, Withdrawal.scope, "full"),
            "partly_withdrawn": event(Withdrawal, Withdrawal.scope, "partial"),
            "suspended": suspended, "in_progress": running,
            "overdue": and_(running, _overdue(p.end)),
            **outcomes,
        }
    return and_(held, t == "denunciation", live), {
        "total": received,
        "accepted": in_p(acc), "carried": carried, "concluded": in_p(dec),
        "extended": event(CaseClockEvent, CaseClockEvent.kind, "extension"),
        "withdrawn": event(Withdrawal, Withdrawal.scope, "full"),
        "to_investigation": and_(investigation, in_p(Petition.transferred_on)),
        "suspended": suspended, "in_progress": running,
        "overdue": and_(running, _overdue(p.end)),
        **outcomes,
    }


def _petition_values(session: Session, unit: Unit, p: Period, form: str) -> dict:
    """The petition figures of one form: one aggregate query, the form's scope in its WHERE
    clause. (Counting several forms in one query, each figure within its form's scope, was
    measured slower on SQLite: every figure then re-tests the scope.)"""
    scope, measures = _petition_measures(session, unit, p, form)
    if form in ("01/TCD", "02/XLD"):
        day = _scan(session, Petition.received_on)
        scope = and_(day >= p.start, day <= p.end, scope)
    columns = [(func.count() if cond is None else _n(cond)).label(key) for key, cond in measures.items()]
    row = session.execute(select(*columns).select_from(Petition).where(scope)).mappings().one()
    return dict(row)


# 05/KQTH: the obligations of effective decisions (execution_item) of the subtree's cases that
# were due by the period's end and not done before its start. Amounts of money and land
# recovered are not in the case file.
KQTH_ROWS = [
    (f"{n}{suffix}", f"{label}{what}", f"{key}_{t}")
    for n, t, what in (("1", "complaint", " (quyết định giải quyết khiếu nại)"),
                       ("2", "denunciation", " (kết luận nội dung tố cáo)"))
    for suffix, label, key in (("", "Số quyết định, kết luận phải tổ chức thực hiện", "decisions"),
                               (".1", "Số nội dung phải thực hiện", "items"),
                               (".2", "Số nội dung đã thực hiện xong trong kỳ", "done"),
                               (".3", "Trong đó: thực hiện xong nhưng quá hạn", "done_late"),
                               (".4", "Số nội dung quá hạn chưa thực hiện tại ngày chốt số liệu", "overdue"))
] + [
    ("3", f"Tiền, đất phải thu hồi và đã thu hồi ({NO_DATA})", None),
]

# 06/QLKNTC: what the case file knows of the state management of reception and petitions.
QLKNTC_ROWS = [
    ("1", "Số cơ quan, đơn vị làm việc trên hệ thống", "units"),
    ("2", "Số cán bộ làm công tác tiếp công dân, xử lý đơn, xác minh", "officers"),
    ("3", "Số lượt lãnh đạo tiếp công dân định kỳ, đột xuất", "leader_sessions"),
    ("4", "Số quyết định, kết luận được công khai trong kỳ", "publications"),
    ("5", f"Số cuộc thanh tra, kiểm tra trách nhiệm ({NO_DATA})", None),
    ("6", f"Số lớp tập huấn, tuyên truyền, phổ biến pháp luật ({NO_DATA})", None),
    ("7", f"Số văn bản quản lý, chỉ đạo, điều hành ban hành ({NO_DATA})", None),
]
OFFICER_ROLES = ("reception_officer", "handling_officer", "verifier")
NOTE_KQTH = "Số tiền, đất phải thu hồi không có trong hồ sơ vụ việc: dòng 3 để trống."
NOTE_QLKNTC = ("Hồ sơ vụ việc không lưu các hoạt động thanh tra trách nhiệm, tập huấn, ban hành văn bản chỉ đạo: "
               "các dòng 5, 6, 7 để trống.")


def _kqth_values(session: Session, unit: Unit, p: Period) -> dict:
    t, due, done = Petition.petition_type, ExecutionItem.due_on, ExecutionItem.done_on
    done_in = and_(done >= p.start, done <= p.end)
    columns = []
    for kind in ("complaint", "denunciation"):
        of = t == kind
        columns += [
            func.count(func.distinct(case((of, ExecutionItem.petition_id)))).label(f"decisions_{kind}"),
            _n(of).label(f"items_{kind}"),
            _n(and_(of, done_in)).label(f"done_{kind}"),
            _n(and_(of, done_in, done > due)).label(f"done_late_{kind}"),
            _n(and_(of, due < p.end, or_(done.is_(None), done > p.end))).label(f"overdue_{kind}"),
        ]
    return dict(session.execute(
        select(*columns).select_from(ExecutionItem).join(Petition, Petition.id == ExecutionItem.petition_id)
        .where(_in_subtree(session, unit, Petition.holding_unit_id), due <= p.end,
               or_(done.is_(None), done >= p.start))
    ).mappings().one())


def _qlkntc_values(session: Session, unit: Unit, p: Period) -> dict:
    def count(query):
        return session.execute(query).scalar_one()

    return {
        "units": count(select(func.count()).select_from(Unit).where(
            subtree_id_filter(session, unit, Unit.id), Unit.on_system.is_(True))),
        "officers": count(select(func.count(func.distinct(User.id))).select_from(User).join(UserRole).where(
            subtree_id_filter(session, unit, User.unit_id), User.active.is_(True), UserRole.role.in_(OFFICER_ROLES))),
        "leader_sessions": count(select(func.count()).select_from(Reception).where(
            _in_subtree(session, unit, Reception.unit_id), Reception.is_leader_session.is_(True),
            _scan(session, Reception.received_on) >= p.start, _scan(session, Reception.received_on) <= p.end)),
        "publications": count(select(func.count()).select_from(Publication).where(
            subtree_id_filter(session, unit, Publication.unit_id),
            Publication.starts_on >= p.start, Publication.starts_on <= p.end)),
    }


_ROWS = {"01/TCD": TCD_ROWS, "02/XLD": XLD_ROWS, "03/GQKN": GQKN_ROWS, "04/GQTC": GQTC_ROWS,
         "05/KQTH": KQTH_ROWS, "06/QLKNTC": QLKNTC_ROWS}
_VALUES = {"05/KQTH": _kqth_values, "06/QLKNTC": _qlkntc_values}
_NOTES = {"01/TCD": [NOTE_STRUCTURE], "02/XLD": [NOTE_STRUCTURE],
          "03/GQKN": [NOTE_STRUCTURE, NOTE_DATES], "04/GQTC": [NOTE_STRUCTURE, NOTE_DATES, NOTE_GQTC_OUTCOME],
          "05/KQTH": [NOTE_STRUCTURE, NOTE_KQTH], "06/QLKNTC": [NOTE_STRUCTURE, NOTE_QLKNTC]}


def normalise_form(form: str) -> str:
    """"01/TCD", "01-tcd", "tcd", "01" -> "01/TCD"."""
    key = form.strip().upper().replace("-", "/").replace("_", "/")
    for code in FORMS:
        number, name = code.split("/")
        if key in (code, number, name, number.lstrip("0")):
            return code
    raise ReportError(f"Biểu báo cáo không hợp lệ: {form!r} (cho phép: {', '.join(FORMS)})")


def build_reports(session: Session, forms: list[str], unit: Unit | str, p: Period) -> list[Report]:
    """The `forms` for `unit` and its subtree over period `p`: one aggregate query over the
    petitions per form, and one over the reception sessions for 01/TCD."""
    codes = list(dict.fromkeys(normalise_form(f) for f in forms))
    try:
        unit = get_unit(session, unit)
    except CaseError as err:
        raise ReportError(str(err)) from None
    values = {code: _VALUES[code](session, unit, p) if code in _VALUES else _petition_values(session, unit, p, code)
              for code in codes}
    if "01/TCD" in codes:
        values["01/TCD"].update(_tcd_sessions(session, unit, p))
    return [Report(code, FORMS[code], unit.code, unit.name, p, _rows(_ROWS[code], values[code]), list(_NOTES[code]))
            for code in codes]


def build_report(session: Session, form: str, unit: Unit | str, p: Period) -> Report:
    """One form for `unit` and its subtree over period `p`."""
    return build_reports(session, [form], unit, p)[0]


def build_all(session: Session, unit: Unit | str, p: Period) -> list[Report]:
    """Every form."""
    return build_reports(session, list(FORMS), unit, p)
