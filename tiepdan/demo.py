"""Demo data for `make run` (`tiepdan init-db --demo`): one real province, users for every role,
and a few hundred petitions spread over every stage of the whole life of a case, from the front
desk to the execution of the decision.

Only an empty database (no units) is seeded; a database with anything in it is left alone, so
running it twice adds nothing. The province is Thành phố Cần Thơ (code 92), which since the 2025
reform includes the former Hậu Giang and Sóc Trăng provinces (the plans in shared/seeds/ are
Sóc Trăng's): its People's Committee, inspectorate, reception office, departments, outside bodies
and all of its 103 communes and wards come from the `vietnam-provinces` package through
`cases.units.seed_province`. Every diagram of processes/ is published.

How the petitions get their stages
    The letters and reception sessions of the intake stages are received over the last ~60 days;
    the cases taken on through their resolution over the last ~4 months (DAYS_BACK). A separate
    set of services runs on a `FixedClock` that a small discrete-event simulation moves forward:
    every case is a plan (a generator) that registers a letter or opens a reception session at
    its receipt time and then completes the diagrams' tasks a few working days apart, and raises
    the leaders' events (suspension, continuation, extension, withdrawal, appeal), through the
    real runtime and the real handlers, exactly as officers would. A plan step that would fall
    after "now" is not taken, so the case waits at that task. Once a day (local midnight) the
    due timers fire: reminders and escalations of overdue tasks (some of the supervisor's
    reviews are done, the rest stay open), the end of an appeal window (the decision takes
    effect and its execution is followed), the end of a publication. Each step is its own
    transaction (the runtime's), so a crash keeps what was committed.

    Accepted petitions go on through complaint_first (acceptance notice, verification,
    dialogue, decision, sending, publication, appeal window, execution; suspended, continued,
    withdrawn, refused), complaint_second (complaints of Phường Sóc Trăng appealed to the city),
    denunciation (acceptance, notices, verification with one or two extensions, conclusion,
    signs of crime sent to the investigation body, publication, execution; suspended),
    denunciation_review (re-denunciations waiting, refused, taken over) and recommendation
    (handled, transferred to the department, the citizen told). No instance is left in error.

The names, addresses and 12-digit CCCD numbers are fake, generated from a fixed seed
(`random.Random(seed)`): the same demo every time for the same `now`.
"""
from __future__ import annotations

import heapq
import itertools
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta, timezone
from typing import Callable, Iterator

from sqlalchemy import func, select

from .config import Settings
from .engine.clock import LOCAL_TZ, Clock, FixedClock, utc_to_local

PROVINCE = "92"  # Thành phố Cần Thơ
UBND, TTR, SNNMT = f"{PROVINCE}.UBND", f"{PROVINCE}.TTR", f"{PROVINCE}.SNNMT"
COMMUNE = f"{PROVINCE}.X31507"  # Phường Sóc Trăng (the former Sóc Trăng city)
DEMO_PASSWORD = "tiepdan2026"
DAYS_BACK = 120
DEFAULT_SEED = 2026
CITY = "thành phố Cần Thơ"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    unit: str
    roles: tuple[str, ...]


# One user per role at the People's Committee, a verifier at the inspectorate, and the people a
# transfer reaches: a commune's handling officer and leader, a department's handling officer.
DEMO_USERS = (
    DemoUser("tiepcongdan", "Nguyễn Thị Thanh Hương", UBND, ("reception_officer",)),
    DemoUser("xulydon", "Lê Minh Tuấn", UBND, ("handling_officer",)),
    DemoUser("lanhdao", "Trần Văn Phúc", UBND, ("leader",)),
    DemoUser("giamsat", "Võ Thị Ngọc Lan", UBND, ("supervisor",)),
    DemoUser("phapche", "Huỳnh Văn Khánh", UBND, ("legal_staff",)),
    DemoUser("quantri", "Đặng Hoàng Nam", UBND, ("administrator",)),
    DemoUser("xacminh", "Phạm Quốc Bảo", TTR, ("verifier",)),
    DemoUser("xulydon.soctrang", "Thạch Thị Sa Rương", COMMUNE, ("handling_officer",)),
    DemoUser("lanhdao.soctrang", "Lâm Văn Hiếu", COMMUNE, ("leader",)),
    DemoUser("xulydon.snnmt", "Châu Ngọc Diễm", SNNMT, ("handling_officer",)),
)
FRONT_DESK, OFFICER, LEADER = "tiepcongdan", "xulydon", "lanhdao"
VERIFIER, SUPERVISOR = "xacminh", "giamsat"
COMMUNE_OFFICER, COMMUNE_LEADER = "xulydon.soctrang", "lanhdao.soctrang"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str
    unit: str
    unit_name: str
    password: str


@dataclass
class DemoSummary:
    seeded: bool
    today: date | None = None
    logins: list[DemoLogin] = field(default_factory=list)
    cases: int = 0
    petitions: int = 0
    receptions: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_plan: dict[str, int] = field(default_factory=dict)
    instances: dict[str, int] = field(default_factory=dict)  # by status
    processes: dict[str, int] = field(default_factory=dict)  # instances by process id
    open_tasks: int = 0
    overdue_tasks: int = 0
    failures: list[str] = field(default_factory=list)
    cut_short: dict[str, int] = field(default_factory=dict)  # plan -> cases that stopped before its last step
    seconds: float = 0.0


def demo_logins(unit_names: dict[str, str] | None = None) -> list[DemoLogin]:
    names = unit_names or {}
    return [
        DemoLogin(u.username, u.full_name, role, u.unit, names.get(u.unit, u.unit), DEMO_PASSWORD)
        for u in DEMO_USERS
        for role in u.roles
    ]


# --- people and places -----------------------------------------------------------------------

# (commune code, how it is written mid-sentence, urban?, former province for the ID prefix)
PLACES = (
    ("31135", "phường Ninh Kiều", True, "092"), ("31120", "phường Cái Khế", True, "092"),
    ("31147", "phường Tân An", True, "092"), ("31168", "phường Bình Thủy", True, "092"),
    ("31186", "phường Cái Răng", True, "092"), ("31201", "phường Hưng Phú", True, "092"),
    ("31153", "phường Ô Môn", True, "092"), ("31212", "phường Thốt Nốt", True, "092"),
    ("31299", "xã Phong Điền", False, "092"), ("31258", "xã Thới Lai", False, "092"),
    ("31261", "xã Cờ Đỏ", False, "092"), ("31232", "xã Vĩnh Thạnh", False, "092"),
    ("31321", "phường Vị Thanh", True, "093"), ("31340", "phường Ngã Bảy", True, "093"),
    ("31366", "xã Châu Thành", False, "093"), ("31420", "xã Phụng Hiệp", False, "093"),
    ("31507", "phường Sóc Trăng", True, "094"), ("31510", "phường Phú Lợi", True, "094"),
    ("31684", "phường Mỹ Xuyên", True, "094"), ("31783", "phường Vĩnh Châu", True, "094"),
    ("31528", "xã Kế Sách", False, "094"), ("31639", "xã Long Phú", False, "094"),
    ("31633", "xã Cù Lao Dung", False, "094"), ("31673", "xã Trần Đề", False, "094"),
    ("31567", "xã Mỹ Tú", False, "094"), ("31645", "xã Đại Ngãi", False, "094"),
)
HOME_COMMUNE = next(p for p in PLACES if p[0] == COMMUNE.split(".X")[1])
STREETS = (
    "đường 30 Tháng 4", "đường Trần Hưng Đạo", "đường Nguyễn Văn Cừ", "đường 3 Tháng 2", "đường Mậu Thân",
    "đường Hùng Vương", "đường Lê Hồng Phong", "đường Phú Lợi", "đường Tôn Đức Thắng", "đường Trần Phú",
    "đường Nguyễn Trãi", "đường Võ Văn Kiệt", "đường Lý Tự Trọng", "đường Cách Mạng Tháng Tám",
    "đường Trương Công Định", "đường Phạm Hùng", "đường Nguyễn Văn Linh", "đường Quang Trung",
)
HAMLETS = (
    "Nhơn Lộc", "Thạnh Hòa", "Mỹ Phước", "Tân Long", "Hòa Thuận", "An Thới", "Phú Thạnh", "Trường Phú",
    "Đông Hòa", "Bình An", "Thới Thuận", "Mỹ Khánh", "Tân Qui", "Phước Hòa", "Long Hưng", "Xóm Chòi",
)
SURNAMES = (
    ("Nguyễn", 30), ("Trần", 12), ("Lê", 10), ("Phạm", 6), ("Huỳnh", 6), ("Võ", 5), ("Phan", 4),
    ("Trương", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 2), ("Dương", 2), ("Lý", 2),
    ("Lâm", 2), ("Châu", 1), ("Tăng", 1), ("Quách", 1), ("Mai", 1), ("Đoàn", 1),
)
MALE_MIDDLE = ("Văn", "Văn", "Văn", "Minh", "Hoàng", "Quốc", "Hữu", "Thanh", "Công", "Phước", "Tấn", "Thành")
FEMALE_MIDDLE = ("Thị", "Thị", "Thị", "Ngọc", "Thanh", "Kim", "Mỹ", "Thúy", "Bích", "Hồng", "Thị Kim")
MALE_GIVEN = (
    "Hùng", "Dũng", "Tâm", "Phước", "Lộc", "Thành", "Tài", "Nghĩa", "Hải", "Sơn", "Tuấn", "Bình", "Khánh",
    "Trung", "Hiếu", "Nhân", "Thiện", "Phúc", "Vinh", "Đức", "Hòa", "Quang", "Toàn", "Kiệt", "Sang", "Lợi",
)
FEMALE_GIVEN = (
    "Lan", "Hoa", "Mai", "Hương", "Thảo", "Nga", "Hạnh", "Trang", "Diễm", "Tuyết", "Loan", "Phượng", "Yến",
    "Nhung", "Xuân", "Cúc", "Hằng", "Thủy", "Vân", "Linh", "Bé", "Út", "Nhi",
)
# Khmer names, common in the former Sóc Trăng.
KHMER = (
    ("Thạch Sô Phol", True), ("Sơn Chanh Đa", True), ("Danh Sóc", True), ("Lý Sà Rây", True),
    ("Thạch Thị Sa Rương", False), ("Lâm Thị Sa Ly", False), ("Kim Thị Sa Rinh", False), ("Sơn Thị Mỹ Linh", False),
)
PHONE_PREFIXES = (
    "090", "091", "093", "094", "096", "097", "098", "032", "033", "036", "037", "039", "070", "077", "079", "083",
    "085", "088",
)

PROJECTS = (
    "Đường Vành đai phía Tây thành phố Cần Thơ", "Đường cao tốc Châu Đốc – Cần Thơ – Sóc Trăng",
    "Khu đô thị mới Nam Cần Thơ", "Kè chống sạt lở bờ sông Cần Thơ", "Nâng cấp, mở rộng Quốc lộ 61C",
    "Khu tái định cư phường Phú Lợi", "Cầu Đại Ngãi trên Quốc lộ 60", "Khu công nghiệp Trần Đề",
    "Nâng cấp đường Mậu Thân – Trần Hưng Đạo", "Trường Trung học phổ thông Cái Răng (cơ sở mới)",
)
ROADS = (
    "Quốc lộ 61C", "đường tỉnh 923", "đường Lộ Vòng Cung", "đường Nguyễn Văn Linh",
    "tuyến đường liên ấp Nhơn Lộc – Thạnh Hòa", "đường Lê Hồng Phong nối dài", "tuyến đường ven kênh Xà No",
    "đường tỉnh 932", "Quốc lộ 91B", "đường Trần Đề – Lịch Hội Thượng",
)
WATERS = (
    "sông Hậu", "sông Cần Thơ", "sông Cái Côn", "rạch Cái Sơn", "kênh Xà No", "kênh Thốt Nốt", "rạch Ô Môn",
    "sông Mỹ Thanh", "sông Saintard",
)


@dataclass
class Person:
    name: str
    male: bool
    address: str
    place: tuple
    area: str  # "ấp Nhơn Lộc" in a commune, "khu vực 7" / "khóm 2" in a ward
    id_number: str
    phone: str

    def identity(self, with_id: bool = True):
        from .cases.parties import IdentityData

        return IdentityData(full_name=self.name, address=self.address, id_type="cccd" if with_id else None,
                            id_number=self.id_number if with_id else None, phone=self.phone)

    @property
    def title(self) -> str:
        return "ông" if self.male else "bà"


def _weighted(rng: random.Random, pairs):
    total = sum(w for _, w in pairs)
    pick = rng.uniform(0, total)
    for value, weight in pairs:
        pick -= weight
        if pick <= 0:
            return value
    return pairs[-1][0]


