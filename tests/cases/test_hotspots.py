"""Hot spots on a known set, on both backends: group petitions at the threshold, a matter
repeated just under and at the threshold, communes rising just under and at the threshold, the
commune of a petition about a commune body received at the province, the thresholds as data, and
no denouncer's identity in anything the page shows."""
from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime

import pytest

from tiepdan.cases import hotspots, parties, petitions
from tiepdan.config import REPO_ROOT

from .conftest import person

MARCH = (date(2026, 3, 1), date(2026, 3, 31))  # the previous period: 29/01-28/02
DENOUNCER, CCCD = "Vương Thị Kín Tên", "004188000123"


def _petition(s, world, unit, day, *, count=1, kind="recommendation", about=None, duplicate_of=None,
              title="", denouncer=False):
    p = petitions.register_petition(s, unit=unit, channel="post", created_by="xuly.btcd", petition_type=kind,
                                    content="Nội dung", title=title, petitioner_count=count,
                                    received_at=datetime(day.year, day.month, day.day, 2, 0),
                                    clock=world.clock).petition
    if about:
        parties.add_respondent(s, p, name="Cán bộ", position="Công chức", organisation_unit=about)
    if denouncer:
        parties.add_petitioner(s, p, person(DENOUNCER, address="Tổ 1", cccd=CCCD))
    if duplicate_of is not None:
        petitions.mark_duplicate(p, duplicate_of, clock=world.clock)
    return p


@pytest.fixture
def known(world):
    """Thục Phán (A): 6 in March (one of 5 petitioners, one of 4), 2 before: rising. Nùng Trí Cao
    (B): 4 received there + 1 at the office about its committee = 5 in March, 4 before: +25 %,
    not rising. The office: a matter first petitioned in February and 3 times in March (flagged),
    another petitioned twice in March (not), and one letter about nobody (no commune)."""
    keys = {}
    with world.session() as s:
        a = world.commune
        for day in range(1, 5):
            _petition(s, world, a, date(2026, 3, day))
        keys["group"] = _petition(s, world, a, date(2026, 3, 5), count=5, kind="denunciation", denouncer=True,
                                  title=f"Đơn tố cáo của bà {DENOUNCER}").business_key
        keys["four"] = _petition(s, world, a, date(2026, 3, 31), count=4).business_key
        _petition(s, world, a, date(2026, 2, 28))
        _petition(s, world, a, date(2026, 1, 29))
        _petition(s, world, a, date(2026, 1, 28))  # before the previous period: not counted
        b = world.other_commune
        for day in range(1, 5):
            _petition(s, world, b, date(2026, 3, day))
            _petition(s, world, b, date(2026, 2, day))
        keys["about_b"] = _petition(s, world, world.office, date(2026, 3, 6), about=b).business_key
        first = _petition(s, world, world.office, date(2026, 2, 10), kind="complaint")
        keys["repeats"] = [_petition(s, world, world.office, date(2026, 3, d), kind="complaint",
                                     duplicate_of=first).business_key for d in (2, 9, 16)]
        other = _petition(s, world, world.office, date(2026, 3, 3))
        keys["other"] = other.business_key
        keys["twice"] = _petition(s, world, world.office, date(2026, 3, 4), duplicate_of=other).business_key
        keys["nowhere"] = _petition(s, world, world.office, date(2026, 3, 7)).business_key
        _petition(s, world, world.office, date(2026, 4, 1), count=9)  # after the period
    return keys


def _find(world, unit=None, limits=None):
    with world.session() as s:
        return hotspots.find_hotspots(s, unit or world.committee, *MARCH, limits=limits)


def test_communes_and_flags(world, known):
    found = _find(world)
    assert (found.previous_start, found.previous_end) == (date(2026, 1, 29), date(2026, 2, 28))
    rows = {r.name: (r.count, r.previous, r.groups, r.repeated, r.rising) for r in found.communes}
    assert rows == {
        "Phường Thục Phán": (6, 2, 1, 0, True),
        "Phường Nùng Trí Cao": (5, 4, 0, 0, False),
        "Chưa xác định xã": (6, 1, 0, 3, False),  # rising, but not a commune
    }
    assert [r.name for r in found.communes][0] == "Phường Thục Phán"  # flagged, most petitions first
    thuc_phan = found.communes[0]
    assert thuc_phan.change_percent == 200 and thuc_phan.code == "01273"
    flagged = {c.business_key: (c.group, c.repeated, c.commune) for c in found.cases}
    assert flagged == {
        known["group"]: (True, False, "Phường Thục Phán"),
        **{key: (False, True, "Chưa xác định xã") for key in known["repeats"]},
    }


def test_thresholds_are_data(world, known, tmp_path):
    limits = hotspots.thresholds(REPO_ROOT / "processes" / "hotspots.yaml")
    assert limits == hotspots.Thresholds(5, 3, 5, 50)
    # One petitioner fewer for a group, one petition fewer for a repeat, +25 % is a rise.
    looser = hotspots.Thresholds(4, 2, 5, 25)
    found = _find(world, limits=looser)
    flagged = {c.business_key for c in found.cases}
    assert {known["four"], known["other"], known["twice"], known["group"], *known["repeats"]} == flagged
    assert {r.name for r in found.communes if r.rising} == {"Phường Thục Phán", "Phường Nùng Trí Cao"}
    bad = tmp_path / "hotspots.yaml"
    bad.write_text("group_min_petitioners: 1\nrepeat_min_petitions: 3\nrising: {min_count: 5, rise_percent: 50}\n")
    with pytest.raises(hotspots.HotspotError):
        hotspots.thresholds(bad)
    bad.write_text("group_min_petitioners: 5\n")
    with pytest.raises(hotspots.HotspotError):
        hotspots.thresholds(bad)


def test_scope_and_bad_period(world, known):
    commune = _find(world, world.commune)
    assert [(r.name, r.count) for r in commune.communes] == [("Phường Thục Phán", 6)]
    assert [c.business_key for c in commune.cases] == [known["group"]]
    with world.session() as s, pytest.raises(hotspots.HotspotError):
        hotspots.find_hotspots(s, world.committee, date(2026, 3, 31), date(2026, 3, 1))


def test_no_identity_in_hotspots(world, known):
    text = json.dumps(asdict(_find(world)), default=str, ensure_ascii=False)
    assert DENOUNCER not in text and CCCD not in text and "Đơn tố cáo" not in text
