"""Migration 0011 back-fills the acceptance and decision dates and the complaint outcome from the
records older cases already have (the resolution procedure's start, the decision line of the
result note, the conclusion document), on both backends: cases are written at head, the
migration is rolled back to 0010 (dropping the columns) and applied again."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from alembic import command
from sqlalchemy import select

from tiepdan.cases import petitions, units
from tiepdan.cases.models import CaseDocument, Petition
from tiepdan.engine.clock import FixedClock
from tiepdan.engine.db import make_engine, make_sessionmaker, transaction
from tiepdan.engine.models import ProcessInstance, ProcessVersion
from tiepdan.engine.schema import alembic_config, upgrade


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request, tmp_path):
    from tests.conftest import _pg_database, _sqlite_database

    url, drop = _sqlite_database(tmp_path) if request.param == "sqlite" else _pg_database()
    yield url
    drop()


def _instance(s, version, key, process_id, at):
    s.add(ProcessInstance(version_id=version.id, process_id=process_id, business_key=key, unit_id="04.UBND",
                          status="running", state="{}", created_at=at, updated_at=at))


def test_backfill(empty_url):
    upgrade(empty_url)
    engine = make_engine(empty_url)
    clock = FixedClock(datetime(2026, 3, 2, 2, 0))
    try:
        with transaction(make_sessionmaker(engine)) as s:
            unit = units.create_unit(s, code="04.UBND", name="Ủy ban nhân dân tỉnh", kind="province_committee",
                                     level="province", abbreviation="UBND", clock=clock)
            new = lambda kind: petitions.register_petition(  # noqa: E731
                s, unit=unit, content="Nội dung", channel="post", petition_type=kind, created_by="x",
                clock=clock).petition
            partly, right, wrong, denounced, untouched = (new("complaint"), new("complaint"), new("complaint"),
                                                          new("denunciation"), new("complaint"))
            partly.result_note = "Quyết định giải quyết khiếu nại số 7/QĐ-UBND ngày 20/03/2026: " \
                                 "Khiếu nại của người khiếu nại là đúng một phần."
            right.result_note = "Quyết định giải quyết khiếu nại số 8/QĐ-UBND ngày 21/03/2026: " \
                                "Khiếu nại của người khiếu nại là đúng."
            wrong.result_note = "Quyết định giải quyết khiếu nại số 9/QĐ-UBND ngày 22/03/2026: " \
                                "Khiếu nại của người khiếu nại là sai.\n12/04/2026: đã thi hành"
            version = ProcessVersion(process_id="complaint_first", content_hash="z" * 64, bpmn_xml="<x/>",
                                     status="published", created_at=clock.now())
            s.add(version)
            s.flush()
            # 3/3 18:00 UTC is 4/3 01:00 in Vietnam; the intake (not a resolution) does not count.
            _instance(s, version, partly.business_key, "complaint_first", datetime(2026, 3, 3, 18, 0))
            _instance(s, version, partly.business_key, "publication", datetime(2026, 3, 1, 1, 0))
            _instance(s, version, untouched.business_key, "petition_intake", datetime(2026, 3, 2, 2, 0))
            _instance(s, version, denounced.business_key, "denunciation", datetime(2026, 3, 5, 2, 0))
            s.add(CaseDocument(petition_id=denounced.id, unit_id=unit.id, kind="denounce_concl", number="1/KL",
                               doc_year=2026, doc_seq=1, title="Kết luận", filename="kl.docx", media_type="x",
                               content=b"x", sha256="0" * 64, created_at=datetime(2026, 3, 30, 17, 30)))
            ids = [p.id for p in (partly, right, wrong, denounced, untouched)]
        engine.dispose()
        command.downgrade(alembic_config(empty_url), "0010")
        upgrade(empty_url)
        with make_sessionmaker(engine)() as s:
            got = {p.id: (p.accepted_on, p.decided_on, p.decision_outcome)
                   for p in s.execute(select(Petition)).scalars()}
        assert [got[i] for i in ids] == [
            (date(2026, 3, 4), date(2026, 3, 20), "partly_upheld"),
            (None, date(2026, 3, 21), "upheld"),
            (None, date(2026, 3, 22), "rejected"),
            (date(2026, 3, 5), date(2026, 3, 31), None),  # the conclusion stored 31/3 00:30 local
            (None, None, None),
        ]
    finally:
        engine.dispose()