def person_name(rng: random.Random, male: bool | None = None) -> tuple[str, bool]:
    if rng.random() < 0.07:
        name, is_male = rng.choice(KHMER)
        return name, is_male
    male = rng.random() < 0.55 if male is None else male
    surname = _weighted(rng, SURNAMES)
    middle = rng.choice(MALE_MIDDLE if male else FEMALE_MIDDLE)
    given = rng.choice(MALE_GIVEN if male else FEMALE_GIVEN)
    return f"{surname} {middle} {given}", male


def make_person(rng: random.Random, place: tuple | None = None) -> Person:
    place = place or rng.choice(PLACES)
    name, male = person_name(rng)
    born = rng.randint(1942, 2001)
    century_sex = (0 if male else 1) + (2 if born >= 2000 else 0)
    id_number = f"{place[3]}{century_sex}{born % 100:02d}{rng.randint(0, 999999):06d}"
    if place[2]:
        area = f"khóm {rng.randint(1, 9)}" if place[3] == "094" else f"khu vực {rng.randint(1, 12)}"
        address = f"Số {rng.randint(3, 350)} {rng.choice(STREETS)}, {area}, {place[1]}, {CITY}"
    else:
        area = f"ấp {rng.choice(HAMLETS)}"
        address = f"{area[0].upper()}{area[1:]}, {place[1]}, {CITY}"
    phone = f"{rng.choice(PHONE_PREFIXES)}{rng.randint(0, 9999999):07d}"
    return Person(name, male, address, place, area, id_number, phone)


def _money(rng: random.Random, low: int, high: int, step: int = 50_000) -> str:
    return f"{rng.randrange(low, high, step):,}".replace(",", ".")


def _doc_date(rng: random.Random, today: date, low: int = 15, high: int = 80) -> str:
    """A document date before `today`, within the 90-day complaint period."""
    return (today - timedelta(days=rng.randint(low, high))).strftime("%d/%m/%Y")


# --- letters -------------------------------------------------------------------------------------


@dataclass
class Letter:
    """What arrives (content and parties) and how the officer should classify it."""

    kind: str
    title: str
    content: str
    form: dict
    petitioners: list[Person] = field(default_factory=list)
    representatives: int = 0
    petitioner_count: int = 1
    respondents: list[dict] = field(default_factory=list)
    anonymous: bool = False
    parts: list[tuple[str, str]] = field(default_factory=list)  # (content, type) of a mixed letter
    register_extra: dict = field(default_factory=dict)  # e.g. a re-denunciation's previous resolution
    field: str | None = None

    @property
    def send_spec(self) -> str | None:
        outcome = self.form.get("outcome")
        if outcome == "guide":
            return "send_guidance"
        if outcome == "transfer":
            return "send_transfer_denunciation" if self.form["petition_type"] == "denunciation" else "send_transfer"
        return None


def _intro(p: Person) -> str:
    return f"Tôi tên là {p.name}, thường trú tại {p.address}."


def _group_intro(people: list[Person], count: int) -> str:
    p = people[0]
    return (f"Chúng tôi gồm {count} hộ dân đang sinh sống tại {p.area}, {p.place[1]}, {CITY}, "
            f"cùng ký tên dưới đây, cử {p.title} {p.name} làm người đại diện.")


def _group(rng: random.Random, lead: Person) -> tuple[list[Person], int]:
    """A group of 5 to 16 neighbours (the first eight named on the letter), `lead` first."""
    count = rng.randint(5, 16)
    people = [lead] + [make_person(rng, lead.place) for _ in range(min(count, 8) - 1)]
    for p in people[1:]:
        p.area = lead.area
        if not lead.place[2]:
            p.address = lead.address
    return people, count


def complaint_ubnd(rng: random.Random, today: date, group: bool = False) -> Letter:
    """A complaint about the People's Committee's own land decision: within its competence."""
    p = make_person(rng)
    people, count = _group(rng, p) if group else ([p], 1)
    project = rng.choice(PROJECTS)
    number, when = rng.randint(120, 3890), _doc_date(rng, today)
    intro = _group_intro(people, count) if group else _intro(p)
    we = "chúng tôi" if group else "tôi"
    variant = rng.randrange(3)
    if variant == 0:
        body = (
            f"{intro} {we.capitalize()} khiếu nại Quyết định số {number}/QĐ-UBND ngày {when} của Ủy ban nhân dân "
            f"{CITY} về việc thu hồi đất để thực hiện dự án {project}. Diện tích bị thu hồi là đất trồng cây lâu năm "
            f"{'của các hộ' if group else 'của gia đình tôi'} tại {p.place[1]}, nhưng đơn giá bồi thường chỉ "
            f"{_money(rng, 350_000, 1_400_000)} đồng/m², thấp hơn nhiều so với giá chuyển nhượng thực tế tại địa phương, "
            f"và {we} không được xem xét bố trí tái định cư. Đề nghị Chủ tịch Ủy ban nhân dân thành phố xem xét lại "
            f"quyết định hành chính này, áp giá bồi thường theo giá đất cụ thể và bố trí suất tái định cư."
        )
    elif variant == 1:
        body = (
            f"{intro} {we.capitalize()} khiếu nại Quyết định số {number}/QĐ-UBND ngày {when} của Ủy ban nhân dân "
            f"{CITY} phê duyệt phương án bồi thường, hỗ trợ, tái định cư dự án {project}. Diện tích đất ở bị đo đạc "
            f"thiếu khoảng {rng.randint(12, 95)} m², phần nhà phụ, mái che và hàng rào không được kiểm đếm, khoản hỗ trợ "
            f"ổn định đời sống và chuyển đổi nghề không được tính. Đề nghị xem xét lại quyết định hành chính nêu trên "
            f"và tổ chức đo đạc, kiểm đếm lại."
        )
    else:
        body = (
            f"{intro} Tôi khiếu nại Quyết định số {number}/QĐ-UBND ngày {when} của Ủy ban nhân dân {CITY} về việc "
            f"thu hồi Giấy chứng nhận quyền sử dụng đất số CS{rng.randint(1000, 99999):05d} đã cấp cho gia đình tôi năm "
            f"{rng.randint(2004, 2019)} với lý do cấp không đúng đối tượng. Gia đình tôi sử dụng đất ổn định, liên tục từ "
            f"trước năm 1993, không có tranh chấp. Đề nghị hủy quyết định thu hồi giấy chứng nhận nêu trên."
        )
    return Letter(
        kind="complaint", title="Đơn khiếu nại" if rng.random() < 0.8 else "Đơn kêu cứu", content=body,
        form={"petition_type": "complaint", "field": "land", "within_competence": "yes", "outcome": "accept",
              **({"petitioner_count": count} if group else {})},
        petitioners=people, representatives=(2 if count > 10 else 1) if group else 0, petitioner_count=count,
        respondents=[{"name": f"Ủy ban nhân dân {CITY}", "organisation_unit": UBND, "kind": "organisation"}],
        field="land",
    )


def denunciation_head(rng: random.Random, today: date) -> Letter:
    """A denunciation of a commune chairman: the city's chairman resolves it (within competence)."""
    p = make_person(rng)
    place = p.place if rng.random() < 0.7 else rng.choice(PLACES)
    resp, male = person_name(rng)
    title = "ông" if male else "bà"
    acts = (
        f"đã ký cho phép một doanh nghiệp san lấp, xây dựng nhà xưởng trên đất hành lang bảo vệ {rng.choice(WATERS)} "
        f"trái quy hoạch, gây sạt lở đất của các hộ dân",
        f"đã chỉ đạo lập hồ sơ bồi thường cho một số hộ không có đất bị thu hồi trong dự án {rng.choice(PROJECTS)}, "
        f"trong đó có người thân của {title}",
        "đã bao che cho việc xây dựng trái phép trên đất nông nghiệp của người nhà, dù đã có nhiều đơn phản ánh",
    )
    body = (
        f"{_intro(p)} Tôi tố cáo {title} {resp}, Chủ tịch Ủy ban nhân dân {place[1]}, {rng.choice(acts)}. "
        f"Tôi cam kết những nội dung tố cáo là đúng sự thật và chịu trách nhiệm trước pháp luật. Đề nghị Chủ tịch "
        f"Ủy ban nhân dân {CITY} thụ lý, xác minh và xử lý nghiêm theo quy định."
    )
    return Letter(
        kind="denunciation", title="Đơn tố cáo", content=body,
        form={"petition_type": "denunciation", "field": "organisation_staff", "within_competence": "yes",
              "outcome": "accept", "against_head": True},
        petitioners=[p],
        respondents=[{"name": resp, "position": "Chủ tịch Ủy ban nhân dân", "organisation_unit": f"{PROVINCE}.X{place[0]}"}],
    )


def recommendation_general(rng: random.Random, today: date, group: bool = False) -> Letter:
    """A recommendation on the city's own business (no department's field): within competence."""
    p = make_person(rng)
    people, count = _group(rng, p) if group else ([p], 1)
    project = rng.choice(PROJECTS)
    intro = _group_intro(people, count) if group else _intro(p)
    options = (
        f"{intro} Kiến nghị Ủy ban nhân dân {CITY} sớm công bố thời gian triển khai dự án {project}. Địa bàn "
        f"{p.area}, {p.place[1]} nằm trong vùng dự án từ năm {rng.randint(2012, 2019)} đến nay, người dân không được "
        f"xây dựng, sửa chữa nhà, không được tách thửa, đời sống rất khó khăn.",
        f"{intro} Kiến nghị Ủy ban nhân dân {CITY} chỉ đạo chi trả dứt điểm tiền bồi thường, hỗ trợ dự án {project}. "
        f"Các hộ đã bàn giao mặt bằng từ tháng {rng.randint(1, 6)} năm nay nhưng đến nay vẫn chưa nhận đủ tiền.",
        f"{intro} Kiến nghị bố trí điểm tiếp nhận hồ sơ dịch vụ công gần dân hơn tại {p.place[1]}: từ khi sắp xếp "
        f"đơn vị hành chính, người dân phải đi hơn {rng.randint(12, 35)} km để nộp hồ sơ, chưa được hướng dẫn nộp trực tuyến.",
    )
    return Letter(
        kind="recommendation", title=rng.choice(("Đơn kiến nghị", "Đơn đề nghị", "Đơn phản ánh")),
        content=rng.choice(options),
        form={"petition_type": "recommendation", "field": "other", "within_competence": "yes", "outcome": "accept",
              **({"petitioner_count": count} if group else {})},
        petitioners=people, representatives=(2 if count > 10 else 1) if group else 0, petitioner_count=count,
    )


def complaint_elsewhere(rng: random.Random, today: date) -> Letter:
    """A complaint about another body's decision: guided to it (outside competence)."""
    p = make_person(rng)
    number, when = rng.randint(15, 480), _doc_date(rng, today, 10, 80)
    variant = rng.randrange(3)
    if variant == 0:
        commune = p.place
        body = (
            f"{_intro(p)} Tôi khiếu nại Quyết định số {number}/QĐ-XPHC ngày {when} của Chủ tịch Ủy ban nhân dân "
            f"{commune[1]} xử phạt vi phạm hành chính gia đình tôi {_money(rng, 5_000_000, 40_000_000, 500_000)} đồng "
            f"và buộc tháo dỡ phần mái che phía sau nhà với lý do xây dựng không phép. Phần mái che này có từ năm "
            f"{rng.randint(2008, 2016)}, trước khi có quy hoạch. Đề nghị xem xét lại quyết định hành chính này."
        )
        guided_to = f"Chủ tịch Ủy ban nhân dân {commune[1]}, {CITY}"
        respondents = [{"name": f"Chủ tịch Ủy ban nhân dân {commune[1]}", "position": "Chủ tịch Ủy ban nhân dân",
                        "organisation_unit": f"{PROVINCE}.X{commune[0]}"}]
    elif variant == 1:
        body = (
            f"{_intro(p)} Tôi khiếu nại Công văn số {number}/SNNMT-ĐĐ ngày {when} của Sở Nông nghiệp và Môi trường "
            f"{CITY} trả hồ sơ, không cấp Giấy chứng nhận quyền sử dụng đất cho thửa đất số {rng.randint(12, 980)}, "
            f"tờ bản đồ số {rng.randint(1, 48)} mà gia đình tôi nhận chuyển nhượng hợp pháp. Đề nghị xem xét lại."
        )
        guided_to = f"Giám đốc Sở Nông nghiệp và Môi trường {CITY}"
        respondents = [{"name": f"Sở Nông nghiệp và Môi trường {CITY}", "organisation_unit": SNNMT, "kind": "organisation"}]
    else:
        body = (
            f"{_intro(p)} Tôi khiếu nại Quyết định cưỡng chế thi hành án số {number}/QĐ-THADS ngày {when} của Chấp "
            f"hành viên Thi hành án dân sự {CITY}, kê biên căn nhà là chỗ ở duy nhất của gia đình tôi trong khi khoản "
            f"nợ phải thi hành chỉ {_money(rng, 60_000_000, 300_000_000, 1_000_000)} đồng. Đề nghị xem xét lại quyết định này."
        )
        guided_to = f"Thủ trưởng Thi hành án dân sự {CITY}"
        respondents = []
    return Letter(
        kind="complaint", title="Đơn khiếu nại", content=body,
        form={"petition_type": "complaint", "field": "land" if variant < 2 else "justice", "within_competence": "no",
              "outcome": "guide", "guided_to": guided_to},
        petitioners=[p], respondents=respondents,
    )


