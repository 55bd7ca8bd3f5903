"""Periodic reports at scale: a year's report forms for a province with N cases in a SQLite file.

Seeds N petitions (default 1,000,000) over the real unit tree of one province (Thành phố Cần Thơ,
92: People's Committee, inspectorate, reception office, departments and its communes and wards),
a third of them presented at reception sessions (one session per such petition, some groups and
leaders' sessions, plus refused sessions), with types, channels, classifications and statuses
in plausible proportions, received between 1 December 2025 and 31 December 2026; extensions,
withdrawals and an open task (some overdue) for the cases being resolved, acceptance and
decision dates and outcomes for the accepted and resolved ones, and obligations to execute for
some resolved ones. Rows are written with bulk INSERTs; nothing runs a workflow (the reports read
SQL only).

Then builds every form (01/TCD to 06/QLKNTC) for the People's Committee and its subtree for
the year 2026 (15/12/2025 to 14/12/2026), each `--repeat` times, and prints the median seconds
per form, their sum, and build_all (all forms together), with each form's first figure as
a check.

usage: python bench/reports.py [--cases N] [--db PATH] [--repeat R] [--reseed]

The file (var/bench-reports.db by default) is reused when it already holds N cases.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tiepdan.cases import reports, users  # noqa: E402
from tiepdan.cases.models import (  # noqa: E402
    CaseClockEvent, ExecutionItem, Petition, Reception, Unit, Withdrawal,
)
from tiepdan.cases.units import seed_province  # noqa: E402
from tiepdan.engine.clock import FixedClock  # noqa: E402
from tiepdan.engine.db import Base, make_engine, make_sessionmaker, transaction  # noqa: E402
from tiepdan.engine.models import ProcessInstance, ProcessVersion, TaskIndex  # noqa: E402

PROVINCE = "92"
NOW = datetime(2026, 12, 20, 3)
FIRST_DAY, DAYS = date(2025, 12, 1), 396  # to 31/12/2026
SEED = 2026
BATCH = 20_000

TYPES = (("complaint", 40), ("denunciation", 15), ("recommendation", 35), ("mixed", 3), (None, 7))
CHANNELS = (("post", 45), ("forwarded", 15), ("online", 7))  # in_person: the reception third
STATUSES = (("registered", 4), ("classified", 4), ("accepted", 10), ("guided", 12), ("transferred", 12),
            ("archived", 15), ("resolving", 10), ("suspended", 2), ("resolved", 25), ("withdrawn", 3),
            ("closed", 3))
OPEN = {"accepted", "resolving", "suspended"}
ACCEPTED = OPEN | {"resolved", "withdrawn", "closed"}
OUTCOMES = ("upheld", "partly_upheld", "rejected")


def _picker(rng: random.Random, weighted):
    values = [v for v, _ in weighted]
    weights = [w for _, w in weighted]
    return lambda: rng.choices(values, weights)[0]


def _count(engine) -> int:
    with engine.connect() as conn:
        try:
            # Counting a column of the current schema: a file seeded before it is seeded again.
            return conn.execute(select(func.count(Petition.id), func.count(Petition.accepted_on))).one()[0]
        except Exception:
            return -1


def seed(path: Path, n: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    clock = FixedClock(NOW)
    with transaction(make_sessionmaker(engine)) as s:
        root = seed_province(s, PROVINCE, clock=clock)
        officer = users.create_user(s, username="bench.tiep", full_name="Cán bộ tiếp", unit=root,
                                    roles=["reception_officer", "leader"], clock=clock)
        inner = [u.id for u in s.execute(select(Unit).where(Unit.on_system.is_(True), Unit.path.like(root.path + "%"))).scalars()]
        outside = [(u.id, u.kind) for u in s.execute(select(Unit).where(Unit.on_system.is_(False))).scalars()]
        codes = dict(s.execute(select(Unit.id, Unit.code)).all())
        officer_id = officer.id
        version = ProcessVersion(process_id="complaint_first", content_hash="0" * 64, bpmn_xml="<bench/>",
                                 status="published", created_at=NOW)
        s.add(version)
        s.flush()
        instance = ProcessInstance(version_id=version.id, process_id="complaint_first", business_key="bench",
                                   status="running", state="{}", created_at=NOW, updated_at=NOW)
        s.add(instance)
        s.flush()
        instance_id = instance.id
    investigation = [uid for uid, kind in outside if kind == "investigation"] or [outside[0][0]]
    rng = random.Random(SEED)
    pick_type, pick_channel, pick_status = _picker(rng, TYPES), _picker(rng, CHANNELS), _picker(rng, STATUSES)
    seqs: dict[tuple[int, int], int] = {}
    reception_id = 0
    with engine.begin() as conn, tqdm(total=n, unit="case", desc="seeding") as bar:
        for start in range(1, n + 1, BATCH):
            petitions_, receptions_, tasks, events, withdrawals, items = [], [], [], [], [], []
            for pid in range(start, min(start + BATCH, n + 1)):
                day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
                at = datetime(day.year, day.month, day.day, 2) + timedelta(minutes=rng.randrange(480))
                unit_id = rng.choice(inner)
                seq = seqs[(unit_id, day.year)] = seqs.get((unit_id, day.year), 0) + 1
                kind, status = pick_type(), pick_status()
                level = 2 if kind == "complaint" and rng.random() < 0.15 else 1
                rid = None
                if rng.random() < 1 / 3:
                    reception_id += 1
                    rid = reception_id
                    group = rng.random() < 0.04
                    receptions_.append(dict(
                        id=rid, unit_id=unit_id, received_on=day, received_at=at, received_by_id=officer_id,
                        is_leader_session=rng.random() < 0.1, citizen_count=rng.randint(5, 30) if group else 1,
                        refused=False, created_at=NOW,
                    ))
                    if rng.random() < 0.03:  # a refused session besides
                        reception_id += 1
                        receptions_.append(dict(
                            id=reception_id, unit_id=unit_id, received_on=day, received_at=at,
                            received_by_id=officer_id, is_leader_session=False, citizen_count=1, refused=True,
                            refusal_ground="ltcd_9_1_incapacity", created_at=NOW,
                        ))
                transferred = status == "transferred"
                to_unit = (rng.choice(investigation) if kind == "denunciation" and rng.random() < 0.2
                           else rng.choice(outside)[0]) if transferred else None
                accepted_on = day + timedelta(days=rng.randint(1, 10)) if status in ACCEPTED else None
                decided_on = accepted_on + timedelta(days=rng.randint(20, 90)) if status == "resolved" else None
                petitions_.append(dict(
                    id=pid, business_key=f"{codes[unit_id]}/{day.year}/{seq}", receipt_no=f"{seq}/{day.year}/TCD",
                    receipt_year=day.year, receipt_seq=seq, receiving_unit_id=unit_id, holding_unit_id=unit_id,
                    reception_id=rid, channel="in_person" if rid else pick_channel(), received_at=at,
                    received_on=day, content="Nội dung đơn", petition_type=kind,
                    eligible=None if status == "registered" else status != "archived" or rng.random() < 0.3,
                    within_competence=None if status in ("registered", "archived")
                    else status not in ("guided", "transferred"),
                    petitioner_count=1, duplicate_of_id=rng.randrange(1, pid) if pid > 1 and rng.random() < 0.05 else None,
                    transferred_to_unit_id=to_unit, transferred_on=day + timedelta(days=3) if transferred else None,
                    status=status, instance_level=level, accepted_on=accepted_on, decided_on=decided_on,
                    decision_outcome=rng.choice(OUTCOMES) if decided_on and kind in ("complaint", "denunciation") else None,
                    created_at=NOW, updated_at=NOW,
                ))
                if status in OPEN:
                    due = day + timedelta(days=rng.randint(20, 60))
                    tasks.append(dict(
                        id=f"t{pid}", instance_id=instance_id, business_key=petitions_[-1]["business_key"],
                        process_id="complaint_first", task_spec="resolve", task_name="Giải quyết", role="leader",
                        unit_id=codes[unit_id], created_at=NOW, due_date=due, state="open",
                    ))
                if kind == "denunciation" and status not in ("registered", "classified") and rng.random() < 0.1:
                    events.append(dict(petition_id=pid, kind="extension", on_date=day + timedelta(days=30),
                                       complexity="complex", created_at=NOW))
                if decided_on and rng.random() < 0.3:
                    due_on = decided_on + timedelta(days=30)
                    items.append(dict(petition_id=pid, obligor="Ủy ban nhân dân xã", action="Thực hiện", due_on=due_on,
                                      done_on=due_on + timedelta(days=rng.randint(-20, 20)) if rng.random() < 0.7 else None,
                                      created_at=NOW))
                if status in OPEN and rng.random() < 0.05:
                    withdrawals.append(dict(petition_id=pid, on_date=day + timedelta(days=5), scope="partial",
                                            content="một phần", created_at=NOW))
            if receptions_:
                conn.execute(insert(Reception.__table__), receptions_)
            conn.execute(insert(Petition.__table__), petitions_)
            for table, rows in ((TaskIndex, tasks), (CaseClockEvent, events), (Withdrawal, withdrawals),
                                (ExecutionItem, items)):
                if rows:
                    conn.execute(insert(table.__table__), rows)
            bar.update(len(petitions_))
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench-reports.db")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()

    engine = make_engine(f"sqlite:///{args.db}")
    have = _count(engine) if args.db.exists() else -1
    engine.dispose()
    if args.reseed or have != args.cases:
        t0 = time.perf_counter()
        seed(args.db, args.cases)
        print(f"seeded {args.cases:,} cases in {time.perf_counter() - t0:.1f} s -> {args.db}")
    else:
        print(f"reusing {args.db} ({have:,} cases)")

    engine = make_engine(f"sqlite:///{args.db}")
    sessions = make_sessionmaker(engine)
    year = reports.report_period("year", 2026)
    with sessions() as s:
        committee = s.execute(select(Unit).where(Unit.code == f"{PROVINCE}.UBND")).scalar_one()
        in_year = s.execute(select(func.count()).select_from(Petition).where(
            Petition.received_on.between(year.start, year.end))).scalar_one()
        print(f"{year.label}: {in_year:,} petitions received in the period; unit {committee.code} and subtree")
        total = 0.0
        for form in reports.FORMS:
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                rep = reports.build_report(s, form, committee, year)
                times.append(time.perf_counter() - t0)
            median = statistics.median(times)
            total += median
            print(f"{form:<8} {median:7.3f} s   (row 1 = {rep.rows[0].value:,})")
        print(f"sum      {total:7.3f} s   (each form on its own)")
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            reports.build_all(s, committee, year)
            times.append(time.perf_counter() - t0)
        print(f"all      {statistics.median(times):7.3f} s   (build_all)")
    engine.dispose()


if __name__ == "__main__":
    main()
