"""Publication: form, period of consecutive days, meeting notice, proof, current and archive,
and never a denouncer's identity."""
from __future__ import annotations

from datetime import date

import pytest

from tiepdan.cases import documents, parties, petitions, publications
from tiepdan.cases.errors import CaseError
from tiepdan.cases.models import Publication
from tiepdan.config import REPO_ROOT
from tiepdan.engine.deadlines import RuleCatalogue

from .conftest import person

POSTING_DAYS = RuleCatalogue.load(REPO_ROOT / "processes" / "rules").versions("publication.posting")[-1].count
DENOUNCER = "Nguyễn Thị Hồng Nhung"


def case(s, world, petition_type="complaint"):
    petition = petitions.register_petition(
        s, unit=world.office, content="Khiếu nại quyết định thu hồi đất", channel="post", created_by="xuly.btcd",
        clock=world.clock,
    ).petition
    petitions.classify(s, petition, petition_type=petition_type, eligible=True, clock=world.clock)
    return petition


def plan(s, world, p, **kw):
    args = dict(unit=world.office, title="Quyết định giải quyết khiếu nại số 12/QĐ-BTCD", form="posting",
                starts_on=date(2026, 4, 1), days=POSTING_DAYS, clock=world.clock)
    args.update(kw)
    return publications.plan_publication(s, p, **args)


def test_a_posting_runs_for_consecutive_days_including_the_first(world):
    assert POSTING_DAYS == 15
    with world.session() as s:
        p = case(s, world)
        pub = plan(s, world, p)
        assert (pub.starts_on, pub.ends_on, pub.status, pub.keep_in_archive) == (
            date(2026, 4, 1), date(2026, 4, 15), "planned", True)
        assert publications.current_publications(s, date(2026, 3, 31)) == []
        assert publications.current_publications(s, date(2026, 4, 1)) == [pub]
        assert publications.current_publications(s, date(2026, 4, 15)) == [pub]
        assert publications.current_publications(s, date(2026, 4, 16)) == []
        # Starting today (the clock's 2026-03-02) it runs at once.
        now = plan(s, world, p, starts_on=date(2026, 3, 2))
        assert (now.status, now.ends_on) == ("running", date(2026, 3, 16))


def test_periods_start_and_end_and_ended_ones_go_to_the_archive(world):
    with world.session() as s:
        p = case(s, world)
        kept = plan(s, world, p)
        dropped = plan(s, world, p, keep_in_archive=False, starts_on=date(2026, 4, 2))
        later = plan(s, world, p, starts_on=date(2026, 5, 1))
        assert publications.start_due_publications(s, date(2026, 4, 1)) == [kept]
        assert (kept.status, dropped.status) == ("running", "planned")
        assert publications.end_due_publications(s, date(2026, 4, 15)) == []
        assert publications.end_due_publications(s, date(2026, 4, 17)) == [kept, dropped]
        assert (kept.status, dropped.status, later.status) == ("ended", "ended", "planned")
        assert publications.current_publications(s, date(2026, 4, 15)) == []
        assert publications.archived_publications(s, date(2026, 4, 17)) == [kept]
        assert publications.end_due_publications(s, date(2026, 4, 17)) == []  # already ended


def test_a_meeting_needs_three_days_notice(world):
    with world.session() as s:
        p = case(s, world)
        with pytest.raises(CaseError, match="ngày thông báo"):
            plan(s, world, p, form="meeting", days=1)
        with pytest.raises(CaseError, match="ít nhất 3 ngày"):
            plan(s, world, p, form="meeting", days=1, notice_on=date(2026, 3, 30))
        pub = plan(s, world, p, form="meeting", days=1, notice_on=date(2026, 3, 29))
        assert (pub.form, pub.notice_on, pub.ends_on) == ("meeting", date(2026, 3, 29), date(2026, 4, 1))
        assert s.query(Publication).count() == 1


def test_bad_plans_and_proof(world):
    with world.session() as s:
        p = case(s, world)
        with pytest.raises(CaseError, match="Hình thức công khai"):
            plan(s, world, p, form="radio")
        with pytest.raises(CaseError, match="tiêu đề"):
            plan(s, world, p, title=" ")
        with pytest.raises(CaseError, match="từ 1 ngày"):
            plan(s, world, p, days=0)
        pub = plan(s, world, p, form="media")
        with pytest.raises(CaseError, match="chứng cứ"):
            publications.record_proof(pub, "")
        publications.record_proof(pub, "https://caobang.gov.vn/cong-khai/12")
        assert pub.proof == "https://caobang.gov.vn/cong-khai/12"


def test_a_publication_never_reveals_the_denouncer(world):
    with world.session() as s:
        p = case(s, world, petition_type="denunciation")
        parties.add_petitioner(s, p, person(DENOUNCER, address="12 Hoàng Đình Giong"), clock=world.clock)
        petitions.reseal(p)
        assert p.parties[0].sealed
        with pytest.raises(CaseError, match="thông tin người tố cáo"):
            plan(s, world, p, title=f"Kết luận tố cáo của bà {DENOUNCER}")
        leaking = documents.issue_document(s, kind="archive_note", unit=p.holding_unit, petition=p,
                                           body=f"Người tố cáo: {DENOUNCER}", created_by="truongban",
                                           clock=world.clock)
        with pytest.raises(CaseError, match="thông tin người tố cáo"):
            plan(s, world, p, title="Kết luận nội dung tố cáo", document=leaking)
        clean = documents.issue_document(s, kind="archive_note", unit=p.holding_unit, petition=p,
                                         body="Kết luận: tố cáo đúng một phần", created_by="truongban",
                                         clock=world.clock)
        pub = plan(s, world, p, title="Kết luận nội dung tố cáo", document=clean)
        assert pub.document.id == clean.id
        other = case(s, world)
        with pytest.raises(CaseError, match="không thuộc đơn"):
            plan(s, world, other, document=clean)