def denunciation_commune_official(rng: random.Random, today: date, place: tuple | None = None) -> Letter:
    """A denunciation of a commune official: transferred to that commune (inside the system)."""
    place = place or (HOME_COMMUNE if rng.random() < 0.5 else rng.choice(PLACES))
    p = make_person(rng, place)
    resp, male = person_name(rng)
    title = "ông" if male else "bà"
    options = (
        ("Công chức Địa chính – Xây dựng",
         f"đã đòi gia đình tôi {rng.randint(5, 40)} triệu đồng để \"hoàn thiện hồ sơ\" đăng ký biến động đất đai; "
         f"gia đình tôi đã đưa tiền trước sự chứng kiến của hàng xóm nhưng đến nay hơn {rng.randint(3, 9)} tháng hồ sơ "
         f"vẫn không được giải quyết"),
        ("Công chức Văn hóa – Xã hội",
         f"lập danh sách hộ nghèo, hộ cận nghèo năm {today.year} không đúng đối tượng, đưa người thân vào danh sách "
         f"được hỗ trợ trong khi nhiều hộ khó khăn thật sự ở {p.area} bị loại ra"),
        ("Phó Trưởng Công an",
         "có thái độ hách dịch, sách nhiễu khi người dân đến làm thủ tục đăng ký thường trú, cố tình kéo dài thời gian "
         "giải quyết để gây khó khăn"),
        (f"Trưởng {p.area}",
         f"tự ý thu tiền của các hộ dân {p.area} để làm đường giao thông nhưng không công khai thu chi, "
         "đến nay con đường vẫn chưa được làm"),
    )
    position, act = rng.choice(options)
    body = (
        f"{_intro(p)} Tôi tố cáo {title} {resp}, {position[0].lower()}{position[1:]}, {place[1]}, {act}. "
        "Tôi cam kết nội dung tố cáo là đúng sự thật. Đề nghị cơ quan có thẩm quyền xác minh, xử lý nghiêm "
        "và giữ bí mật thông tin của người tố cáo."
    )
    return Letter(
        kind="denunciation", title="Đơn tố cáo", content=body,
        form={"petition_type": "denunciation", "field": "organisation_staff", "within_competence": "no", "outcome": "transfer"},
        petitioners=[p], respondents=[{"name": resp, "position": position, "organisation_unit": f"{PROVINCE}.X{place[0]}"}],
    )


# field -> (how the letter puts it); the competence rules route the field to its department.
def recommendation_field(rng: random.Random, today: date, group: bool = False) -> Letter:
    """A recommendation in a department's field: transferred to that department."""
    p = make_person(rng)
    people, count = _group(rng, p) if group else ([p], 1)
    intro = _group_intro(people, count) if group else _intro(p)
    where = f"{p.area}, {p.place[1]}"
    options = (
        ("transport", f"Kiến nghị sửa chữa {rng.choice(ROADS)} đoạn qua {where}: mặt đường bong tróc, nhiều ổ gà sâu, "
                      f"mùa mưa ngập nước, đã xảy ra nhiều vụ té ngã, nhất là học sinh đi học buổi tối."),
        ("transport", f"Phản ánh cây cầu sắt bắc qua {rng.choice(WATERS)} tại {where} đã xuống cấp, lan can gãy, mặt cầu "
                      f"thủng nhiều chỗ. Đề nghị sớm gia cố hoặc xây cầu mới, trước mắt đặt biển hạn chế tải trọng."),
        ("environment", f"Phản ánh cơ sở chăn nuôi heo quy mô lớn tại {where} xả nước thải chưa qua xử lý ra "
                        f"{rng.choice(WATERS)}, mùi hôi nồng nặc, cá chết, người dân không dùng được nước sinh hoạt."),
        ("environment", f"Phản ánh lò sấy lúa và nhà máy xay xát tại {where} hoạt động cả ban đêm, khói bụi, trấu bay vào "
                        f"nhà dân, tiếng ồn lớn. Đề nghị kiểm tra việc chấp hành quy định về bảo vệ môi trường."),
        ("land", f"Kiến nghị đẩy nhanh việc cấp Giấy chứng nhận quyền sử dụng đất: gia đình tôi nộp hồ sơ từ tháng "
                 f"{rng.randint(1, 8)} năm nay tại Chi nhánh Văn phòng đăng ký đất đai nhưng đến nay chưa có kết quả."),
        ("agriculture", f"Phản ánh tình trạng sạt lở bờ {rng.choice(WATERS)} đoạn qua {where} ngày càng nghiêm trọng, đã "
                        f"có {rng.randint(2, 9)} căn nhà bị ảnh hưởng. Đề nghị sớm đầu tư kè chống sạt lở và hỗ trợ di dời."),
        ("education", f"Phản ánh Trường Tiểu học {p.place[1].split(' ', 1)[1]} thu nhiều khoản đầu năm học chưa được "
                      f"hướng dẫn rõ ràng (quỹ phụ huynh, tiền máy lạnh, tiền học thêm). Đề nghị kiểm tra, công khai."),
        ("health", f"Phản ánh Trạm Y tế {p.place[1]} thường xuyên thiếu thuốc bảo hiểm y tế, người bệnh phải tự mua "
                   f"ngoài; thái độ tiếp đón của một số nhân viên chưa đúng mực."),
        ("labour_social", f"Kiến nghị xem xét chế độ trợ cấp cho cha tôi là thương binh, hồ sơ đã nộp từ năm "
                          f"{rng.randint(2021, 2025)} nhưng đến nay chưa được giải quyết."),
    )
    field_code, text = rng.choice(options)
    return Letter(
        kind="recommendation", title=rng.choice(("Đơn kiến nghị", "Đơn phản ánh", "Đơn đề nghị")),
        content=f"{intro} {text}",
        form={"petition_type": "recommendation", "field": field_code, "within_competence": "no", "outcome": "transfer",
              **({"petitioner_count": count} if group else {})},
        petitioners=people, representatives=(2 if count > 10 else 1) if group else 0, petitioner_count=count,
    )


def denunciation_outside(rng: random.Random, today: date) -> Letter:
    """Signs of a crime (investigation body) or a Party member's breach (Party inspection body)."""
    p = make_person(rng)
    resp, male = person_name(rng)
    title = "ông" if male else "bà"
    if rng.random() < 0.6:
        body = (
            f"{_intro(p)} Tôi tố cáo {title} {resp}, kế toán Ủy ban nhân dân {p.place[1]}, đã lập khống hồ sơ chi trả tiền "
            f"hỗ trợ cho người dân bị ảnh hưởng thiên tai, giả chữ ký người nhận, chiếm đoạt khoảng "
            f"{rng.randint(120, 900)} triệu đồng. Tôi có bản sao danh sách chi trả và lời xác nhận của nhiều hộ không "
            f"hề nhận tiền. Đề nghị cơ quan có thẩm quyền điều tra, xử lý."
        )
        flags, position = {"signs_of_crime": True}, "Kế toán"
    else:
        body = (
            f"{_intro(p)} Tôi tố cáo {title} {resp}, đảng viên, Bí thư Chi bộ {p.area}, {p.place[1]}, vi phạm những "
            f"điều đảng viên không được làm: sử dụng tài sản chung vào việc riêng, tổ chức tiệc cưới cho con linh đình "
            f"trong giờ hành chính, vận động bà con đóng góp trái quy định. Đề nghị tổ chức Đảng có thẩm quyền xem xét."
        )
        flags, position = {"party_rule_breach": True}, "Bí thư Chi bộ"
    return Letter(
        kind="denunciation", title="Đơn tố cáo", content=body,
        form={"petition_type": "denunciation", "field": "organisation_staff", "within_competence": "no",
              "outcome": "transfer", **flags},
        petitioners=[p], respondents=[{"name": resp, "position": position, "organisation_unit": f"{PROVINCE}.X{p.place[0]}"}],
    )


def ineligible(rng: random.Random, today: date) -> Letter:
    """A letter that is archived: unsigned, time-barred, already resolved, or before the court."""
    variant = rng.randrange(4)
    p = make_person(rng)
    if variant == 0:
        return Letter(
            kind="denunciation", title="Đơn tố cáo", anonymous=True,
            content=(f"Tố cáo một số cán bộ ở {p.place[1]} làm việc không minh bạch, nhận tiền của dân khi làm giấy tờ "
                     "nhà đất. Đề nghị cấp trên về kiểm tra. (Đơn không ký tên, không ghi địa chỉ)"),
            form={"petition_type": "denunciation", "within_competence": "no", "outcome": "archive",
                  "reasons": ["no_name", "no_address", "no_signature", "anonymous_no_evidence"]},
        )
    if variant == 1:
        year = rng.randint(2017, 2021)
        body = (f"{_intro(p)} Tôi khiếu nại Quyết định số {rng.randint(100, 2900)}/QĐ-UBND ngày "
                f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year} của Ủy ban nhân dân huyện (cũ) về việc thu hồi "
                f"đất làm đường giao thông, đề nghị xem xét lại quyết định hành chính này và bồi thường thêm.")
        reasons = ["time_barred"]
    elif variant == 2:
        body = (f"{_intro(p)} Tôi tiếp tục khiếu nại việc bồi thường dự án {rng.choice(PROJECTS)}, dù Chủ tịch Ủy ban "
                f"nhân dân đã ban hành Quyết định giải quyết khiếu nại lần hai số {rng.randint(50, 900)}/QĐ-UBND năm "
                f"{rng.randint(2022, 2024)}. Đề nghị xem xét lại quyết định hành chính về bồi thường.")
        reasons = ["second_instance_exists"]
    else:
        body = (f"{_intro(p)} Tôi khiếu nại việc Ủy ban nhân dân cấp giấy chứng nhận quyền sử dụng đất cho người hàng "
                f"xóm lấn sang đất của gia đình tôi. Vụ việc tôi đã khởi kiện và Tòa án nhân dân khu vực đã thụ lý năm "
                f"{today.year - 1}. Đề nghị xem xét lại quyết định hành chính cấp giấy.")
        reasons = ["court_accepted"]
    return Letter(
        kind="complaint", title="Đơn khiếu nại", content=body,
        form={"petition_type": "complaint", "field": "land", "within_competence": "yes", "outcome": "archive",
              "reasons": reasons},
        petitioners=[p],
    )


def mixed_letter(rng: random.Random, today: date) -> Letter:
    """A complaint and a denunciation (and sometimes a recommendation) in one letter: split."""
    p = make_person(rng)
    resp, male = person_name(rng)
    title = "ông" if male else "bà"
    project = rng.choice(PROJECTS)
    complaint = (f"Tôi khiếu nại Quyết định số {rng.randint(100, 3000)}/QĐ-UBND ngày {_doc_date(rng, today)} của Ủy ban "
                 f"nhân dân {CITY} về bồi thường khi thu hồi đất thực hiện dự án {project}: giá bồi thường đất nông "
                 f"nghiệp quá thấp, đề nghị xem xét lại quyết định hành chính này.")
    denunciation = (f"Tôi tố cáo {title} {resp}, viên chức Trung tâm Phát triển quỹ đất, đã gợi ý gia đình tôi đưa "
                    f"{rng.randint(20, 80)} triệu đồng để được áp giá bồi thường cao hơn, có dấu hiệu nhận hối lộ.")
    parts = [(complaint, "complaint"), (denunciation, "denunciation")]
    if rng.random() < 0.4:
        parts.append((f"Kiến nghị sớm xây dựng khu tái định cư của dự án {project} để các hộ có nơi ở ổn định.",
                       "recommendation"))
    return Letter(
        kind="mixed", title="Đơn khiếu nại, tố cáo", content=f"{_intro(p)} " + " ".join(text for text, _ in parts),
        form={"petition_type": "mixed", "within_competence": "yes", "outcome": "split"},
        petitioners=[p], parts=parts,
        respondents=[{"name": resp, "position": "Viên chức Trung tâm Phát triển quỹ đất", "organisation_unit": SNNMT}],
    )


