"""The dates and outcome reports 03/GQKN and 04/GQTC count are set where they happen, through
the real diagrams (tests/scenarios' drivers): the intake's acceptance sets `accepted_on`, the
signed complaint decision sets `decided_on` and the outcome, an appeal accepts the second
instance on its day, the denunciation's conclusion sets `decided_on`; and the reports count them."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.scenarios import test_complaints as complaints
from tests.scenarios import test_denunciations as denunciations
from tests.scenarios.world import COMMUNE, UBND, build_world
from tiepdan.cases import reports
from tiepdan.cases.models import Petition


@pytest.fixture
def world(db):
    built = build_world(db)
    yield built
    built.services.db.dispose()


def _dates(world, key):
    p = world.petition(key)
    return p.accepted_on, p.decided_on, p.decision_outcome


def _report(world, form, unit, p):
    with world.services.sessions() as s:
        return reports.build_report(s, form, unit, p).as_dict()


def test_complaint_first_and_second_instance(world):
    key = complaints.accepted_complaint(world, unit=COMMUNE)
    assert _dates(world, key) == (date(2026, 3, 2), None, None)
    complaints.verify(world, key)
    complaints.decide(world, key, date(2026, 3, 9), outcome="partly_upheld")
    assert _dates(world, key) == (date(2026, 3, 2), date(2026, 3, 9), "partly_upheld")
    complaints.complete(world, key, "send_decision", {"sent_on": "2026-03-09", "send_method": "post"})
    complaints.today(world, date(2026, 3, 16))
    complaints.event(world, key, "appeal", {"appealed_on": "2026-03-16"})
    with world.services.sessions() as s:
        second = s.execute(select(Petition.business_key).where(Petition.appeal_of_id.is_not(None))).scalar_one()
    assert _dates(world, second) == (date(2026, 3, 16), None, None)
    q1, q2 = reports.report_period("quarter", 2026, 1), reports.report_period("quarter", 2026, 2)
    first_q1 = _report(world, "03/GQKN", COMMUNE, q1)
    assert (first_q1["2"], first_q1["2.1"], first_q1["3"], first_q1["3.1"], first_q1["8.1"]) == (1, 1, 1, 1, 1)
    # The second instance is the province's, accepted on 16/3: Q2 of the reporting calendar.
    province_q2 = _report(world, "03/GQKN", UBND, q2)
    assert (province_q2["2"], province_q2["2.2"], province_q2["6"]) == (1, 1, 1)
    assert _report(world, "03/GQKN", UBND, q1)["2.2"] == 0


def test_denunciation_conclusion(world):
    key = denunciations.accepted(world)
    assert _dates(world, key) == (date(2026, 3, 2), None, None)
    denunciations.verified(world, key)
    denunciations.concluded(world, key, on=date(2026, 3, 13), outcome="partly_upheld")
    # The conclusion states whether the denunciation is right, partly right or wrong.
    assert _dates(world, key) == (date(2026, 3, 2), date(2026, 3, 13), "partly_upheld")
    q1 = _report(world, "04/GQTC", UBND, reports.report_period("quarter", 2026, 1))
    assert (q1["2"], q1["3"], q1["8"], q1["10"], q1["10.1"], q1["10.2"]) == (1, 1, 0, 0, 1, 0)
