"""Inbox latency at scale: N cases and their open tasks, the inbox answered by the real Flask app.

Seeds a database with N petitions (default 1,000,000) and their open tasks, spread over the real
unit tree of one province (Thành phố Cần Thơ, 92: People's Committee, inspectorate, reception
office, departments and its 103 communes and wards), with officers per unit and role, tasks
assigned or waiting in their unit's queue, due dates of which some have passed. Nothing runs a
workflow: the inbox reads SQL only (task_index joined to petition), so the rows are written with
bulk INSERTs (SQLite) or COPY (PostgreSQL), secondary indexes built after the load.

Then, through the Flask test client, three officers sign in and ask for the first inbox page,
the overdue filter and a search without diacritics ("nguyen van"), each request repeated:
    officer     a handling officer of the People's Committee: "my tasks"
    queue       another handling officer there: the unit's queue of unclaimed tasks
    supervisor  the People's Committee's supervisor: every task of the province's units
and prints the median and p95 latency of each, with the rows on the page and the rows that
match in all.

usage: python bench/inbox.py [--cases N] [--url URL] [--repeat R] [--reseed]

The SQLite file (var/bench-inbox.db by default) or the PostgreSQL database is reused when it
already holds N cases; --reseed starts over. With a PostgreSQL URL whose database does not
exist, the database is created (e.g. on the test server of scripts/pg-test-server:
--url postgresql+psycopg://postgres@127.0.0.1:54329/bench_inbox).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tiepdan import wiring  # noqa: E402
from tiepdan.cases.models import Petition, Unit, User, UserRole  # noqa: E402
from tiepdan.cases.passwords import hash_password  # noqa: E402
from tiepdan.cases.units import seed_province  # noqa: E402
from tiepdan.config import Settings  # noqa: E402
from tiepdan.engine.clock import FixedClock  # noqa: E402
from tiepdan.engine.db import Base, make_engine, transaction  # noqa: E402
from tiepdan.engine.models import ProcessInstance, ProcessVersion, TaskIndex  # noqa: E402
from tiepdan.text import fold  # noqa: E402

PROVINCE = "92"
NOW = datetime(2026, 3, 2, 3)  # UTC; 10:00 in Vietnam, Monday 2 March 2026
TODAY = date(2026, 3, 2)
PASSWORD = "bench-inbox-2026"
SEED = 2026
BATCH = 20_000
LETTER_POOL = 20_000
SEARCH = "nguyen van"

# The bench's signed-in officers (username, unit key, roles, view).
OFFICER, QUEUE, SUPERVISOR = "bench.officer", "bench.queue", "bench.supervisor"
BENCH_USERS = (
    (OFFICER, "UBND", ("handling_officer",), "mine"),
    (QUEUE, "UBND", ("handling_officer",), "queue"),
    (SUPERVISOR, "UBND", ("supervisor",), "units"),
)

# The processes the tasks belong to: (process id, name, [(task spec, task name, role, weight)]).
PROCESSES = (
    ("petition_intake", "Tiếp nhận, xử lý đơn", [
        ("classify", "Phân loại, xử lý đơn", "handling_officer", 25),
        ("approve_complaint", "Lãnh đạo cho ý kiến thụ lý khiếu nại", "leader", 5),
        ("approve_denunciation", "Lãnh đạo cho ý kiến thụ lý tố cáo", "leader", 2),
        ("approve_recommendation", "Lãnh đạo cho ý kiến xử lý kiến nghị, phản ánh", "leader", 3),
        ("send_guidance", "Gửi phiếu hướng dẫn cho công dân", "handling_officer", 3),
        ("send_transfer", "Gửi phiếu chuyển đơn", "handling_officer", 3),
        ("send_transfer_denunciation", "Gửi phiếu chuyển đơn tố cáo", "handling_officer", 1),
        ("await_result", "Theo dõi kết quả của cơ quan nhận đơn", "handling_officer", 10),
        ("split_content", "Tách đơn có nhiều nội dung", "handling_officer", 1),
    ]),
    ("reception", "Tiếp công dân", [
        ("identify", "Xác định nhân thân", "reception_officer", 2),
        ("record_content", "Ghi nhận nội dung, tiếp nhận tài liệu", "reception_officer", 4),
        ("notify_citizen", "Thông báo cho công dân về việc xử lý", "reception_officer", 3),
    ]),
    ("complaint_first", "Giải quyết khiếu nại lần đầu", [
        ("verify", "Xác minh nội dung khiếu nại, báo cáo kết quả", "verifier", 10),
        ("dialogue", "Tổ chức đối thoại", "handling_officer", 5),
        ("draft_decision", "Dự thảo quyết định giải quyết khiếu nại", "handling_officer", 8),
        ("sign_decision", "Ký quyết định giải quyết khiếu nại", "leader", 4),
        ("send_decision", "Gửi quyết định giải quyết khiếu nại", "handling_officer", 3),
    ]),
)
CHANNELS = (("post", 55), ("reception", 25), ("forwarded", 12), ("online", 8))
STATUSES_OPEN = ("registered", "classified", "accepted", "transferred")


def weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


# --- the database ------------------------------------------------------------------------------


def sqlite_path(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def ensure_pg_database(url: str) -> None:
    """Create the PostgreSQL database named in `url` when it does not exist."""
    target = make_url(url)
    admin = make_engine(target.set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": target.database}).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()


def seeded_cases(engine) -> int | None:
    """How many cases a complete earlier seeding left, or None (no or unfinished seeding)."""
    from sqlalchemy import inspect

    if not inspect(engine).has_table("petition") or not inspect(engine).has_table("app_user"):
        return None
    with engine.connect() as conn:
        finished = conn.execute(select(func.count()).select_from(User).where(User.username == SUPERVISOR)).scalar()
        if not finished:
            return None
        return conn.execute(select(func.count()).select_from(Petition)).scalar()


@dataclass
class Officers:
    """Usernames per (unit code, role)."""
    by_unit_role: dict[tuple[str, str], list[str]]


def seed_units_and_users(services) -> tuple[list[Unit], Officers]:
    with transaction(services.sessions) as s:
        seed_province(s, PROVINCE, clock=services.runtime.clock)
    with transaction(services.sessions) as s:
        units = list(s.execute(select(Unit).where(Unit.on_system.is_(True)).order_by(Unit.id)).scalars())
        digest = hash_password(PASSWORD)
        officers: dict[tuple[str, str], list[str]] = {}
        rng = random.Random(SEED)
        for unit in units:
            big = unit.kind in ("province_committee", "provincial_inspectorate")
            counts = {"handling_officer": 20 if big else 4, "leader": 3 if big else 2,
                      "reception_officer": 4 if big else 2, "verifier": 12 if big else 2}
            for role, n in counts.items():
                for i in range(1, n + 1):
                    username = f"{unit.code.lower()}.{role.split('_')[0]}{i}"
                    s.add(User(username=username, full_name=f"Cán bộ {rng.choice(('Nguyễn', 'Trần', 'Lê'))} {i}",
                               unit=unit, created_at=NOW, role_rows=[UserRole(role=role)]))
                    officers.setdefault((unit.code, role), []).append(username)
        ubnd = next(u for u in units if u.kind == "province_committee")
        # The bench's officer is one of the People's Committee's handling officers who get tasks.
        officers[(ubnd.code, "handling_officer")].append(OFFICER)
        for username, _key, roles, _view in BENCH_USERS:
            s.add(User(username=username, full_name=f"Bench {username}", unit=ubnd, password_hash=digest,
                       created_at=NOW, role_rows=[UserRole(role=r) for r in roles]))
        for process_id, name, _tasks in PROCESSES:
            s.add(ProcessVersion(process_id=process_id, name=name, content_hash=f"bench-{process_id}",
                                 status="published", bpmn_xml="<bench/>", assets={}, created_at=NOW,
                                 created_by="bench", published_at=NOW, published_by="bench"))
    return units, Officers(officers)


def unit_weights(units: list[Unit]) -> list[tuple[Unit, float]]:
    """A quarter of the cases at the People's Committee, half in the communes (unevenly)."""
    rng = random.Random(SEED + 1)
    communes = [u for u in units if u.kind == "commune_committee"]
    departments = [u for u in units if u.kind == "department"]
    out = []
    for u in units:
        if u.kind == "province_committee":
            out.append((u, 25.0))
        elif u.kind in ("provincial_inspectorate", "citizen_reception_office"):
            out.append((u, 6.0))
        elif u.kind == "department":
            out.append((u, 13.0 / len(departments)))
    skew = [rng.paretovariate(1.5) for _ in communes]
    total = sum(skew)
    out += [(u, 50.0 * w / total) for u, w in zip(communes, skew)]
    return out