def any_letter(rng: random.Random, today: date) -> Letter:
    factory = _weighted(rng, [
        (complaint_ubnd, 4), (denunciation_head, 1), (recommendation_general, 1), (complaint_elsewhere, 2),
        (denunciation_commune_official, 2), (recommendation_field, 4), (denunciation_outside, 1), (ineligible, 1),
        (mixed_letter, 1),
    ])
    if factory in (complaint_ubnd, recommendation_field, recommendation_general) and rng.random() < 0.15:
        return factory(rng, today, group=True)
    return factory(rng, today)


def accept_letter(rng: random.Random, today: date) -> Letter:
    factory = _weighted(rng, [(complaint_ubnd, 5), (denunciation_head, 2), (recommendation_general, 2)])
    if factory is not denunciation_head and rng.random() < 0.2:
        return factory(rng, today, group=True)
    return factory(rng, today)


def transfer_letter(rng: random.Random, today: date) -> Letter:
    factory = denunciation_commune_official if rng.random() < 0.5 else recommendation_field
    return factory(rng, today)


def department_letter(rng: random.Random, today: date) -> Letter:
    return recommendation_field(rng, today, group=rng.random() < 0.15)


def home_commune_letter(rng: random.Random, today: date) -> Letter:
    return denunciation_commune_official(rng, today, HOME_COMMUNE)


def complaint_commune(rng: random.Random, today: date) -> Letter:
    """A complaint about Phường Sóc Trăng's own decision, received and resolved there (first
    instance); its appeal goes to the city (second instance)."""
    p = make_person(rng, HOME_COMMUNE)
    number, when = rng.randint(15, 480), _doc_date(rng, today, 10, 60)
    ward = HOME_COMMUNE[1]
    options = (
        f"Tôi khiếu nại Quyết định số {number}/QĐ-XPHC ngày {when} của Chủ tịch Ủy ban nhân dân {ward} xử phạt vi "
        f"phạm hành chính gia đình tôi {_money(rng, 5_000_000, 40_000_000, 500_000)} đồng và buộc tháo dỡ phần mái "
        f"che phía trước nhà với lý do lấn chiếm vỉa hè. Phần mái che nằm trong ranh đất được cấp Giấy chứng nhận. "
        f"Đề nghị hủy quyết định xử phạt này.",
        f"Tôi khiếu nại Quyết định số {number}/QĐ-UBND ngày {when} của Ủy ban nhân dân {ward} không công nhận hộ "
        f"gia đình tôi là hộ cận nghèo năm {today.year}, dù thu nhập bình quân của gia đình thấp hơn chuẩn cận nghèo "
        f"và đã được tổ dân phố bình xét. Đề nghị xem xét lại quyết định này.",
        f"Tôi khiếu nại Quyết định số {number}/QĐ-UBND ngày {when} của Chủ tịch Ủy ban nhân dân {ward} về việc "
        f"cưỡng chế buộc khôi phục tình trạng ban đầu của thửa đất, trong khi phần công trình của gia đình tôi đã "
        f"xây dựng từ năm {rng.randint(2005, 2014)}, không có tranh chấp. Đề nghị hủy quyết định cưỡng chế.",
    )
    return Letter(
        kind="complaint", title="Đơn khiếu nại", content=f"{_intro(p)} {rng.choice(options)}",
        form={"petition_type": "complaint", "field": "land", "within_competence": "yes", "outcome": "accept"},
        petitioners=[p],
        respondents=[{"name": f"Chủ tịch Ủy ban nhân dân {ward}", "position": "Chủ tịch Ủy ban nhân dân",
                      "organisation_unit": COMMUNE}],
        field="land",
    )


def redenunciation(rng: random.Random, today: date) -> Letter:
    """A re-denunciation (tố cáo tiếp) to the city: the ward's chairman concluded on a ward
    official and the denouncer holds the conclusion wrong (LTC Art 37)."""
    letter = denunciation_commune_official(rng, today, HOME_COMMUNE)
    p = letter.petitioners[0]
    number, when = rng.randint(2, 60), _doc_date(rng, today, 30, 150)
    previous = (f"Kết luận nội dung tố cáo số {number}/KL-UBND ngày {when} của Chủ tịch Ủy ban nhân dân "
                f"{HOME_COMMUNE[1]}")
    respondent = letter.respondents[0]
    body = (f"{_intro(p)} Tôi tiếp tục tố cáo {respondent['name']}, {respondent['position'].lower()} "
            f"{HOME_COMMUNE[1]}. {previous} cho rằng nội dung tố cáo là sai, nhưng không xem xét các chứng cứ tôi đã "
            f"cung cấp và không làm việc với những người làm chứng. Đề nghị Chủ tịch Ủy ban nhân dân {CITY} xem xét, "
            f"giải quyết tố cáo tiếp theo quy định.")
    return Letter(
        kind="redenunciation", title="Đơn tố cáo tiếp", content=body, form={}, petitioners=[p],
        respondents=letter.respondents,
        register_extra={"petition_type": "denunciation", "previous_resolution": previous},
    )


def resent(letter: Letter, sent_on: date) -> Letter:
    """The same petitioner sends the same letter again (a duplicate)."""
    note = (f" Tôi đã gửi đơn này ngày {sent_on:%d/%m/%Y} nhưng đến nay chưa nhận được trả lời, nay gửi lại "
            "đề nghị xem xét giải quyết.")
    return Letter(kind=letter.kind, title=letter.title, content=letter.content + note, form={},
                  petitioners=letter.petitioners, representatives=letter.representatives,
                  petitioner_count=letter.petitioner_count, respondents=letter.respondents)


# --- the simulation --------------------------------------------------------------------------


class StepProblem(RuntimeError):
    """A plan step did not do what it should (the demo reports it and moves on)."""


class Simulation:
    """Moves a FixedClock forward through the demo period, running each case's plan step by
    step through the real runtime (each step its own transaction)."""

    def __init__(self, services, clock: FixedClock, now: datetime, calendar, progress: bool):
        from .engine.db import transaction

        self.services, self.runtime, self.clock, self.now = services, services.runtime, clock, now
        self.calendar = calendar
        self.transaction = lambda: transaction(services.sessions)
        self.heap: list = []
        self.order = itertools.count()
        self.failures: list[str] = []
        self.cut_short: Counter = Counter()  # cases whose next step fell after now, by plan
        self.progress = progress

    # --- time ---------------------------------------------------------------------------------

    def today(self) -> date:
        return self.clock.today()

    def is_working(self, day: date) -> bool:
        try:
            return self.calendar.is_working_day(day)
        except ValueError:
            return day.weekday() < 5

    @staticmethod
    def at(day: date, minutes: int) -> datetime:
        """`minutes` after local midnight of `day`, as naive UTC."""
        local = datetime.combine(day, dtime(0), LOCAL_TZ) + timedelta(minutes=minutes)
        return local.astimezone(timezone.utc).replace(tzinfo=None)

    def office(self, day: date, rng: random.Random) -> datetime:
        return self.at(day, rng.randint(7 * 60 + 30, 16 * 60 + 30))

    def later(self, t: datetime, rng: random.Random, working_days: tuple[int, int] = (1, 3)) -> datetime:
        """An office-hours moment `working_days` working days after `t` (0: later the same day)."""
        n = rng.randint(*working_days)
        if n == 0:
            return t + timedelta(minutes=rng.randint(15, 150))
        day = utc_to_local(t).date()
        while n > 0:
            day += timedelta(days=1)
            if self.is_working(day):
                n -= 1
        return self.office(day, rng)

    def after_days(self, t: datetime, rng: random.Random, days: tuple[int, int]) -> datetime:
        """An office-hours moment on the first working day at least `days` calendar days after `t`."""
        day = utc_to_local(t).date() + timedelta(days=rng.randint(*days))
        while not self.is_working(day):
            day += timedelta(days=1)
        return self.office(day, rng)

    def receipt(self, rng: random.Random, ages: tuple[int, int]) -> datetime:
        """When a letter arrived: a working day `ages` days before now, in office hours, not after now."""
        today = utc_to_local(self.now).date()
        day = today - timedelta(days=rng.randint(*ages))
        while not self.is_working(day):
            day -= timedelta(days=1)
        at = self.office(day, rng)
        while at > self.now:
            day -= timedelta(days=1)
            while not self.is_working(day):
                day -= timedelta(days=1)
            at = self.office(day, rng)
        return at

    # --- steps --------------------------------------------------------------------------------

    def open_specs(self, key: str, process_id: str | None = None) -> dict[str, str]:
        from .engine.models import TaskIndex

        query = select(TaskIndex.id, TaskIndex.task_spec).where(TaskIndex.business_key == key)
        if process_id is not None:
            query = query.where(TaskIndex.process_id == process_id)
        with self.services.sessions() as s:
            return {spec: tid for tid, spec in s.execute(query.order_by(TaskIndex.created_at)).all()}

    def complete(self, key: str, spec: str, data: dict, actor: str, process_id: str | None = None,
                 checked: bool = False) -> None:
        """Complete the open task `spec` of the case (of `process_id`'s instance when given).
        `checked`: the step's handler may send the task back with its problems; that is a
        broken plan step too."""
        found = self.open_specs(key, process_id)
        if spec not in found:
            raise StepProblem(f"{key}: no open task {spec!r} (open: {sorted(found) or 'none'})")
        result = self.runtime.complete_task(found[spec], data, actor=actor)
        if result.status == "error":
            raise StepProblem(f"{key}: {spec} put the instance in error")
        if checked and spec in (again := self.open_specs(key, process_id)):
            data = self.runtime.task_data(again[spec])
            problems = [v["problems"] for v in data.values() if isinstance(v, dict) and v.get("problems")]
            raise StepProblem(f"{key}: {spec} was sent back: {problems}")

    def instance_id(self, key: str, process_id: str) -> int:
        from .engine.models import ProcessInstance

        with self.services.sessions() as s:
            found = s.execute(select(ProcessInstance.id).where(
                ProcessInstance.business_key == key, ProcessInstance.process_id == process_id,
            ).order_by(ProcessInstance.id.desc()).limit(1)).scalar_one_or_none()
        if found is None:
            raise StepProblem(f"{key}: no {process_id} instance")
        return found

    def event(self, key: str, process_id: str, name: str, actor: str, payload: dict | None = None) -> None:
        """A leader raises `name` (suspend, continue, extend, withdraw, terminate, appeal) on the case."""
        result = self.runtime.send_message(self.instance_id(key, process_id), name, payload or {}, actor=actor)
        if result.status == "error":
            raise StepProblem(f"{key}: the message {name!r} put {process_id} in error")

    def supervise(self, key: str, rng: random.Random, share: float = 0.5) -> None:
        """The supervisor has looked at some of the case's overdue reviews (the rest stay open)."""
        for spec in self.open_specs(key):
            if spec.startswith("review_overdue") and rng.random() < share:
                action = rng.choice(("instructed", "instructed", "noted", "reassigned"))
                self.complete(key, spec, {"action": action, "instruction": INSTRUCTIONS[action]}, SUPERVISOR)

    def iso(self, days: int = 0) -> str:
        return (self.today() + timedelta(days=days)).isoformat()

    def classify(self, key: str, form: dict, actor: str = OFFICER) -> None:
        self.complete(key, "classify", form, actor)
        if "classify" in self.open_specs(key):
            from .engine.models import TaskIndex

            with self.services.sessions() as s:
                tid = s.execute(select(TaskIndex.id).where(TaskIndex.business_key == key,
                                                           TaskIndex.task_spec == "classify")).scalar_one()
            problems = self.runtime.task_data(tid).get("classification", {}).get("problems")
            raise StepProblem(f"{key}: classification refused: {problems}")

    def send(self, key: str, spec: str, rng: random.Random, actor: str = OFFICER) -> None:
        method = rng.choice(("post", "post", "electronic", "in_person"))
        self.complete(key, spec, {"sent_on": self.today().isoformat(), "send_method": method}, actor)

    def register(self, letter: Letter, *, unit: str = UBND, channel: str | None = None,
                 rng: random.Random) -> tuple[str, str]:
        """Enter the letter in the unit's book and start its intake (a re-denunciation: the
        superior's review). Returns (business key, receipt no)."""
        from .cases.parties import add_petitioner, add_respondent
        from .cases.petitions import register_petition
        from .handlers.denunciations import open_review
        from .handlers.intake import open_intake

        channel = channel or _weighted(rng, [("post", 6), ("online", 2), ("forwarded", 2)])
        extra: dict = {}
        received_on = self.today()
        if channel == "forwarded":
            if rng.random() < 0.6:
                extra = dict(forwarded_by=f"{PROVINCE}.DDBQH", forward_doc_no=f"{rng.randint(20, 900)}/ĐĐBQH-VP")
            else:
                extra = dict(forwarded_by_name="Ban Tiếp công dân Trung ương",
                             forward_doc_no=f"{rng.randint(100, 9000)}/BTCDTW-P{rng.randint(1, 4)}")
            extra["forward_doc_date"] = received_on - timedelta(days=rng.randint(2, 9))
        with self.transaction() as s:
            petition = register_petition(
                s, unit=unit, content=letter.content, title=letter.title, channel=channel, created_by=FRONT_DESK,
                received_at=self.clock.now(), petitioner_count=letter.petitioner_count, anonymous=letter.anonymous,
                letter_date=None if letter.anonymous else received_on - timedelta(days=rng.randint(1, 6)),
                clock=self.clock, **extra, **letter.register_extra,
            ).petition
            for i, person in enumerate(letter.petitioners):
                add_petitioner(s, petition, person.identity(with_id=rng.random() < 0.85 or i == 0),
                               is_representative=i < letter.representatives, clock=self.clock)
            for respondent in letter.respondents:
                add_respondent(s, petition, clock=self.clock, **respondent)
            if letter.kind == "redenunciation":
                open_review(self.runtime, s, petition, FRONT_DESK)
            else:
                open_intake(self.runtime, s, petition, FRONT_DESK)
            return petition.business_key, petition.receipt_no

    # --- running ------------------------------------------------------------------------------

    def add(self, name: str, start: datetime, plan: Iterator[datetime]) -> None:
        heapq.heappush(self.heap, (start, next(self.order), name, plan))

    def run(self, cases: int) -> Counter:
        from tqdm import tqdm

        finished: Counter = Counter()
        # disable=None: a bar on a terminal, nothing in a log file.
        bar = tqdm(total=cases, desc="Dữ liệu mẫu", unit=" hồ sơ", disable=None if self.progress else True,
                   file=sys.stderr, leave=False)
        try:
            while self.heap:
                at, _, name, plan = heapq.heappop(self.heap)
                self.clock.at = at
                try:
                    upcoming = next(plan)
                except StopIteration:
                    finished[name] += 1
                    bar.update(name != "tick")
                    continue
                except Exception as err:  # a broken step: report it, keep the rest of the demo
                    self.failures.append(f"{name}: {type(err).__name__}: {err}")
                    finished[name] += 1
                    bar.update(name != "tick")
                    continue
                if upcoming > self.now:  # the next step lies in the future: the case waits there
                    plan.close()
                    self.cut_short[name] += 1
                    finished[name] += 1
                    bar.update(name != "tick")
                else:
                    heapq.heappush(self.heap, (upcoming, next(self.order), name, plan))
        finally:
            bar.close()
        self.clock.at = self.now
        self.runtime.fire_due_timers(limit=100_000)
        finished.pop("tick", None)
        return finished

    def ticks(self, start: datetime) -> None:
        """Fire due timers at five past local midnight every day of the period."""
        day = utc_to_local(start).date() + timedelta(days=1)
        while (at := self.at(day, 5)) <= self.now:
            self.add("tick", at, self._tick())
            day += timedelta(days=1)

    def _tick(self) -> Iterator[datetime]:
        self.runtime.fire_due_timers(limit=100_000)
        return
        yield  # a generator, like the plans


