"""The engine's notion of now, injectable so that timers and deadlines can be tested on real dates."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock:
    def now(self) -> datetime:
        """Naive UTC, as stored in the database."""
        return datetime.now(timezone.utc).replace(tzinfo=None)

    def today(self) -> date:
        """The local (Vietnam) date, which is what statutory periods count in."""
        return utc_to_local(self.now()).date()


class FixedClock(Clock):
    def __init__(self, at: datetime):
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta) -> None:
        self.at = self.at + timedelta(**delta)


def utc_to_local(at: datetime) -> datetime:
    return at.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ)


def local_end_of_day_utc(day: date) -> datetime:
    """The instant a period ending on `day` runs out (24:00 local), as naive UTC."""
    midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), LOCAL_TZ)
    return midnight.astimezone(timezone.utc).replace(tzinfo=None)