def letter_pool(n: int) -> list[tuple[str, str, str, int, str]]:
    """(title, content, petition type, petitioner count, folded title + content + names) of
    realistic letters (tiepdan.demo's generators), folded once and reused across cases."""
    from tiepdan import demo

    rng = random.Random(SEED + 2)
    pool = []
    for _ in tqdm(range(n), desc="letters", unit="letter", file=sys.stderr, leave=False):
        letter = demo.any_letter(rng, TODAY)
        names = " ".join(p.name for p in letter.petitioners if not letter.anonymous)
        ptype = letter.form.get("petition_type") or letter.kind
        if ptype not in ("complaint", "denunciation", "recommendation", "reflection"):
            ptype = "recommendation"
        pool.append((letter.title[:300], letter.content, ptype, letter.petitioner_count,
                     fold(" ".join((letter.title, letter.content, names)))))
    return pool


PETITION_COLUMNS = (
    "id", "business_key", "receipt_no", "receipt_year", "receipt_seq", "receiving_unit_id", "holding_unit_id",
    "channel", "received_at", "received_on", "title", "content", "petition_type", "anonymous",
    "eligibility_reasons", "petitioner_count", "previous_resolution", "result_note", "note", "status",
    "instance_level", "search_text", "created_at", "created_by", "updated_at",
)
INSTANCE_COLUMNS = (
    "id", "version_id", "process_id", "business_key", "unit_id", "status", "state", "lock_version",
    "created_at", "updated_at",
)
TASK_COLUMNS = (
    "id", "instance_id", "business_key", "process_id", "task_spec", "task_name", "role", "unit_id", "assignee",
    "created_at", "due_date", "state",
)


