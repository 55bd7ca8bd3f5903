"""Periodic report forms (01/TCD, 02/XLD, 03/GQKN, 04/GQTC) on a known case set, on both backends:
every cell, the cut-off boundaries, the subtree scope, and no personal data in any cell."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from tiepdan.cases import petitions, receptions, reports
from tiepdan.cases.models import CaseClockEvent, ExecutionItem, Petition, Publication, Withdrawal
from tiepdan.engine.models import ProcessInstance, ProcessVersion, TaskIndex

from .conftest import person

DENOUNCER = "Đinh Thị Tố Giác"
DENOUNCER_CCCD = "004199000777"
DENOUNCER_ADDRESS = "Tổ 9, phường Thục Phán"


def at(day: date) -> datetime:
    """09:00 in Vietnam on `day`, as naive UTC."""
    return datetime(day.year, day.month, day.day, 2, 0)


def _reception(s, world, day, *, unit=None, by="tiep.btcd", leader=False, count=1, name="Công Dân"):
    r = receptions.open_reception(s, unit=unit or world.office, received_by=by, received_at=at(day),
                                  is_leader_session=leader, citizen_count=count, clock=world.clock)
    return r


def _letter(s, world, day, channel, kind, *, unit=None, content="Nội dung đơn", **kw):
    return petitions.register_petition(s, unit=unit or world.office, content=content, channel=channel,
                                       petition_type=kind, created_by="xuly.btcd", received_at=at(day),
                                       clock=world.clock, **kw).petition


def _set(p: Petition, *, status=None, eligible=None, within=None, level=None, accepted=None, decided=None,
         outcome=None):
    p.accepted_on, p.decided_on, p.decision_outcome = accepted, decided, outcome
    if status is not None:
        p.status = status
    if eligible is not None:
        p.eligible = eligible
    if within is not None:
        p.within_competence = within
    if level is not None:
        p.instance_level = level


def _open_task(s, world, petition: Petition, due: date, n: int):
    version = s.query(ProcessVersion).first()
    if version is None:
        version = ProcessVersion(process_id="complaint_first", content_hash="x" * 64, bpmn_xml="<x/>",
                                 status="published", created_at=world.clock.now())
        s.add(version)
        s.flush()
    inst = ProcessInstance(version_id=version.id, process_id="complaint_first", business_key=petition.business_key,
                           unit_id=petition.holding_unit.code, status="running", state="{}",
                           created_at=world.clock.now(), updated_at=world.clock.now())
    s.add(inst)
    s.flush()
    s.add(TaskIndex(id=f"task-{n}", instance_id=inst.id, business_key=petition.business_key,
                    process_id="complaint_first", task_spec="resolve", task_name="Giải quyết", role="leader",
                    unit_id=petition.holding_unit.code, created_at=world.clock.now(), due_date=due, state="open"))


def build_cases(world) -> dict[str, int]:
    """The known case set (see the expected values below). Returns petition ids by letter."""
    ids: dict[str, int] = {}
    with world.session() as s:
        # Reception sessions.
        r1 = _reception(s, world, date(2026, 3, 2))
        receptions.add_citizen(s, r1, person("Hoàng Văn Một", address="Xóm 1", cccd="004080000001"))
        a = receptions.petition_from_reception(s, r1, content="Khiếu nại quyết định thu hồi đất",
                                               petition_type="complaint", created_by="tiep.btcd",
                                               clock=world.clock).petition
        _set(a, status="resolved", eligible=True, within=True, level=1, accepted=date(2026, 3, 3),
             decided=date(2026, 3, 12), outcome="partly_upheld")

        r2 = _reception(s, world, date(2026, 3, 2), by="truongban", leader=True, count=6)
        receptions.add_citizen(s, r2, person(DENOUNCER, address=DENOUNCER_ADDRESS, cccd=DENOUNCER_CCCD),
                               is_representative=True)
        b = receptions.petition_from_reception(
            s, r2, content=f"Tôi là {DENOUNCER}, CCCD {DENOUNCER_CCCD}, tố cáo cán bộ địa chính nhận tiền",
            petition_type="denunciation", created_by="tiep.btcd", clock=world.clock).petition
        _set(b, status="resolving", eligible=True, within=True, accepted=date(2026, 3, 3))
        s.add(CaseClockEvent(petition_id=b.id, kind="extension", on_date=date(2026, 3, 10), complexity="complex",
                             created_at=world.clock.now()))

        r3 = _reception(s, world, date(2026, 3, 5))
        receptions.add_citizen(s, r3, person("Lâm Văn Say"))
        receptions.refuse_reception(r3, "ltcd_9_1_incapacity")

        r4 = _reception(s, world, date(2026, 3, 14))  # the last day of Q1
        receptions.add_citizen(s, r4, person("Hoàng Văn Một", address="Xóm 1", cccd="004080000001"))
        c = receptions.petition_from_reception(s, r4, content="Kiến nghị sửa đường", petition_type="recommendation",
                                               created_by="tiep.btcd", clock=world.clock).petition
        petitions.mark_duplicate(c, a, clock=world.clock)
        _set(c, status="accepted", eligible=True, within=True)

        r5 = _reception(s, world, date(2026, 3, 15))  # the first day of Q2
        receptions.add_citizen(s, r5, person("Người Quý Hai"))
        d = receptions.petition_from_reception(s, r5, content="Khiếu nại quý hai", petition_type="complaint",
                                               created_by="tiep.btcd", clock=world.clock).petition
        _set(d, status="accepted", eligible=True, within=True, accepted=date(2026, 3, 16))

        _reception(s, world, date(2025, 12, 15), unit=world.commune, by="tiep.xa")  # first day of 2026's year
        _reception(s, world, date(2025, 12, 14))  # last day of 2025's year

        # Letters.
        e = _letter(s, world, date(2026, 1, 10), "post", "complaint")
        _set(e, status="accepted", eligible=True, within=True, level=2, accepted=date(2026, 1, 12))
        s.add(Withdrawal(petition_id=e.id, on_date=date(2026, 2, 1), scope="partial", content="một phần",
                         created_at=world.clock.now()))
        f = _letter(s, world, date(2026, 2, 1), "online", "denunciation")
        _set(f, eligible=True, within=False)
        petitions.record_transfer(s, f, to_unit=world.investigation, doc_no="5/PC-BTCD", clock=world.clock)
        g = _letter(s, world, date(2026, 2, 2), "forwarded", "complaint", forwarded_by=world.committee)
        _set(g, eligible=True, within=False)
        petitions.record_guidance(g, to_name="Chủ tịch UBND xã", doc_no="3/HD-BTCD", clock=world.clock)
        h = _letter(s, world, date(2026, 2, 3), "post", None)
        _set(h, status="archived", eligible=False)
        i = _letter(s, world, date(2026, 2, 4), "post", "denunciation")
        _set(i, status="withdrawn", eligible=True, within=True, accepted=date(2026, 2, 5))
        s.add(Withdrawal(petition_id=i.id, on_date=date(2026, 2, 20), scope="full", content="",
                         created_at=world.clock.now()))
        j = _letter(s, world, date(2026, 2, 5), "post", "complaint", unit=world.commune)
        _set(j, status="suspended", eligible=True, within=True, accepted=date(2026, 2, 6))
        s.add(CaseClockEvent(petition_id=j.id, kind="suspension", on_date=date(2026, 2, 20),
                             created_at=world.clock.now()))
        k = _letter(s, world, date(2025, 12, 14), "post", "complaint")
        # Accepted on the last day of 2025's year, decided on the first of 2026's.
        _set(k, status="resolved", eligible=True, within=True, accepted=date(2025, 12, 14),
             decided=date(2025, 12, 20), outcome="upheld")
        l_ = _letter(s, world, date(2025, 12, 15), "post", "complaint")
        # Received and accepted long before: decided on the last day of Q1 (m), on the first
        # of Q2 (n); a denunciation concluded in Q1 (o).
        m = _letter(s, world, date(2024, 6, 1), "post", "complaint")
        _set(m, status="resolved", eligible=True, within=True, level=2, accepted=date(2024, 6, 5),
             decided=date(2026, 3, 14), outcome="rejected")
        n = _letter(s, world, date(2024, 6, 1), "post", "complaint")
        _set(n, status="resolving", eligible=True, within=True, accepted=date(2024, 6, 5),
             decided=date(2026, 3, 15), outcome="upheld")
        o = _letter(s, world, date(2024, 6, 1), "post", "denunciation")
        _set(o, status="resolved", eligible=True, within=True, accepted=date(2024, 6, 3),
             decided=date(2026, 3, 1), outcome="rejected")
        s.flush()
        for petition, due, done in ((a, date(2026, 3, 10), date(2026, 3, 12)),  # done late in Q1
                                    (a, date(2026, 3, 13), None),  # overdue at 14/3
                                    (a, date(2026, 4, 1), None),  # due after Q1
                                    (o, date(2026, 2, 1), date(2026, 1, 30)),  # done in time
                                    (k, date(2025, 12, 1), date(2025, 12, 10))):  # done before Q1
            s.add(ExecutionItem(petition_id=petition.id, obligor="Ủy ban nhân dân xã", action="Thực hiện",
                                due_on=due, done_on=done, created_at=world.clock.now()))
        for starts in (date(2026, 3, 1), date(2026, 3, 15)):
            s.add(Publication(petition_id=a.id, unit_id=a.holding_unit_id, title="Công khai quyết định",
                              form="posting", starts_on=starts, ends_on=starts.replace(day=starts.day + 13),
                              created_at=world.clock.now()))
        _open_task(s, world, b, date(2026, 3, 10), 1)  # overdue at the end of Q1
        _open_task(s, world, j, date(2026, 3, 1), 2)   # overdue
        _open_task(s, world, a, date(2026, 3, 1), 3)   # resolved: not counted
        _open_task(s, world, e, date(2026, 3, 14), 4)  # due on the last day: not overdue
        for name, p in dict(a=a, b=b, c=c, d=d, e=e, f=f, g=g, h=h, i=i, j=j, k=k, l=l_, m=m, n=n, o=o).items():
            ids[name] = p.id
    return ids


Q1_TCD = {
    "1": 5, "1.1": 10, "1.2": 1, "1.3": 6, "2": 4, "2.1": 4, "2.2": 0, "3": 1, "3.1": 6, "3.2": 1, "4": 1,
    "5": 3, "5.1": 1, "5.2": 1, "5.3": 1, "5.4": 0, "5.5": 0, "6": 1, "7": 2,
}
Q1_XLD = {
    "1": 10, "1.1": 3, "1.2": 5, "1.3": 1, "1.4": 1,
    "2": 5, "2.1": 3, "2.2": 1, "2.3": 0, "2.4": 1,
    "3": 8, "4": 1, "5": 6, "6": 2, "7": 6, "8": 1, "9": 1, "9.1": 1, "10": 1, "11": 1, "12": 1,
}
# Complaints of Q1 (15/12/2025-14/3/2026): received a, e, g, j, l; accepted a, e (second
# instance), j; carried over k, m, n; decided a (partly right), k (right), m (second instance,
# wrong; 14/3); e partly withdrawn; j suspended (and overdue); in progress at 14/3: e, j, n.
Q1_GQKN = {
    "1": 5, "2": 3, "2.1": 2, "2.2": 1, "2.3": 3, "3": 3, "3.1": 2, "3.2": 1, "4": 0, "4.1": 1, "5": 1,
    "6": 3, "7": 1, "8": 1, "8.1": 1, "8.2": 1,
}
# Denunciations: received b, f, i; accepted b, i; carried over o, concluded (wrong) in Q1;
# b extended, overdue and in progress; i withdrawn; f sent to the investigation body.
Q1_GQTC = {"1": 3, "2": 2, "2.1": 1, "3": 1, "4": 1, "5": 1, "6": 1, "7": 0, "8": 1, "9": 1,
           "10": 0, "10.1": 0, "10.2": 1}
Q1_KQTH = {"1": 1, "1.1": 2, "1.2": 1, "1.3": 1, "1.4": 1, "2": 1, "2.1": 1, "2.2": 1, "2.3": 0, "2.4": 0,
           "3": None}


@pytest.fixture
def cases(world):
    return build_cases(world)


def _report(world, form, unit, p):
    with world.session() as s:
        return reports.build_report(s, form, unit, p)


def test_periods_follow_the_cutoff_rule():
    assert reports.period("quarter", 2026, 1) == (date(2025, 12, 15), date(2026, 3, 14))
    assert reports.period("quarter", 2026, 2) == (date(2026, 3, 15), date(2026, 6, 14))
    assert reports.period("quarter", 2026, 3) == (date(2026, 6, 15), date(2026, 9, 14))
    assert reports.period("quarter", 2026, 4) == (date(2026, 9, 15), date(2026, 12, 14))
    assert reports.period("months6", 2026) == (date(2025, 12, 15), date(2026, 6, 14))
    assert reports.period("months9", 2026) == (date(2025, 12, 15), date(2026, 9, 14))
    assert reports.period("year", 2026) == (date(2025, 12, 15), date(2026, 12, 14))
    cfg = {"cutoff": {"start_day": 1, "end_day": 28},
           "kinds": {"year": {"first_month": 1, "last_month": 12}}}
    assert reports.period("year", 2026, config=cfg) == (date(2025, 12, 1), date(2026, 12, 28))
    custom = reports.custom_period(date(2026, 1, 1), date(2026, 1, 31))
    assert (custom.start, custom.end, custom.label) == (date(2026, 1, 1), date(2026, 1, 31),
                                                        "Từ ngày 01/01/2026 đến ngày 31/01/2026")
    for bad in (lambda: reports.period("quarter", 2026, 5), lambda: reports.period("quarter", 2026),
                lambda: reports.period("week", 2026), lambda: reports.period("year", 2026, 1),
                lambda: reports.custom_period(date(2026, 2, 1), date(2026, 1, 1))):
        with pytest.raises(reports.ReportError):
            bad()


def test_reporting_yaml_marks_the_rule_to_verify():
    cfg = reports.reporting_config()
    assert "TT 06/2025" in cfg["verify"]
    assert cfg["cutoff"] == {"start_day": 15, "end_day": 14}


def test_every_cell_of_the_four_forms_for_q1(world, cases):
    q1 = reports.report_period("quarter", 2026, 1)
    assert _report(world, "01/TCD", world.committee, q1).as_dict() == Q1_TCD
    assert _report(world, "02/XLD", world.committee, q1).as_dict() == Q1_XLD
    assert _report(world, "03/GQKN", world.committee, q1).as_dict() == Q1_GQKN
    assert _report(world, "04/GQTC", world.committee, q1).as_dict() == Q1_GQTC
    assert _report(world, "05/KQTH", world.committee, q1).as_dict() == Q1_KQTH


def test_state_management_form(world, cases):
    q1 = reports.report_period("quarter", 2026, 1)
    # The office: itself; its reception, handling and verifying officers (not the leader); the
    # leader's session of 2/3; the publication starting 1/3 (the one of 15/3 is Q2's).
    assert _report(world, "06/QLKNTC", world.office, q1).as_dict() == {
        "1": 1, "2": 3, "3": 1, "4": 1, "5": None, "6": None, "7": None}
    commune = _report(world, "06/QLKNTC", world.commune, q1).as_dict()
    assert (commune["1"], commune["2"], commune["3"], commune["4"]) == (1, 1, 0, 0)
    q2 = _report(world, "06/QLKNTC", world.office, reports.report_period("quarter", 2026, 2)).as_dict()
    assert (q2["3"], q2["4"]) == (0, 1)


def test_resolution_forms_count_by_their_dates(world, cases):
    q2 = _report(world, "03/GQKN", world.committee, reports.report_period("quarter", 2026, 2)).as_dict()
    # d accepted 16/3; e, j, n carried over; n decided (right) 15/3; d, e, j in progress at 14/6,
    # j and e overdue (tasks due 1/3 and 14/3).
    assert q2 == {"1": 1, "2": 1, "2.1": 1, "2.2": 0, "2.3": 3, "3": 1, "3.1": 1, "3.2": 0, "4": 0, "4.1": 0,
                  "5": 0, "6": 3, "7": 2, "8": 1, "8.1": 0, "8.2": 0}
    # k: accepted on the last day of 2025's year, decided on the first day of 2026's.
    y2025 = _report(world, "03/GQKN", world.committee, reports.report_period("year", 2025)).as_dict()
    assert (y2025["2"], y2025["3"], y2025["6"]) == (1, 0, 3)
    y2026 = _report(world, "03/GQKN", world.committee, reports.report_period("year", 2026)).as_dict()
    assert (y2026["2.3"], y2026["3"], y2026["8"], y2026["8.1"], y2026["8.2"]) == (3, 4, 2, 1, 1)
    last_day = _report(world, "03/GQKN", world.committee,
                       reports.custom_period(date(2026, 3, 14), date(2026, 3, 14))).as_dict()
    assert (last_day["3"], last_day["8.2"], last_day["6"]) == (1, 1, 3)


def test_cutoff_boundaries(world, cases):
    q1 = reports.report_period("quarter", 2026, 1)
    q2 = reports.report_period("quarter", 2026, 2)
    year = reports.report_period("year", 2026)
    y2025 = reports.report_period("year", 2025)
    # 14/3 (c, reception r4) in Q1; 15/3 (d, reception r5) in Q2.
    assert _report(world, "02/XLD", world.committee, q2).as_dict()["1"] == 1
    assert _report(world, "02/XLD", world.committee, q2).as_dict()["2"] == 1  # d is a complaint
    assert _report(world, "01/TCD", world.committee, q2).as_dict()["1"] == 1
    # 15/12/2025 (l, the commune's session) in 2026's year; 14/12/2025 (k, a session) in 2025's.
    assert _report(world, "02/XLD", world.committee, year).as_dict()["1"] == 11
    assert _report(world, "01/TCD", world.committee, year).as_dict()["1"] == 6
    assert _report(world, "02/XLD", world.committee, y2025).as_dict()["1"] == 1
    assert _report(world, "01/TCD", world.committee, y2025).as_dict()["1"] == 1
    months6 = reports.report_period("months6", 2026)
    assert _report(world, "02/XLD", world.committee, months6).as_dict()["1"] == 11
    custom = reports.custom_period(date(2026, 3, 14), date(2026, 3, 15))
    assert _report(world, "02/XLD", world.committee, custom).as_dict()["1"] == 2


def test_subtree_scope(world, cases):
    q1 = reports.report_period("quarter", 2026, 1)
    commune = _report(world, "02/XLD", world.commune, q1).as_dict()
    assert (commune["1"], commune["1.2"], commune["2"]) == (1, 1, 1)
    assert _report(world, "01/TCD", world.commune, q1).as_dict()["1"] == 1
    assert _report(world, "03/GQKN", world.commune, q1).as_dict()["7"] == 1
    office = _report(world, "03/GQKN", world.office, q1).as_dict()
    assert (office["1"], office["5"], office["7"]) == (4, 0, 0)
    assert _report(world, "04/GQTC", world.office, q1).as_dict()["9"] == 1
    # The inspectorate received nothing.
    assert set(_report(world, "02/XLD", world.inspectorate, q1).as_dict().values()) == {0}


def test_form_codes_and_errors(world, cases):
    assert reports.normalise_form("tcd") == "01/TCD"
    assert reports.normalise_form("2") == "02/XLD"
    assert reports.normalise_form("03-gqkn") == "03/GQKN"
    with pytest.raises(reports.ReportError):
        reports.normalise_form("07/XYZ")
    with pytest.raises(reports.ReportError):
        _report(world, "01/TCD", "04.NOPE", reports.report_period("year", 2026))


def all_cells(report) -> list[str]:
    cells = [report.form, report.title, report.unit_code, report.unit_name, report.period.label, *report.notes]
    for row in report.rows:
        cells += [row.code, row.label, str(row.value)]
    return cells


def test_no_report_cell_holds_personal_data(world, cases):
    with world.session() as s:
        built = [reports.build_report(s, form, unit, reports.report_period(kind, 2026, q))
                 for form in reports.FORMS
                 for unit in (world.committee, world.office, world.commune)
                 for kind, q in (("quarter", 1), ("year", None))]
    secrets = (DENOUNCER, DENOUNCER_CCCD, DENOUNCER_ADDRESS, "Hoàng Văn Một", "004080000001")
    for report in built:
        for cell in all_cells(report):
            assert not any(secret.lower() in cell.lower() for secret in secrets), (report.form, cell)
        assert all(row.value is None or isinstance(row.value, int) for row in report.rows)


def test_one_pass_for_all_forms_equals_form_by_form(world, cases):
    with world.session() as s:
        for unit in (world.committee, world.office, world.commune, world.inspectorate):
            for p in (reports.report_period("quarter", 2026, 1), reports.report_period("year", 2026),
                      reports.report_period("year", 2025)):
                together = [r.as_dict() for r in reports.build_all(s, unit, p)]
                alone = [reports.build_report(s, form, unit, p).as_dict() for form in reports.FORMS]
                assert together == alone, (unit, p)
                pair = [r.as_dict() for r in reports.build_reports(s, ["04/GQTC", "tcd"], unit, p)]
                assert pair == [alone[3], alone[0]]
