"""The models of sessions_app: the schedule and its history, the planner's busy periods,
the roster's corrections, and the shoot day built on it."""

from sessions_app.models.changes import ScheduleChange, ScheduleChangeLine
from sessions_app.models.codemode import CaptureCode, MakeupRoute
from sessions_app.models.planner import BusyPeriod
from sessions_app.models.roster import RosterCorrection, RosterImportJob
from sessions_app.models.schedule import (
    Campaign,
    CaptureMode,
    CategoryRule,
    College,
    EducationType,
    Gender,
    PaymentWay,
    SchoolClass,
    SchoolType,
    Student,
    StudentCategory,
    TimeSlot,
    Venue,
    schedule_order,
    slot_moment,
)
from sessions_app.models.shootday import (
    CardCorrection,
    ChsiCheck,
    ClassClose,
    Shot,
    ShotAbsence,
    ShotCounter,
)
from sessions_app.models.summary import ShootPace, TallyCell

__all__ = [
    "BusyPeriod",
    "Campaign",
    "CaptureCode",
    "CaptureMode",
    "CardCorrection",
    "CategoryRule",
    "ChsiCheck",
    "ClassClose",
    "College",
    "EducationType",
    "Gender",
    "MakeupRoute",
    "PaymentWay",
    "RosterCorrection",
    "RosterImportJob",
    "ScheduleChange",
    "ScheduleChangeLine",
    "SchoolClass",
    "SchoolType",
    "Shot",
    "ShotAbsence",
    "ShootPace",
    "ShotCounter",
    "Student",
    "StudentCategory",
    "TallyCell",
    "TimeSlot",
    "Venue",
    "schedule_order",
    "slot_moment",
]