# --- plans: one case each, from its receipt to the stage it stays at ------------------------------

Plan = Callable[[Simulation, random.Random, date], tuple[datetime, Iterator[datetime]]]


def _letter_plan(ages, letter_of, steps):
    """A plan: a letter received `ages` days ago, then `steps(sim, rng, key, receipt_no, letter, t)`."""

    def plan(sim: Simulation, rng: random.Random, today: date):
        start = sim.receipt(rng, ages)
        letter = letter_of(rng, utc_to_local(start).date())

        def run():
            key, receipt_no = sim.register(letter, rng=rng)
            yield from steps(sim, rng, key, receipt_no, letter, start)

        return start, run()

    return plan


def _nothing(sim, rng, key, receipt_no, letter, t):
    return
    yield


def _to_leader(sim, rng, key, receipt_no, letter, t):
    t = sim.later(t, rng, (1, 3)); yield t
    sim.classify(key, letter.form)


def _leader_returns(sim, rng, key, receipt_no, letter, t):
    t = sim.later(t, rng, (1, 2)); yield t
    sim.classify(key, letter.form)
    t = sim.later(t, rng, (1, 2)); yield t
    spec = {"complaint": "approve_complaint", "denunciation": "approve_denunciation"}.get(letter.kind, "approve_recommendation")
    sim.complete(key, spec, {"decision": "return", "leader_note": rng.choice((
        "Đề nghị kiểm tra lại thẩm quyền giải quyết trước khi trình.",
        "Làm rõ thời hiệu khiếu nại, bổ sung hồ sơ thu hồi đất kèm theo.",
        "Xác minh thêm nhân thân người đứng đơn và các tài liệu kèm theo.",
    ))}, LEADER)


def _classify_then_send(send: bool):
    def steps(sim, rng, key, receipt_no, letter, t):
        t = sim.later(t, rng, (1, 4)); yield t
        sim.classify(key, letter.form)
        if send:
            t = sim.later(t, rng, (0, 2)); yield t
            sim.send(key, letter.send_spec, rng)
    return steps


def _transfer_to_commune_then_handled(sim, rng, key, receipt_no, letter, t):
    """Transferred to Phường Sóc Trăng, whose officer proposes acceptance to its chairman."""
    from .cases.petitions import get_petition

    t = sim.later(t, rng, (1, 2)); yield t
    sim.classify(key, letter.form)
    t = sim.later(t, rng, (0, 1)); yield t
    sim.send(key, letter.send_spec, rng)
    with sim.services.sessions() as s:
        petition = get_petition(s, key)
        new_key = s.get(type(petition), petition.transferred_to_id).business_key
    t = sim.later(t, rng, (1, 3)); yield t
    sim.classify(new_key, {"petition_type": "denunciation", "field": "organisation_staff", "within_competence": "yes",
                           "outcome": "accept"}, actor=COMMUNE_OFFICER)


def _outside(stage: str):
    def steps(sim, rng, key, receipt_no, letter, t):
        t = sim.later(t, rng, (1, 3)); yield t
        sim.classify(key, letter.form)
        t = sim.later(t, rng, (0, 2)); yield t
        sim.send(key, letter.send_spec, rng)
        if stage == "reported":
            t = sim.after_days(t, rng, (8, 18)); yield t
            sim.complete(key, "await_result", {"reported_on": sim.today().isoformat(), "result_summary": rng.choice((
                "Cơ quan Cảnh sát điều tra đã tiếp nhận, đang xác minh nguồn tin về tội phạm; sẽ thông báo kết quả.",
                "Ủy ban Kiểm tra đã tiếp nhận, giao Ủy ban Kiểm tra Đảng ủy xã kiểm tra, báo cáo kết quả trong quý.",
                "Cơ quan nhận đơn đã ra quyết định không khởi tố vụ án hình sự, chuyển xử lý hành chính.",
            ))}, OFFICER)
    return steps


def _archive(sim, rng, key, receipt_no, letter, t):
    t = sim.later(t, rng, (1, 5)); yield t
    sim.classify(key, letter.form)


def _split(done: bool):
    def steps(sim, rng, key, receipt_no, letter, t):
        t = sim.later(t, rng, (1, 3)); yield t
        sim.classify(key, letter.form)
        if done:
            t = sim.later(t, rng, (0, 2)); yield t
            data = {}
            for i, (text, kind) in enumerate(letter.parts, 1):
                data[f"content_{i}"], data[f"type_{i}"] = text, kind
            sim.complete(key, "split_content", data, OFFICER)
    return steps


def _duplicate(archive: bool):
    """The same petitioner writes again about the same matter; the officer archives the resend
    as a duplicate of the first letter (or has not got to it yet)."""

    def plan(sim: Simulation, rng: random.Random, today: date):
        start = sim.receipt(rng, (22, 58))
        today = utc_to_local(start).date()
        letter = _weighted(rng, [(complaint_elsewhere, 2), (complaint_ubnd, 2), (recommendation_field, 1)])(rng, today)

        def run():
            key, receipt_no = sim.register(letter, rng=rng)
            t = start
            if letter.form["outcome"] == "guide" or rng.random() < 0.5:
                t = sim.later(t, rng, (1, 3)); yield t
                sim.classify(key, letter.form)
                if letter.send_spec:
                    t = sim.later(t, rng, (0, 2)); yield t
                    sim.send(key, letter.send_spec, rng)
            t = sim.after_days(t, rng, (10, 20)); yield t
            key2, _ = sim.register(resent(letter, utc_to_local(start).date()), channel="post", rng=rng)
            if archive:
                t = sim.later(t, rng, (1, 3)); yield t
                sim.classify(key2, {"petition_type": letter.form["petition_type"], "field": letter.form.get("field"),
                                    "within_competence": letter.form["within_competence"], "outcome": "archive",
                                    "reasons": ["duplicate"], "duplicate_of": receipt_no})

        return start, run()

    return plan


def _commune_letter(sim: Simulation, rng: random.Random, today: date):
    """A letter received directly by Phường Sóc Trăng (its own queue and leader)."""
    start = sim.receipt(rng, (1, 25))
    letter = denunciation_commune_official(rng, utc_to_local(start).date(), place=HOME_COMMUNE)
    letter.form = {"petition_type": "denunciation", "field": "organisation_staff", "within_competence": "yes",
                   "outcome": "accept"}

    def run():
        key, _ = sim.register(letter, unit=COMMUNE, channel=rng.choice(("post", "online")), rng=rng)
        if rng.random() < 0.5:
            t = sim.later(start, rng, (1, 3)); yield t
            sim.classify(key, letter.form, actor=COMMUNE_OFFICER)

    return start, run()


# --- resolution: the cases the leader accepted, driven on through their procedures ----------------

FIRST, SECOND, DENUNCIATION = "complaint_first", "complaint_second", "denunciation"
RECOMMENDATION, PUBLICATION, EXECUTION = "recommendation", "publication", "execution"
APPROVE = {"complaint": "approve_complaint", "denunciation": "approve_denunciation",
           "recommendation": "approve_recommendation"}
SEND_METHODS = ("post", "post", "in_person", "electronic")
INSTRUCTIONS = {
    "instructed": "Đề nghị khẩn trương hoàn thành, báo cáo lãnh đạo trong tuần.",
    "noted": "Vụ việc có nhiều nội dung phải xác minh, lý do chậm là chính đáng.",
    "reassigned": "Giao thêm một cán bộ phối hợp để kịp thời hạn.",
}
COMPLAINT_FINDINGS = (
    "Đã kiểm tra hồ sơ thu hồi đất, biên bản kiểm đếm và phương án bồi thường; làm việc với Trung tâm Phát triển "
    "quỹ đất và Ủy ban nhân dân cấp xã. Quyết định bị khiếu nại ban hành đúng thẩm quyền, trình tự; đơn giá bồi "
    "thường áp dụng đúng bảng giá đất và hệ số điều chỉnh tại thời điểm thu hồi.",
    "Qua đo đạc lại hiện trạng, diện tích đất bị thu hồi thực tế lớn hơn diện tích ghi trong quyết định; phần nhà "
    "phụ, mái che chưa được kiểm đếm. Yêu cầu của người khiếu nại có cơ sở một phần.",
    "Hồ sơ có sai sót về nguồn gốc đất; người khiếu nại sử dụng đất ổn định, không tranh chấp, đủ điều kiện được "
    "xem xét. Quyết định bị khiếu nại chưa phù hợp quy định.",
)
COMPLAINT_DECISIONS = {
    "rejected": "Giữ nguyên quyết định hành chính bị khiếu nại; không chấp nhận các yêu cầu của người khiếu nại.",
    "partly_upheld": "Sửa đổi một phần quyết định bị khiếu nại: bồi thường bổ sung phần diện tích đo đạc thiếu và "
                     "công trình phụ chưa được kiểm đếm; giao cơ quan chuyên môn lập phương án bổ sung.",
    "upheld": "Hủy quyết định hành chính bị khiếu nại; giao cơ quan chuyên môn rà soát, ban hành quyết định mới "
              "theo đúng quy định.",
}
DIALOGUE_MINUTES = (
    "Người khiếu nại trình bày yêu cầu; đại diện cơ quan chuyên môn giải thích căn cứ của quyết định. Người khiếu "
    "nại giữ nguyên yêu cầu.",
    "Hai bên thống nhất được một phần nội dung: đo đạc lại phần diện tích còn tranh chấp; các nội dung khác người "
    "khiếu nại giữ nguyên ý kiến.",
)
SUSPENSIONS = ("Chờ kết quả giám định của cơ quan chuyên môn về hiện trạng thửa đất.",
               "Chờ kết quả giải quyết của cơ quan khác có liên quan đến nội dung khiếu nại.",
               "Người khiếu nại ốm đau, điều trị dài ngày, chưa có người đại diện tham gia.")