class Loader:
    """Bulk rows into a table: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, engine):
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self.raw = engine.raw_connection()
        if self.sqlite:
            cur = self.raw.cursor()
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-1000000")  # 1 GB of page cache while loading
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.close()

    def _value(self, v):
        if not self.sqlite:
            return v
        if isinstance(v, datetime):
            return v.strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, bool):
            return int(v)
        return v

    def load(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        cur = self.raw.cursor()
        if self.sqlite:
            marks = ", ".join("?" for _ in columns)
            cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                            [tuple(self._value(v) for v in row) for row in rows])
        else:
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        cur.close()

    def commit(self) -> None:
        self.raw.commit()

    def close(self) -> None:
        self.raw.close()


def seed(services, n: int) -> float:
    started = time.perf_counter()
    engine = services.db
    Base.metadata.create_all(engine)
    units, officers = seed_units_and_users(services)
    weights = unit_weights(units)
    pool = letter_pool(min(LETTER_POOL, max(100, n // 10)))
    with services.sessions() as s:
        versions = dict(s.execute(select(ProcessVersion.process_id, ProcessVersion.id)).all())
    tasks_by_process = [(pid, specs) for pid, _name, specs in PROCESSES]
    process_weights = [sum(w for *_x, w in specs) for _pid, specs in tasks_by_process]
    heavy = [Petition.__table__, ProcessInstance.__table__, TaskIndex.__table__]
    # Secondary indexes are built once, after the load: much faster than keeping them up to
    # date row by row (the unique constraints stay; they are part of the tables).
    with engine.begin() as conn:
        for table in heavy:
            for index in table.indexes:
                index.drop(conn)

    rng = random.Random(SEED + 3)
    unit_list, unit_w = zip(*weights)
    counters: dict[tuple[int, int], int] = {}
    loader = Loader(engine)
    petitions: list[tuple] = []
    instances: list[tuple] = []
    tasks: list[tuple] = []
    bar = tqdm(total=n, desc="seeding cases", unit="case", file=sys.stderr, unit_scale=True)
    chosen_units = rng.choices(unit_list, unit_w, k=n)
    for i in range(n):
        unit = chosen_units[i]
        received_on = TODAY - timedelta(days=int(rng.expovariate(1 / 120)) % 1100)
        received_at = datetime.combine(received_on, datetime.min.time()) + timedelta(
            hours=1 + rng.random() * 9) - timedelta(hours=7)
        year = received_on.year
        seq = counters[(unit.id, year)] = counters.get((unit.id, year), 0) + 1
        key = f"{unit.code}/{year}/{seq}"
        receipt_no = f"{seq}/{year}/TCD-{unit.abbreviation}"
        title, content, ptype, count, folded = pool[rng.randrange(len(pool))]
        pid = i + 1
        petitions.append((
            pid, key, receipt_no, year, seq, unit.id, unit.id, weighted(rng, CHANNELS), received_at, received_on,
            title, content, ptype, False, "[]", count, "", "", "", rng.choice(STATUSES_OPEN), 1,
            f"{fold(receipt_no)} {folded}", received_at, "bench", received_at,
        ))
        process_id, specs = rng.choices(tasks_by_process, process_weights)[0]
        instances.append((pid, versions[process_id], process_id, key, unit.code, "waiting", "{}", 1,
                          received_at, received_at))
        r = rng.random()
        n_tasks = 0 if r < 0.05 else (2 if r > 0.92 else 1)
        for spec, name, role, _w in rng.choices(specs, [w for *_x, w in specs], k=n_tasks):
            roll = rng.random()
            if roll < 0.05:
                due = None
            elif roll < 0.17:
                due = TODAY - timedelta(days=rng.randint(1, 30))
            else:
                due = TODAY + timedelta(days=rng.randint(0, 60))
            pool_users = officers.by_unit_role.get((unit.code, role), [])
            assignee = rng.choice(pool_users) if pool_users and rng.random() < 0.6 else None
            created = received_at + timedelta(days=rng.randint(0, 5))
            state = "suspended" if rng.random() < 0.01 else "open"
            task_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            tasks.append((task_id, pid, key, process_id, spec, name, role, unit.code, assignee, created, due, state))
        if len(petitions) >= BATCH or i == n - 1:
            loader.load("petition", PETITION_COLUMNS, petitions)
            loader.load("process_instance", INSTANCE_COLUMNS, instances)
            loader.load("task_index", TASK_COLUMNS, tasks)
            loader.commit()
            bar.update(len(petitions))
            petitions, instances, tasks = [], [], []
    bar.close()
    loader.close()
    indexes = [index for table in heavy for index in table.indexes]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET maintenance_work_mem = '1GB'"))
        for index in tqdm(indexes, desc="indexes", unit="index", file=sys.stderr):
            index.create(conn)
    if engine.dialect.name == "postgresql":
        # What autovacuum would do shortly after such a load; SQLite gets no statistics, as a
        # deployment's file has none unless someone runs ANALYZE.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - started


def ensure_indexes(engine) -> None:
    """Bring a reused database's indexes in line with the models (they may have changed since it
    was seeded): create the missing ones, drop the ones the models no longer declare."""
    from sqlalchemy import inspect

    heavy = [Petition.__table__, ProcessInstance.__table__, TaskIndex.__table__]
    with engine.begin() as conn:
        inspector = inspect(conn)
        for table in heavy:
            # (a unique constraint's index, as PostgreSQL reports it, is the constraint's business)
            have = {ix["name"] for ix in inspector.get_indexes(table.name)
                    if not ix.get("unique") and not ix.get("duplicates_constraint")}
            want = {ix.name for ix in table.indexes}
            for index in table.indexes:
                if index.name not in have:
                    print(f"creating index {index.name}", file=sys.stderr)
                    index.create(conn)
            for name in sorted(have - want):
                print(f"dropping index {name} (no longer in the models)", file=sys.stderr)
                conn.execute(text(f"DROP INDEX {name}"))


# --- measuring -----------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def measure(services, repeat: int) -> list[tuple[str, str, float, float, int, int]]:
    import re

    from tiepdan.webui import create_app
    from tiepdan.webui import inbox as inbox_module

    app = create_app(services, {"WTF_CSRF_ENABLED": False})
    results = []
    for username, _key, _roles, view in BENCH_USERS:
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        queries = (
            ("first page", {"view": view}),
            ("overdue", {"view": view, "overdue": "1"}),
            (f"search '{SEARCH}'", {"view": view, "q": SEARCH}),
        )
        for label, args in queries:
            page = client.get("/inbox", query_string=args)  # warm-up
            assert page.status_code == 200, (username, args, page.status_code)
            on_page = len(re.findall(r'data-task="', page.get_data(as_text=True)))
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                page = client.get("/inbox", query_string=args)
                times.append(time.perf_counter() - started)
                assert page.status_code == 200
            with services.sessions() as s:
                user = s.execute(select(User).where(User.username == username)).scalar_one()
                filters = inbox_module.parse_filters(args)
                stmt = inbox_module.inbox_query(s, user, view, filters, TODAY)
                stmt = stmt.limit(None).offset(None).order_by(None)
                total = s.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
            results.append((f"{username} ({view})", label, statistics.median(times) * 1000,
                            percentile(times, 95) * 1000, on_page, total))
            print(f"  {username:17} {view:6} {label:22} median {results[-1][2]:7.1f} ms  "
                  f"p95 {results[-1][3]:7.1f} ms  rows {on_page:3} of {total:,}", file=sys.stderr)
    return results


def open_seeded(url: str | None, cases: int, reseed: bool, var: str):
    """The services on the benchmark database, seeded with `cases` cases unless it already holds
    them (then only its indexes are brought in line with the models). Returns (services, url,
    seconds spent seeding or None)."""
    url = url or f"sqlite:///{ROOT / 'var' / 'bench-inbox.db'}"
    if url.startswith("postgresql"):
        ensure_pg_database(url)
    settings = Settings(database_url=url, var_dir=Path(var), processes_dir=ROOT / "processes")
    services = wiring.build(settings, clock=FixedClock(NOW))
    have = seeded_cases(services.db)
    if have == cases and not reseed:
        print(f"reusing the seeded database ({have:,} cases): {url}", file=sys.stderr)
        ensure_indexes(services.db)
        return services, url, None
    if have is not None or reseed:
        print(f"database holds {have} cases, not {cases:,}: seeding again", file=sys.stderr)
    services.db.dispose()
    path = sqlite_path(url)
    if path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        Base.metadata.drop_all(services.db)
    return services, url, seed(services, cases)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--url", default=None, help="database URL (default: sqlite:///var/bench-inbox.db)")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--reseed", action="store_true", help="seed again even when the database matches")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        services, _url, seconds = open_seeded(args.url, args.cases, args.reseed, var)
        backend = services.db.dialect.name
        with services.sessions() as s:
            n_tasks = s.execute(select(func.count()).select_from(TaskIndex)).scalar_one()
            n_overdue = s.execute(select(func.count()).select_from(TaskIndex).where(TaskIndex.due_date < TODAY)).scalar_one()
            n_units = s.execute(select(func.count()).select_from(Unit).where(Unit.on_system.is_(True))).scalar_one()
        version = services.db.dialect.server_version_info
        print(f"backend={backend} {'.'.join(map(str, version or ()))} cases={args.cases:,} open tasks={n_tasks:,} "
              f"(overdue {n_overdue:,} on {TODAY:%d/%m/%Y}) units={n_units}"
              + (f" seeded in {seconds:.0f} s" if seconds is not None else " (reused)"))
        print(f"latency of GET /inbox through the Flask app, {args.repeat} requests each "
              f"(page of 50 rows, with the tab counts and the filter choices):")
        results = measure(services, args.repeat)
        for who, label, median, p95, on_page, total in results:
            print(f"{who:28} {label:22} median {median:7.1f} ms  p95 {p95:7.1f} ms  rows {on_page:3} of {total:>9,}")
        services.db.dispose()


if __name__ == "__main__":
    main()
