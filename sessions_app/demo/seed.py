"""The demo of `make run`: the notice's campaign with a synthetic roster, the demo
logins, card checks, payments and, if asked, the notice's shoot day as recorded.

Safe to run again: existing students and users are left as they are. The passwords
are public (README): never run it on a real server.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from cards_app.demo import seed_demo_cards
from payments_app.demo import seed_demo_handover, seed_demo_payments
from sessions_app.demo.code import DEMO_CLASS as CODE_DEMO_CLASS
from sessions_app.demo.code import code_campaign_codes, code_campaign_load, code_campaign_roster
from sessions_app.demo.roster import DemoClass, roster_generate
from sessions_app.demo.shoot import seed_demo_shoot
from sessions_app.models import Campaign, SchoolClass, Student
from sessions_app.notice.loader import notice_load
from sessions_app.roles import CREW_GROUP, STAFF_GROUP
from sessions_app.services import class_monitor_set
from sessions_app.summary.services import summaries_rebuild

BATCH_SIZE = 1000
DEMO_CLASS = "会计1171"
DEMO_COLLEGE_CODE = "12345"
STAFF_LOGIN = ("jwc", "jwc-demo-2018")
CREW_LOGIN = ("crew", "crew-demo-2018")
MONITOR_PASSWORD = "monitor-demo-2018"
STUDENT_PASSWORD = "student-demo-2018"


class DemoError(Exception):
    """The demo cannot be built; the message is for the user."""


@dataclass
class DemoResult:
    campaign: Campaign
    loaded: bool = False  # the notice's campaign was created by this run
    created: int = 0  # students added
    total: int = 0
    individuals: int = 0
    checks: int = 0
    payments: int = 0
    shots: int = 0
    handovers: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # label, username, password
    untouched: bool = False  # some logins existed already and kept their passwords
    notes: list[str] = field(default_factory=list)
    code_campaign: Campaign | None = None
    code_created: int = 0


def seed_demo(
    *, students: int | None = None, shoot_day: bool = False, code_campaign: bool = False
) -> DemoResult:
    """Build the demo in one transaction and return what was made; ``code_campaign``
    adds the 2026届 campaign in code mode (sessions_app/demo/code.py)."""
    if students is not None and students < 0:
        raise DemoError("--students 不能为负数。")
    with transaction.atomic():
        campaign, loaded = notice_load()
        if not campaign.college_code:
            # The notice does not print the code; the demo's is a placeholder.
            campaign.college_code = DEMO_COLLEGE_CODE
            campaign.save(update_fields=["college_code"])
        result = DemoResult(campaign=campaign, loaded=loaded)
        _roster(result, students)
        _accounts(result)
        result.checks = seed_demo_cards(campaign)
        # The roster and the card checks are written in bulk: their figures are counted
        # from the records; the services below keep them as they go.
        summaries_rebuild(campaign=campaign)
        result.payments = seed_demo_payments(campaign)
        if shoot_day:
            users = get_user_model().objects
            crew = users.get(username=CREW_LOGIN[0])
            result.shots = seed_demo_shoot(
                campaign,
                by=crew,
                answers_by=users.get(username=STAFF_LOGIN[0]),
                keep_unanswered=[s.pk for s in Student.objects.filter(user__isnull=False)],
            )
            result.handovers = seed_demo_handover(campaign, by=crew)
        if code_campaign:
            _code_campaign(result)
    return result


def _code_campaign(result: DemoResult) -> None:
    campaign, _loaded = code_campaign_load()
    result.code_campaign = campaign
    result.code_created = code_campaign_roster(campaign)
    code_campaign_codes(campaign)
    school_class = SchoolClass.objects.get(campaign=campaign, name=CODE_DEMO_CLASS)
    _class_logins(result, school_class, "（%s，采集码）" % CODE_DEMO_CLASS)
    # Written in bulk: its figures are counted from the records.
    summaries_rebuild(campaign=campaign)


def _roster(result: DemoResult, students: int | None) -> None:
    """Create the missing demo students of the campaign."""
    campaign = result.campaign
    classes = list(campaign.classes.all())
    class_by_name = {c.name: c for c in classes}
    rules = {rule.category: rule for rule in campaign.category_rules.all()}
    demo_classes = [
        DemoClass(
            name=c.name,
            major=c.major or c.name,
            entry_year=c.entry_year or campaign.graduation_year - 3,
        )
        for c in classes
    ]
    # 学号 is unique across campaigns, so look at every student, not this campaign's.
    existing = set(Student.objects.values_list("student_id", flat=True))
    new = []
    for demo in roster_generate(classes=demo_classes, total=students):
        if demo.student_id in existing:
            continue
        rule = rules.get(demo.category)
        if rule is None:
            raise DemoError("采集活动缺少类别规则：%s" % demo.category)
        new.append(
            Student(
                campaign=campaign,
                student_id=demo.student_id,
                name=demo.name,
                id_number=demo.id_number,
                gender=demo.gender,
                school_class=class_by_name.get(demo.class_name),
                category=demo.category,
                education_type=rule.education_type,
                school_type=rule.school_type,
            )
        )
    Student.objects.bulk_create(new, batch_size=BATCH_SIZE)
    everyone = Student.objects.filter(campaign=campaign)
    result.created = len(new)
    result.total = everyone.count()
    result.individuals = everyone.filter(school_class=None).count()


def _accounts(result: DemoResult) -> None:
    """Create the demo users: staff, crew, and the monitor and a student of 会计1171."""
    for label, (username, password), group_name in (
        ("教务处", STAFF_LOGIN, STAFF_GROUP),
        ("拍摄组", CREW_LOGIN, CREW_GROUP),
    ):
        user, created = _user(username, password)
        if created:
            user.groups.add(Group.objects.get_or_create(name=group_name)[0])
            if group_name == STAFF_GROUP:
                # 教务处 may do everything, the admin included.
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
        result.untouched |= not created
        result.logins.append((label, username, password))

    school_class = SchoolClass.objects.filter(campaign=result.campaign, name=DEMO_CLASS).first()
    _class_logins(result, school_class, "（%s）" % DEMO_CLASS)


def _class_logins(result: DemoResult, school_class, suffix: str) -> None:
    """Log in the first two students of the class: its monitor and a student."""
    roster = (
        list(Student.objects.filter(school_class=school_class).order_by("student_id")[:2])
        if school_class is not None
        else []
    )
    if len(roster) < 2:
        result.notes.append("%s 学生不足两名，未建班长和学生演示账号。" % DEMO_CLASS)
        return
    monitor, student = roster
    for label, person, password in (
        ("班长" + suffix, monitor, MONITOR_PASSWORD),
        ("学生" + suffix, student, STUDENT_PASSWORD),
    ):
        user, created = _user(person.student_id, password, first_name=person.name)
        result.untouched |= not created
        if person.user_id is None:
            person.user = user
            # A demo login goes straight in; real students change an issued one.
            person.must_change_password = False
            person.save(update_fields=["user", "must_change_password"])
        result.logins.append((label, person.student_id, password))
    if school_class.monitor_id is None:
        class_monitor_set(school_class=school_class, student=monitor)


def _user(username, password, first_name=""):
    """Get or create a user; only a new one gets the password."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first_name[:150]}
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user, created
