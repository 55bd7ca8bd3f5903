"""A small real world for scenario tests: one province (Cao Bằng) seeded from the
vietnam-provinces package, users for every role, the real processes/ published, and the engine
on a fixed clock, on a real database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from tiepdan import wiring
from tiepdan.cases.documents import documents_of
from tiepdan.cases.models import CaseDocument, Petition
from tiepdan.cases.parties import IdentityData, add_petitioner, add_respondent
from tiepdan.cases.petitions import get_petition, register_petition
from tiepdan.cases.units import commune_unit_code, seed_province
from tiepdan.cases.users import create_user
from tiepdan.config import REPO_ROOT, Settings
from tiepdan.engine.clock import FixedClock
from tiepdan.engine.db import transaction
from tiepdan.engine.models import ProcessInstance, TaskIndex
from tiepdan.handlers.intake import open_intake

PROVINCE = "04"
UBND, TTR, SNNMT, CSDT, UBKT = (f"{PROVINCE}.{k}" for k in ("UBND", "TTR", "SNNMT", "CSDT", "UBKT"))
COMMUNE = commune_unit_code(PROVINCE, "01273")  # Phường Thục Phán
# Monday 2 March 2026, 09:00 in Vietnam.
START = datetime(2026, 3, 2, 2, 0)
ROLES = ("reception_officer", "handling_officer", "leader", "verifier", "supervisor")


@dataclass
class World:
    services: object
    clock: FixedClock

    def session(self):
        return transaction(self.services.sessions)

    # --- tasks ---------------------------------------------------------------------------------

    def tasks(self, business_key: str) -> list[TaskIndex]:
        with self.services.sessions() as s:
            return list(s.execute(
                select(TaskIndex).where(TaskIndex.business_key == business_key).order_by(TaskIndex.created_at)
            ).scalars())

    def task(self, business_key: str, spec: str | None = None) -> TaskIndex:
        found = [t for t in self.tasks(business_key) if spec is None or t.task_spec == spec]
        assert len(found) == 1, f"{business_key}: expected one open task {spec}, found {[t.task_spec for t in self.tasks(business_key)]}"
        return found[0]

    def complete(self, business_key: str, spec: str, data: dict, actor: str = "officer"):
        return self.services.runtime.complete_task(self.task(business_key, spec).id, data, actor=actor)

    def instances(self, business_key: str) -> list[ProcessInstance]:
        with self.services.sessions() as s:
            return list(s.execute(
                select(ProcessInstance).where(ProcessInstance.business_key == business_key).order_by(ProcessInstance.id)
            ).scalars())

    # --- cases ---------------------------------------------------------------------------------

    def register(self, *, unit=UBND, content: str, channel="post", petitioners=(), respondents=(), start=True,
                 **kwargs) -> str:
        """Register a petition with its parties and (by default) start its intake."""
        with self.session() as s:
            petition = register_petition(s, unit=unit, content=content, channel=channel, created_by="frontdesk",
                                         clock=self.clock, **kwargs).petition
            for person in petitioners:
                add_petitioner(s, petition, person, clock=self.clock)
            for respondent in respondents:
                add_respondent(s, petition, **respondent, clock=self.clock)
            if start:
                open_intake(self.services.runtime, s, petition, "frontdesk")
            return petition.business_key

    def petition(self, business_key: str | None = None, *, id: int | None = None) -> Petition:
        """The petition, detached, with the relations the tests read already loaded."""
        with self.services.sessions() as s:
            petition = get_petition(s, business_key) if business_key else s.get(Petition, id)
            for party in petition.parties:
                party.identity  # noqa: B018  (load before the session closes)
            petition.transferred_to_unit, petition.competent_unit, petition.receiving_unit  # noqa: B018
            return petition

    def documents(self, business_key: str) -> list[CaseDocument]:
        with self.services.sessions() as s:
            return documents_of(s, get_petition(s, business_key))


def person(name: str, id_number: str | None = None, address: str = "Tổ 5, phường Thục Phán, tỉnh Cao Bằng",
           phone: str | None = None) -> IdentityData:
    return IdentityData(full_name=name, address=address, id_type="cccd" if id_number else None,
                        id_number=id_number, phone=phone)


def build_world(db, processes_dir=None) -> World:
    processes_dir = processes_dir or REPO_ROOT / "processes"
    clock = FixedClock(START)
    settings = Settings(database_url=db.url, var_dir=processes_dir.parent / "var", processes_dir=processes_dir)
    services = wiring.build(settings, clock=clock, processes_dir=processes_dir)
    with transaction(services.sessions) as s:
        for path in sorted(processes_dir.glob("*.bpmn")):
            services.library.publish(s, path.read_bytes(), path.name, "tester")
        seed_province(s, PROVINCE, clock=clock)
        for unit in (UBND, COMMUNE, SNNMT):
            create_user(s, username=f"officer.{unit}", full_name="Cán bộ", unit=unit, roles=ROLES,
                        processes_dir=processes_dir, clock=clock)
    return World(services, clock)