DENUNCIATION_FINDINGS = (
    ("Qua xác minh, có căn cứ xác định người bị tố cáo đã thực hiện một phần hành vi bị tố cáo; các nội dung còn "
     "lại không có căn cứ.", True),
    ("Hồ sơ, tài liệu thu thập được và lời khai của những người có liên quan cho thấy hành vi bị tố cáo là có thật, "
     "vi phạm quy định về quản lý đất đai, xây dựng.", True),
    ("Không có căn cứ xác định người bị tố cáo đã thực hiện hành vi bị tố cáo; việc cấp phép đúng quy hoạch và "
     "quy định.", False),
)
CRIME_FINDINGS = ("Kết quả xác minh cho thấy hành vi lập khống hồ sơ chi trả, chiếm đoạt tiền hỗ trợ có dấu hiệu "
                  "tội phạm, cần chuyển cơ quan điều tra xem xét theo quy định của Bộ luật Tố tụng hình sự.")


def _accepted(sim, rng, key, letter, t, officer=OFFICER, leader=LEADER):
    """The intake up to the leader's acceptance, which starts the resolution procedure."""
    t = sim.later(t, rng, (1, 2)); yield t
    sim.classify(key, letter.form, actor=officer)
    t = sim.later(t, rng, (1, 2)); yield t
    sim.complete(key, APPROVE[letter.kind], {"decision": "accept"}, leader)
    return t


def _publish(sim, rng, key, spec, decided_on: date, archive: bool, summary: str, actor=OFFICER):
    """Plan the publication of a decision or conclusion: posted, on the portal, or at a meeting
    announced three days ahead when the publication limit allows it."""
    form = _weighted(rng, [("posting", 3), ("media", 2), ("meeting", 1)])
    data = {"form": form, "starts_on": sim.iso(), "summary": summary, "keep_in_archive": archive}
    if form == "meeting":
        if sim.today() + timedelta(days=4) <= decided_on + timedelta(days=7):
            data.update(starts_on=sim.iso(4), notice_on=sim.iso())
        else:
            data["form"] = "posting"
    sim.complete(key, spec, data, actor, PUBLICATION, checked=True)


