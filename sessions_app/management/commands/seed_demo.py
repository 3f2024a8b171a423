from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from capture_portal.roles import CREW_GROUP, STAFF_GROUP
from cards_app.demo import seed_demo_cards
from payments_app.demo import seed_demo_payments
from sessions_app.demo_roster import DemoClass, roster_generate
from sessions_app.demo_shoot import seed_demo_shoot
from sessions_app.models import SchoolClass, Student
from sessions_app.notice import notice_load
from sessions_app.services import class_monitor_set

BATCH_SIZE = 1000
DEMO_CLASS = "会计1171"
STAFF_LOGIN = ("jwc", "jwc-demo-2018")
CREW_LOGIN = ("crew", "crew-demo-2018")
MONITOR_PASSWORD = "monitor-demo-2018"
STUDENT_PASSWORD = "student-demo-2018"


class Command(BaseCommand):
    help = (
        "Fill the notice's campaign with a synthetic roster and create the demo logins. "
        "Safe to run again: existing students and users are left as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--students",
            type=int,
            metavar="N",
            help="Total number of students (default: 30-50 per class plus 60 without a class).",
        )
        parser.add_argument(
            "--shoot-day",
            action="store_true",
            help="Also record the notice's shoot day: numbers, photos, absences, class "
            "close-outs and 学信网 answers (about 20 s for the default roster).",
        )

    def handle(self, *args, students=None, shoot_day=False, **options):
        if students is not None and students < 0:
            raise CommandError("--students 不能为负数。")
        with transaction.atomic():
            campaign, loaded = notice_load()
            created, total, individuals = self._roster(campaign, students)
            logins, untouched = self._accounts(campaign)
            checks = seed_demo_cards(campaign)
            payments = seed_demo_payments(campaign)
            shots = 0
            if shoot_day:
                users = get_user_model().objects
                shots = seed_demo_shoot(
                    campaign,
                    by=users.get(username=CREW_LOGIN[0]),
                    answers_by=users.get(username=STAFF_LOGIN[0]),
                    keep_unanswered=[s.pk for s in Student.objects.filter(user__isnull=False)],
                )

        if not settings.DEBUG:
            self.stderr.write("注意：演示账号的密码是公开的，请勿在正式环境使用。")
        if loaded:
            self.stdout.write("已载入通知：%s" % campaign.title)
        self.stdout.write(
            "演示名单：新增 %d 名学生（本活动共 %d 名，%d 个班级，另有无班级者 %d 名）。"
            % (created, total, campaign.classes.count(), individuals)
        )
        if checks:
            self.stdout.write("演示采集卡核对：新增 %d 条。" % checks)
        if payments:
            self.stdout.write("演示缴费记录：新增 %d 条。" % payments)
        if shots:
            self.stdout.write("演示拍摄日：已登记 %d 个拍摄序号。" % shots)
        self.stdout.write("演示账号：")
        for label, username, password in logins:
            self.stdout.write("  %s：%s / %s" % (label, username, password))
        if untouched:
            self.stdout.write("（已存在的账号未作改动，密码以首次创建时为准。）")

    def _roster(self, campaign, students):
        """Create the missing demo students; return (created, total, without a class)."""
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
                raise CommandError("采集活动缺少类别规则：%s" % demo.category)
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
        students_qs = Student.objects.filter(campaign=campaign)
        return len(new), students_qs.count(), students_qs.filter(school_class=None).count()

    def _accounts(self, campaign):
        """Create the demo users; return (label, username, password) rows and whether any existed."""
        logins = []
        untouched = False
        for label, (username, password), group_name in (
            ("教务处", STAFF_LOGIN, STAFF_GROUP),
            ("拍摄组", CREW_LOGIN, CREW_GROUP),
        ):
            user, created = self._user(username, password)
            if created:
                user.groups.add(Group.objects.get_or_create(name=group_name)[0])
                if group_name == STAFF_GROUP:
                    # 教务处 may do everything, the admin included.
                    user.is_staff = user.is_superuser = True
                    user.save(update_fields=["is_staff", "is_superuser"])
            untouched |= not created
            logins.append((label, username, password))

        school_class = SchoolClass.objects.filter(campaign=campaign, name=DEMO_CLASS).first()
        roster = (
            list(Student.objects.filter(school_class=school_class).order_by("student_id")[:2])
            if school_class is not None
            else []
        )
        if len(roster) < 2:
            self.stdout.write("%s 学生不足两名，未建班长和学生演示账号。" % DEMO_CLASS)
            return logins, untouched

        monitor, student = roster
        for label, person, password in (
            ("班长（%s）" % DEMO_CLASS, monitor, MONITOR_PASSWORD),
            ("学生（%s）" % DEMO_CLASS, student, STUDENT_PASSWORD),
        ):
            user, created = self._user(person.student_id, password, first_name=person.name)
            untouched |= not created
            if person.user_id is None:
                person.user = user
                # A demo login goes straight in; real students change an issued one.
                person.must_change_password = False
                person.save(update_fields=["user", "must_change_password"])
            logins.append((label, person.student_id, password))
        if school_class.monitor_id is None:
            class_monitor_set(school_class=school_class, student=monitor)
        return logins, untouched

    def _user(self, username, password, first_name=""):
        """Get or create a user; only a new one gets the password."""
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first_name[:150]}
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        return user, created