def _execute(sim, rng, key, t, done: bool | None, actor=LEADER, officer=OFFICER, obligor: str = ""):
    """The leader records who must do what by when; the officer reports it (done), later, or
    not yet (None: some due days already past, which escalates)."""
    t = sim.later(t, rng, (1, 4)); yield t
    due = rng.randint(6, 40) if done is not None or rng.random() < 0.5 else rng.randint(4, 9)
    sim.complete(key, "define_obligations", {
        "obligor": obligor or rng.choice((
            f"Trung tâm Phát triển quỹ đất {CITY}", f"Sở Nông nghiệp và Môi trường {CITY}",
            f"Ủy ban nhân dân {rng.choice(PLACES)[1]}")),
        "action": rng.choice(("Lập, trình phê duyệt phương án bồi thường bổ sung và chi trả cho người khiếu nại.",
                              "Tổ chức đo đạc lại thửa đất, điều chỉnh hồ sơ địa chính theo quyết định.",
                              "Thu hồi, hủy bỏ văn bản trái pháp luật; báo cáo kết quả bằng văn bản.")),
        "due_on": sim.iso(due)}, actor, EXECUTION, checked=True)
    if not done:
        return t
    t = sim.later(t, rng, (2, max(2, due * 5 // 7 - 1))); yield t
    sim.complete(key, "report_execution", {"done_on": sim.iso(), "result": rng.choice((
        "Đã chi trả đủ tiền bồi thường bổ sung theo quyết định, có biên bản nhận tiền.",
        "Đã đo đạc lại, chỉnh lý hồ sơ địa chính và cấp đổi Giấy chứng nhận.",
        "Đã thực hiện xong, có báo cáo bằng văn bản kèm theo."))}, officer, EXECUTION)
    return t


def _complaint(stage: str, unit: str = UBND):
    """A complaint accepted by the leader, taken to `stage` of complaint_first (and on: its
    publication, appeal window, execution or second instance)."""
    officer, leader = (OFFICER, LEADER) if unit == UBND else (COMMUNE_OFFICER, COMMUNE_LEADER)

    def steps(sim, rng, key, receipt_no, letter, t):
        t = yield from _accepted(sim, rng, key, letter, t, officer, leader)
        if stage == "notice":
            return
        t = sim.later(t, rng, (1, 4)); yield t
        if stage == "refused":
            sim.complete(key, "acceptance_notice", {
                "accepted": "no", "refusal_reason": rng.choice(("time_barred", "not_affected", "court_accepted")),
                "refusal_note": "Đã kiểm tra hồ sơ và tài liệu người khiếu nại cung cấp."}, officer, FIRST)
            return
        notice = {"accepted": "yes"}
        if rng.random() < 0.2:
            notice.update(resolve_variant=".complex",
                          variant_reason="Phải xác minh tại nhiều cơ quan, nhiều người có quyền lợi liên quan.")
        sim.complete(key, "acceptance_notice", notice, officer, FIRST)
        if stage in ("suspended", "continued", "withdrawn"):
            t = sim.later(t, rng, (3, 8)); yield t
            if stage == "withdrawn":
                sim.event(key, FIRST, "withdraw", leader)
                sim.complete(key, "record_withdrawal_request", {
                    "decided_on": sim.iso(), "scope": "full",
                    "withdrawn_content": "Người khiếu nại rút toàn bộ nội dung khiếu nại."}, leader, FIRST)
                return
            sim.event(key, FIRST, "suspend", leader, {"requested_by": leader})
            sim.complete(key, "decide_suspension", {"decided_on": sim.iso(), "reason": rng.choice(SUSPENSIONS)},
                         leader, FIRST)
            if stage == "suspended":
                return
            t = sim.later(t, rng, (4, 10)); yield t
            sim.event(key, FIRST, "continue", leader)
            sim.complete(key, "decide_continuation", {"decided_on": sim.iso(),
                                                      "reason": "Lý do tạm đình chỉ không còn."}, leader, FIRST)
        if stage in ("verify", "continued"):
            return
        t = sim.later(t, rng, (6, 14)); yield t
        matches = "no" if stage == "dialogue" or rng.random() < 0.4 else "yes"
        sim.complete(key, "verify", {"findings": rng.choice(COMPLAINT_FINDINGS), "request_matches": matches},
                     VERIFIER, FIRST)
        sim.supervise(key, rng)
        if stage == "dialogue":
            return
        if matches == "no":
            t = sim.later(t, rng, (4, 8)); yield t
            sim.complete(key, "dialogue", {
                "notice_on": sim.iso(-rng.randint(5, 8)), "dialogue_on": sim.iso(),
                "attendance": rng.choice(("attended", "attended", "absent_unexcused")),
                "minutes": rng.choice(DIALOGUE_MINUTES)}, officer, FIRST, checked=True)
        t = sim.later(t, rng, (1, 3)); yield t
        outcome = _weighted(rng, [("rejected", 3), ("partly_upheld", 2), ("upheld", 1)])
        sim.complete(key, "draft_decision", {"outcome": outcome, "decision_text": COMPLAINT_DECISIONS[outcome]},
                     officer, FIRST)
        if stage == "sign":
            return
        t = sim.later(t, rng, (1, 2)); yield t
        sim.complete(key, "sign_decision", {"decided_on": sim.iso()}, leader, FIRST)
        decided, decided_on = t, sim.today()
        if stage == "send":
            return
        t = sim.later(t, rng, (0, 2)); yield t
        sim.complete(key, "send_decision", {"sent_on": sim.iso(), "send_method": rng.choice(SEND_METHODS)},
                     officer, FIRST)
        t = sim.later(t, rng, (1, 5)); yield t
        _publish(sim, rng, key, "plan_publication_complaint", decided_on, rng.random() < 0.7,
                 f"Quyết định giải quyết khiếu nại: {COMPLAINT_DECISIONS[outcome]}", officer)
        sim.supervise(key, rng)
        if stage == "window":
            return
        if stage == "appealed":
            t = max(sim.later(t, rng, (1, 3)), sim.after_days(decided, rng, (8, 20))); yield t
            sim.event(key, FIRST, "appeal", officer, {"appealed_on": sim.iso()})
            yield from _second_instance(sim, rng, key, t)
            return
        # The appeal window closes (the midnight tick fires it): the decision is effective and
        # its execution is followed.
        t = max(sim.later(t, rng, (1, 2)), sim.after_days(decided, rng, (31, 36))); yield t
        if stage == "effective" and rng.random() < 0.4:
            return
        yield from _execute(sim, rng, key, t, True if stage == "executed" else None, leader, officer)

    return steps


def _second_instance(sim, rng, first_key, t):
    """The appeal started complaint_second at the city for a new, linked petition."""
    from .cases.models import Petition
    from .cases.petitions import get_petition

    with sim.services.sessions() as s:
        first = get_petition(s, first_key)
        key = s.execute(select(Petition.business_key).where(Petition.appeal_of_id == first.id)).scalar_one()
    stage = _weighted(rng, [("notice", 1), ("verify", 2), ("dialogue", 1), ("send", 1), ("done", 3)])
    if stage == "notice":
        return
    t = sim.later(t, rng, (1, 4)); yield t
    sim.complete(key, "acceptance_notice", {"accepted": "yes"}, OFFICER, SECOND)
    if stage == "verify":
        return
    t = sim.later(t, rng, (6, 12)); yield t
    sim.complete(key, "verify", {"findings": rng.choice(COMPLAINT_FINDINGS),
                                 "request_matches": rng.choice(("yes", "no"))}, VERIFIER, SECOND)
    if stage == "dialogue":
        return
    t = sim.later(t, rng, (4, 8)); yield t
    sim.complete(key, "dialogue", {"notice_on": sim.iso(-rng.randint(5, 8)), "dialogue_on": sim.iso(),
                                   "attendance": "attended", "minutes": rng.choice(DIALOGUE_MINUTES)},
                 OFFICER, SECOND, checked=True)
    t = sim.later(t, rng, (1, 3)); yield t
    outcome = _weighted(rng, [("rejected", 3), ("partly_upheld", 1)])
    sim.complete(key, "draft_decision", {"outcome": outcome, "decision_text": COMPLAINT_DECISIONS[outcome]},
                 OFFICER, SECOND)
    t = sim.later(t, rng, (1, 2)); yield t
    sim.supervise(key, rng, 1.0)  # see _complaint
    sim.complete(key, "sign_decision", {"decided_on": sim.iso()}, LEADER, SECOND)
    if stage == "send":
        return
    decided_on = sim.today()
    t = sim.later(t, rng, (0, 3)); yield t
    sim.complete(key, "send_decision", {"sent_on": sim.iso(), "send_method": rng.choice(SEND_METHODS)},
                 OFFICER, SECOND)
    t = sim.later(t, rng, (1, 4)); yield t
    _publish(sim, rng, key, "plan_publication_complaint", decided_on, True,
             f"Quyết định giải quyết khiếu nại lần hai: {COMPLAINT_DECISIONS[outcome]}")


def _denunciation(stage: str):
    """A denunciation accepted by the leader, taken to `stage` of the denunciation procedure
    (and on: the conclusion's publication and the follow-up of its execution)."""

    def steps(sim, rng, key, receipt_no, letter, t):
        t = yield from _accepted(sim, rng, key, letter, t)
        if stage == "decision":
            return
        t = sim.later(t, rng, (1, 4)); yield t
        sim.complete(key, "acceptance_decision", {"decided_on": sim.iso()}, LEADER, DENUNCIATION)
        accepted = t
        if stage == "notify":
            return
        t = sim.later(t, rng, (1, 3)); yield t
        sim.complete(key, "notify_parties", {"sent_on": sim.iso(), "send_method": rng.choice(SEND_METHODS)},
                     OFFICER, DENUNCIATION)
        if stage == "suspended":
            t = sim.later(t, rng, (3, 10)); yield t
            sim.event(key, DENUNCIATION, "suspend", LEADER)
            sim.complete(key, "decide_suspension", {"decided_on": sim.iso(), "reason": rng.choice(SUSPENSIONS)},
                         LEADER, DENUNCIATION)
            return
        if stage in ("extended", "extended_twice"):
            complexity = "complex" if stage == "extended" else "especially_complex"
            for days in ((22, 27), (52, 57))[: 1 if stage == "extended" else 2]:
                t = max(sim.later(t, rng, (1, 3)), sim.after_days(accepted, rng, days)); yield t
                sim.event(key, DENUNCIATION, "extend", LEADER)
                sim.complete(key, "decide_extension", {
                    "decided_on": sim.iso(), "complexity": complexity,
                    "reason": rng.choice(("Phải xác minh tại nhiều cơ quan, đơn vị; nhiều tài liệu cần giám định.",
                                          "Chờ kết quả giám định chữ ký trên hồ sơ chi trả."))}, LEADER, DENUNCIATION)
                sim.supervise(key, rng)
            return
        if stage == "verify":
            return
        t = sim.later(t, rng, (8, 15)); yield t
        crime = stage == "crime"
        findings, violation = (CRIME_FINDINGS, True) if crime else rng.choice(DENUNCIATION_FINDINGS)
        sim.complete(key, "verify", {"reported_on": sim.iso(), "findings": findings, "violation_found": violation,
                                     "signs_of_crime": crime}, VERIFIER, DENUNCIATION)
        sim.supervise(key, rng)
        if stage == "conclude":
            return
        t = sim.later(t, rng, (1, 4)); yield t
        outcome = "upheld" if crime else rng.choice(("partly_upheld", "upheld")) if violation else "rejected"
        conclusion = {"upheld": "Tố cáo là đúng.", "partly_upheld": "Tố cáo là đúng một phần.",
                      "rejected": "Tố cáo là sai."}[outcome]
        measures = ("Chuyển hồ sơ vụ việc đến Cơ quan Cảnh sát điều tra Công an thành phố." if crime else
                    "Kiểm điểm, xem xét xử lý kỷ luật người vi phạm; khắc phục hậu quả." if violation else
                    "Khôi phục quyền, lợi ích hợp pháp của người bị tố cáo bị xâm phạm do việc tố cáo không đúng.")
        sim.complete(key, "conclude", {"concluded_on": sim.iso(), "conclusion_text": conclusion, "outcome": outcome,
                                       "measures": measures,
                                       "violation_found": violation, "signs_of_crime": crime}, LEADER, DENUNCIATION)
        concluded_on = sim.today()
        sim.supervise(key, rng, 0.7)
        if stage == "send":
            return
        t = sim.later(t, rng, (1, 3)); yield t
        sim.complete(key, "send_conclusion", {"sent_on": sim.iso(), "send_method": rng.choice(SEND_METHODS)},
                     OFFICER, DENUNCIATION)
        if stage == "handle":
            return
        t = sim.later(t, rng, (1, 3)); yield t
        sim.complete(key, "handle_conclusion", {
            "actions": measures if crime else "Đã chỉ đạo thực hiện các biện pháp xử lý theo kết luận.",
            "transfer_to_investigation": crime}, LEADER, DENUNCIATION)
        t = sim.later(t, rng, (0, 2)); yield t
        _publish(sim, rng, key, "plan_publication_denunciation", concluded_on, True,
                 f"Kết luận nội dung tố cáo: {conclusion} {measures}")
        yield from _execute(sim, rng, key, t, rng.random() < 0.5 if stage == "concluded" else None,
                            obligor=f"Ủy ban nhân dân {rng.choice(PLACES)[1]}")

    return steps


def _recommendation(stage: str):
    """A recommendation accepted by the leader: handled (settled, answered or transferred to
    the department) and the citizen told."""

    def steps(sim, rng, key, receipt_no, letter, t):
        t = yield from _accepted(sim, rng, key, letter, t)
        if stage == "handle":
            return
        t = sim.later(t, rng, (2, 8)); yield t
        if stage == "transferred":
            data = {"outcome": "transferred", "competent_unit": SNNMT,
                    "result": "Nội dung thuộc lĩnh vực quản lý của Sở Nông nghiệp và Môi trường, chuyển Sở xem xét."}
        else:
            data = {"outcome": rng.choice(("resolved", "answered")), "result": rng.choice((
                "Đã giao Ủy ban nhân dân xã, phường kiểm tra và khắc phục trong tháng.",
                "Đã giải thích kế hoạch triển khai dự án và thời gian dự kiến chi trả bồi thường.",
                "Đã chỉ đạo bố trí điểm tiếp nhận hồ sơ lưu động hằng tuần tại địa phương."))}
        sim.complete(key, "handle", data, OFFICER, RECOMMENDATION, checked=True)
        sim.supervise(key, rng)
        if stage == "notify":
            return
        t = sim.later(t, rng, (0, 3)); yield t
        sim.complete(key, "notify_citizen", {"notified_on": sim.iso(),
                                             "notify_method": rng.choice(("written", "written", "phone"))},
                     OFFICER, RECOMMENDATION)

    return steps


def _redenunciation(stage: str):
    """A re-denunciation reviewed by the city's chairman (denunciation_review): waiting, refused,
    or taken over (the denunciation procedure starts at the city)."""

    def steps(sim, rng, key, receipt_no, letter, t):
        if stage == "review":
            return
        t = sim.later(t, rng, (3, 10)); yield t
        if stage == "refused":
            sim.complete(key, "review", {"outcome": "refuse", "reason": "Việc giải quyết tố cáo trước đúng pháp "
                                         "luật; đơn không có thông tin, tài liệu, chứng cứ mới."}, LEADER)
            return
        sim.complete(key, "review", {"outcome": "take_over", "reason": "Có tình tiết mới; việc xác minh trước chưa "
                                     "làm việc với người làm chứng."}, LEADER)
        t = sim.later(t, rng, (1, 3)); yield t
        sim.complete(key, "acceptance_decision", {"decided_on": sim.iso()}, LEADER, DENUNCIATION)

    return steps


def _life_plan(ages, letter_of, steps, unit: str = UBND):
    """A plan like `_letter_plan`, for a letter received (and resolved) at `unit`."""

    def plan(sim: Simulation, rng: random.Random, today: date):
        start = sim.receipt(rng, ages)
        letter = letter_of(rng, utc_to_local(start).date())

        def run():
            key, receipt_no = sim.register(letter, unit=unit, rng=rng,
                                           channel=None if unit == UBND else rng.choice(("post", "online")))
            yield from steps(sim, rng, key, receipt_no, letter, start)

        return start, run()

    return plan


def complaint_letter(rng: random.Random, today: date) -> Letter:
    return complaint_ubnd(rng, today, group=rng.random() < 0.15)


def recommendation_letter(rng: random.Random, today: date) -> Letter:
    return recommendation_general(rng, today, group=rng.random() < 0.15)


# --- reception sessions ------------------------------------------------------------------------


REFUSAL_NOTES = {
    "ltcd_9_3_resolved": ("Vụ việc đã được giải quyết lần hai, đã kiểm tra, rà soát và thông báo bằng văn bản; "
                          "công dân vẫn tiếp tục khiếu nại."),
    "ltcd_9_2_threat": "Công dân lớn tiếng xúc phạm cán bộ tiếp công dân, không chấp hành nội quy.",
    "ltcd_9_1_incapacity": "Công dân có biểu hiện say rượu, không làm chủ được hành vi.",
}


def _reception(stage: str, ages: tuple[int, int]):
    """A reception session at the People's Committee, driven to `stage`."""

    def plan(sim: Simulation, rng: random.Random, today: date):
        start = sim.receipt(rng, ages)
        today = utc_to_local(start).date()
        group = stage in ("group_reps", "group_done")
        if group:
            letter = _weighted(rng, [(complaint_ubnd, 2), (recommendation_field, 1)])(rng, today, group=True)
        elif stage == "mixed":
            letter = mixed_letter(rng, today)
        else:
            letter = _weighted(rng, [(complaint_ubnd, 3), (complaint_elsewhere, 2), (recommendation_field, 2),
                                     (denunciation_commune_official, 1), (recommendation_general, 1)])(rng, today)
        leader_day = stage in ("done", "notify") and rng.random() < 0.2

        def run():
            from .cases.receptions import add_citizen, open_reception
            from .handlers.reception import open_reception_procedure

            people = letter.petitioners
            with sim.transaction() as s:
                reception = open_reception(
                    s, unit=UBND, received_by=LEADER if leader_day else FRONT_DESK, received_at=sim.clock.now(),
                    is_leader_session=leader_day, citizen_count=letter.petitioner_count,
                    location=f"Trụ sở tiếp công dân {CITY}", clock=sim.clock,
                )
                for i, person in enumerate(people):
                    add_citizen(s, reception, person.identity(), is_representative=i < letter.representatives,
                                clock=sim.clock)
                key = open_reception_procedure(sim.runtime, s, reception, FRONT_DESK)
                reception_id = reception.id
            if stage == "identify":
                return
            t = sim.later(start, rng, (0, 0)); yield t
            sim.complete(key, "identify", {"identity_check": "verified", "citizen_count": letter.petitioner_count}, FRONT_DESK)
            if stage == "refusal_check":
                return
            t = sim.later(t, rng, (0, 0)); yield t
            if stage in ("refused_oral", "refused_notice"):
                ground = ("ltcd_9_3_resolved" if stage == "refused_notice"
                          else rng.choice(("ltcd_9_2_threat", "ltcd_9_1_incapacity")))
                sim.complete(key, "refusal_check", {"refuse": True, "refusal_ground": ground,
                                                    "refusal_note": REFUSAL_NOTES[ground]}, FRONT_DESK)
                if stage == "refused_notice" and rng.random() < 0.5:
                    t = sim.later(t, rng, (1, 2)); yield t
                    sim.send(key, "sign_refusal_notice", rng, actor=LEADER)
                return
            sim.complete(key, "refusal_check", {"refuse": False}, FRONT_DESK)
            if group:
                t = sim.later(t, rng, (0, 0)); yield t
                if stage == "group_reps":
                    return
                count = 2 if letter.petitioner_count <= 10 else rng.randint(3, 5)
                sim.complete(key, "appoint_representatives",
                             {"representative_count": count, "written_appointment": True}, FRONT_DESK)
            if stage == "record":
                return
            t = sim.later(t, rng, (0, 0)); yield t
            data = {"has_letter": True, "content": letter.content, "petition_type": letter.form["petition_type"],
                    "field": letter.form.get("field"),
                    "documents": "\n".join(rng.sample((
                        "Đơn (02 trang)", "Bản sao Căn cước", "Bản sao quyết định bị khiếu nại",
                        "Bản sao Giấy chứng nhận quyền sử dụng đất", "Ảnh chụp hiện trạng (05 tấm)",
                        "Biên bản kiểm đếm (bản sao)"), rng.randint(1, 3)))}
            if letter.kind == "mixed":
                (c1, t1), (c2, t2), *rest = letter.parts
                data.update(content=c1, petition_type=t1, field="land", content_2=c2, type_2=t2)
                if rest:
                    data.update(content_3=rest[0][0], type_3=rest[0][1])
            elif rng.random() < 0.3:  # no letter: the officer writes the record, reads it back, the citizen signs
                data.update(has_letter=False, record_text=f"Công dân trình bày: {letter.content}", read_back=True,
                            confirmation=rng.choice(("signed", "fingerprinted")))
            sim.complete(key, "record_content", data, FRONT_DESK)
            if stage in ("notify", "mixed"):
                return
            from .cases.models import Petition
            from .cases.parties import add_respondent

            with sim.transaction() as s:  # the officer enters whom the petition is about
                petition = s.execute(select(Petition).where(Petition.reception_id == reception_id)
                                     .order_by(Petition.id)).scalars().first()
                for respondent in letter.respondents:
                    add_respondent(s, petition, clock=sim.clock, **respondent)
                first = petition.business_key
            # The petition goes through its intake while the citizen waits for the answer.
            t = sim.later(t, rng, (1, 3)); yield t
            sim.classify(first, letter.form)
            if letter.send_spec and rng.random() < 0.7:
                t = sim.later(t, rng, (0, 1)); yield t
                sim.send(first, letter.send_spec, rng)
            t = sim.later(t, rng, (0, 2)); yield t
            sim.complete(key, "notify_citizen", {"notified_on": sim.today().isoformat(),
                                                 "notify_method": rng.choice(("written", "written", "phone", "in_person"))},
                         FRONT_DESK)

        return start, run()

    return plan


# name -> (weight, plan); the "petitions" argument is the number of cases, spread by weight.
PLANS: dict[str, tuple[float, Plan]] = {
    "chờ phân loại, trong hạn": (8, _letter_plan((0, 11), any_letter, _nothing)),
    "chờ phân loại, quá hạn": (5, _letter_plan((16, 45), any_letter, _nothing)),
    "chờ lãnh đạo cho ý kiến thụ lý": (6, _letter_plan((1, 14), accept_letter, _to_leader)),
    "lãnh đạo trả lại": (2, _letter_plan((4, 25), accept_letter, _leader_returns)),
    "chờ gửi phiếu hướng dẫn": (3, _letter_plan((1, 14), complaint_elsewhere, _classify_then_send(False))),
    "đã hướng dẫn": (7, _letter_plan((6, 58), complaint_elsewhere, _classify_then_send(True))),
    "chờ gửi phiếu chuyển": (3, _letter_plan((1, 14), transfer_letter, _classify_then_send(False))),
    "đã chuyển cho xã, phường": (5, _letter_plan((3, 40), denunciation_commune_official, _classify_then_send(True))),
    "đã chuyển cho sở": (7, _letter_plan((3, 40), department_letter, _classify_then_send(True))),
    "chuyển phường, phường đã đề xuất thụ lý": (2, _letter_plan((8, 40), home_commune_letter, _transfer_to_commune_then_handled)),
    "chờ kết quả (chuyển ngoài hệ thống)": (3, _letter_plan((4, 16), denunciation_outside, _outside("waiting"))),
    "quá hạn báo cáo kết quả": (3, _letter_plan((30, 58), denunciation_outside, _outside("waiting"))),
    "đã có kết quả": (3, _letter_plan((25, 58), denunciation_outside, _outside("reported"))),
    "lưu đơn": (6, _letter_plan((3, 58), ineligible, _archive)),
    "đơn trùng đã lưu": (3, _duplicate(True)),
    "đơn trùng chờ xử lý": (2, _duplicate(False)),
    "chờ tách đơn": (2, _letter_plan((1, 12), mixed_letter, _split(False))),
    "đã tách đơn": (2, _letter_plan((5, 50), mixed_letter, _split(True))),
    "đơn nhận tại phường Sóc Trăng": (3, _commune_letter),
    "tiếp dân: chờ xác định nhân thân": (1, _reception("identify", (0, 0))),
    "tiếp dân: chờ xem xét từ chối": (1, _reception("refusal_check", (0, 1))),
    "tiếp dân: đông người chờ cử đại diện": (1, _reception("group_reps", (0, 2))),
    "tiếp dân: chờ ghi nội dung": (1, _reception("record", (0, 1))),
    "tiếp dân: chờ thông báo cho công dân": (4, _reception("notify", (1, 30))),
    "tiếp dân: đã thông báo": (6, _reception("done", (8, 58))),
    "tiếp dân: từ chối tiếp": (1, _reception("refused_oral", (1, 50))),
    "tiếp dân: từ chối, thông báo bằng văn bản": (1, _reception("refused_notice", (1, 30))),
    "tiếp dân: nhiều nội dung, tách đơn": (1, _reception("mixed", (2, 40))),
    "tiếp dân: đông người đã tiếp": (1, _reception("group_done", (8, 50))),
    # Accepted petitions, driven on through their resolution procedures.
    "khiếu nại: chờ thông báo thụ lý": (2, _life_plan((3, 24), complaint_letter, _complaint("notice"))),
    "khiếu nại: không thụ lý": (0.5, _life_plan((6, 50), complaint_letter, _complaint("refused"))),
    "khiếu nại: đang xác minh": (2, _life_plan((8, 60), complaint_letter, _complaint("verify"))),
    "khiếu nại: đối thoại": (1, _life_plan((30, 60), complaint_letter, _complaint("dialogue"))),
    "khiếu nại: dự thảo, chờ ký quyết định": (1, _life_plan((35, 62), complaint_letter, _complaint("sign"))),
    "khiếu nại: chờ gửi quyết định": (0.5, _life_plan((38, 62), complaint_letter, _complaint("send"))),
    "khiếu nại: đã gửi quyết định, công khai, trong thời hạn khiếu nại lần hai": (
        2, _life_plan((42, 75), complaint_letter, _complaint("window"))),
    "khiếu nại: quyết định có hiệu lực, theo dõi thi hành": (
        2, _life_plan((88, 118), complaint_letter, _complaint("effective"))),
    "khiếu nại: đã thi hành xong": (1, _life_plan((100, 118), complaint_letter, _complaint("executed"))),
    "khiếu nại: tạm đình chỉ": (0.5, _life_plan((15, 50), complaint_letter, _complaint("suspended"))),
    "khiếu nại: tạm đình chỉ rồi tiếp tục": (0.5, _life_plan((30, 60), complaint_letter, _complaint("continued"))),
    "khiếu nại: rút đơn": (0.5, _life_plan((12, 50), complaint_letter, _complaint("withdrawn"))),
    "khiếu nại tại phường, khiếu nại lần hai lên thành phố": (
        2, _life_plan((62, 118), complaint_commune, _complaint("appealed", COMMUNE), COMMUNE)),
    "tố cáo: chờ quyết định thụ lý": (1, _life_plan((3, 16), denunciation_head, _denunciation("decision"))),
    "tố cáo: chờ gửi thông báo thụ lý": (0.5, _life_plan((6, 20), denunciation_head, _denunciation("notify"))),
    "tố cáo: đang xác minh": (2, _life_plan((12, 60), denunciation_head, _denunciation("verify"))),
    "tố cáo: gia hạn một lần": (0.5, _life_plan((45, 75), denunciation_head, _denunciation("extended"))),
    "tố cáo: gia hạn hai lần": (0.5, _life_plan((75, 110), denunciation_head, _denunciation("extended_twice"))),
    "tố cáo: chờ kết luận": (0.5, _life_plan((32, 62), denunciation_head, _denunciation("conclude"))),
    "tố cáo: chờ gửi, xử lý kết luận": (1, _life_plan((38, 66), denunciation_head, _denunciation("handle"))),
    "tố cáo: đã kết luận, công khai, theo dõi thực hiện": (
        2, _life_plan((45, 115), denunciation_head, _denunciation("concluded"))),
    "tố cáo: dấu hiệu tội phạm, chuyển cơ quan điều tra": (
        0.5, _life_plan((45, 100), denunciation_head, _denunciation("crime"))),
    "tố cáo: tạm đình chỉ": (0.5, _life_plan((20, 55), denunciation_head, _denunciation("suspended"))),
    "tố cáo tiếp: chờ xem xét": (0.5, _life_plan((2, 15), redenunciation, _redenunciation("review"))),
    "tố cáo tiếp: không thụ lý": (0.5, _life_plan((15, 60), redenunciation, _redenunciation("refused"))),
    "tố cáo tiếp: thành phố thụ lý giải quyết": (
        0.5, _life_plan((15, 60), redenunciation, _redenunciation("take_over"))),
    "kiến nghị: đang xử lý": (1, _life_plan((3, 26), recommendation_letter, _recommendation("handle"))),
    "kiến nghị: chờ thông báo kết quả": (0.5, _life_plan((8, 30), recommendation_letter, _recommendation("notify"))),
    "kiến nghị: đã xử lý, đã thông báo": (2, _life_plan((12, 60), recommendation_letter, _recommendation("done"))),
    "kiến nghị: chuyển sở": (0.5, _life_plan((8, 45), recommendation_letter, _recommendation("transferred"))),
}


def allocate(total: int) -> dict[str, int]:
    """How many cases of each plan: at least one of each when there is room, the rest by weight
    (largest remainder)."""
    counts = {name: 0 for name in PLANS}
    left = total
    if left >= len(PLANS):
        counts = {name: 1 for name in PLANS}
        left -= len(PLANS)
    weight = sum(w for w, _ in PLANS.values())
    shares = {name: left * w / weight for name, (w, _) in PLANS.items()}
    for name, share in shares.items():
        counts[name] += int(share)
    rest = total - sum(counts.values())
    for name in sorted(shares, key=lambda n: shares[n] - int(shares[n]), reverse=True)[:rest]:
        counts[name] += 1
    return counts


# --- entry point -------------------------------------------------------------------------------


def database_is_empty(sessions) -> bool:
    from .cases.models import Unit

    with sessions() as s:
        return s.execute(select(Unit.id).limit(1)).first() is None


def seed_demo(
    settings: Settings | None = None,
    *,
    petitions: int = 300,
    now: datetime | None = None,
    progress: bool = True,
    seed: int = DEFAULT_SEED,
) -> DemoSummary:
    """Seed the demo when the database has no units (see the module docstring); else do nothing
    and return a summary with `seeded=False`. The schema must exist (`tiepdan init-db`)."""
    from . import wiring
    from .cases.models import Unit
    from .cases.passwords import hash_password
    from .cases.units import seed_province
    from .cases.users import create_user
    from .engine.calendar import load_calendar
    from .engine.db import transaction

    began = time.monotonic()
    settings = settings or Settings.from_env()
    now = (now or Clock().now()).replace(microsecond=0)
    start = now - timedelta(days=DAYS_BACK + 1)
    clock = FixedClock(start)
    services = wiring.build(settings, clock=clock, processes_dir=settings.processes_dir)
    try:
        if not database_is_empty(services.sessions):
            return DemoSummary(seeded=False)
        rng = random.Random(seed)
        with transaction(services.sessions) as s:
            # Publishing identical content again returns the existing version (init-db's).
            for path in sorted(settings.processes_dir.glob("*.bpmn")):
                services.library.publish(s, path.read_bytes(), path.name, "demo", clock=clock)
            seed_province(s, PROVINCE, clock=clock)
            for user in DEMO_USERS:
                create_user(s, username=user.username, full_name=user.full_name, unit=user.unit, roles=user.roles,
                            password_hash=hash_password(DEMO_PASSWORD), processes_dir=settings.processes_dir,
                            clock=clock)
            calendar = load_calendar(s)
            unit_names = dict(s.execute(select(Unit.code, Unit.name).where(Unit.code.in_({u.unit for u in DEMO_USERS}))).all())

        sim = Simulation(services, clock, now, calendar, progress)
        today = utc_to_local(now).date()
        plans = PLANS
        counts = allocate(petitions)
        for name, count in counts.items():
            for _ in range(count):
                case_rng = random.Random(rng.getrandbits(64))
                begin, steps = plans[name][1](sim, case_rng, today)
                sim.add(name, begin, steps)
        sim.ticks(start)
        sim.run(sum(counts.values()))
        from .demo_schedules import seed_schedules  # reception schedules and duty plans (issue 9)
        seed_schedules(services, now)
        summary = _summarise(services, today)
        summary.logins = demo_logins(unit_names)
        summary.cases = sum(counts.values())
        summary.by_plan = {name: n for name, n in counts.items() if n}
        summary.failures = sim.failures
        summary.cut_short = {name: n for name, n in sim.cut_short.items() if name in counts}
        summary.seconds = time.monotonic() - began
        return summary
    finally:
        services.db.dispose()


def _summarise(services, today: date) -> DemoSummary:
    from .cases.models import Petition, Reception
    from .engine.models import ProcessInstance, TaskIndex

    with services.sessions() as s:
        by_status = dict(s.execute(select(Petition.status, func.count()).group_by(Petition.status)).all())
        instances = dict(s.execute(select(ProcessInstance.status, func.count()).group_by(ProcessInstance.status)).all())
        processes = dict(s.execute(select(ProcessInstance.process_id, func.count())
                                   .group_by(ProcessInstance.process_id)).all())
        receptions = s.execute(select(func.count()).select_from(Reception)).scalar_one()
        open_tasks = s.execute(select(func.count()).select_from(TaskIndex)).scalar_one()
        overdue = s.execute(select(func.count()).select_from(TaskIndex).where(TaskIndex.due_date < today)).scalar_one()
    return DemoSummary(
        seeded=True, today=today, petitions=sum(by_status.values()), receptions=receptions,
        by_status=dict(sorted(by_status.items(), key=lambda kv: -kv[1])), instances=instances,
        processes=dict(sorted(processes.items())),
        open_tasks=open_tasks, overdue_tasks=overdue,
    )


def logins_table(logins: list[DemoLogin]) -> str:
    """The demo logins as aligned text lines (for the terminal)."""
    rows = [("username", "role", "unit", "password")] + [
        (l.username, l.role, f"{l.unit} ({l.unit_name})", l.password) for l in logins
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)
