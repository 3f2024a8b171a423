"""The demo roster: its generator (pure) and the seed_demo command (real database)."""

import re
from collections import Counter
from io import StringIO

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import SimpleTestCase, TestCase

from cards_app import rules
from sessions_app import roles
from sessions_app.demo.roster import DemoClass, roster_generate, roster_sizes
from sessions_app.models import Campaign, SchoolClass, Student, StudentCategory

RARE_CHARACTERS = "堃喆玥镕赟珺犇頔"
TRADITIONAL_SURNAMES = ("張", "劉", "陳")
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛")
SURNAMES_READ_DIFFERENTLY = "单曾区仇解查朴乐覃缪翟盖"
HUNAN_REGIONS = {
    "430102", "430103", "430104", "430111", "430121", "430181", "430202", "430302", "430381",
    "430402", "430521", "430602", "430703", "430802", "430902", "431002", "431102", "431202",
    "431302", "433101",
}  # fmt: skip


def id_number_problems(number: str, gender: str) -> list[str]:
    """Return what is wrong with a demo ID number (empty if nothing): the card rules'
    errors, a gender the 17th digit does not state, a birth outside 1994-2001."""
    problems = [i.code for i in rules.check_id_number(number) if i.level == "error"]
    if not problems:
        if rules.gender_from_id(number) != gender:
            problems.append("gender")
        if not 1994 <= int(number[6:10]) <= 2001:
            problems.append("birth year")
    return problems


def hanzi_count(name: str) -> int:
    return len(name.replace("\u00b7", ""))


def encodes_in_gb2312(name: str) -> bool:
    try:
        name.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def snapshot() -> tuple:
    """Return everything seed_demo may write, to compare before and after a run."""
    return (
        list(Campaign.objects.order_by("pk").values_list()),
        list(SchoolClass.objects.order_by("pk").values_list()),
        list(Student.objects.order_by("pk").values_list()),
        list(User.objects.order_by("pk").values_list()),
        list(Group.objects.order_by("pk").values_list()),
        list(User.groups.through.objects.order_by("pk").values_list()),
    )


class SeedDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.output = seed()
        cls.campaign = Campaign.objects.get()
        cls.students = list(Student.objects.all())
        cls.demo_class = SchoolClass.objects.get(name="会计1171")

    def test_it_loads_the_notice_when_the_campaign_is_missing(self):
        self.assertIn("已载入通知", self.output)
        self.assertEqual(self.campaign.classes.count(), 46)

    def test_every_class_gets_30_to_50_students_including_the_deferred_ones(self):
        sizes = Counter(s.school_class_id for s in self.students if s.school_class_id)
        classes = list(self.campaign.classes.all())
        self.assertEqual(sum(c.status == SchoolClass.Status.DEFERRED for c in classes), 2)
        for school_class in classes:
            with self.subTest(school_class=school_class.name):
                self.assertTrue(30 <= sizes[school_class.pk] <= 50, sizes[school_class.pk])

    def test_class_sizes_differ_between_classes(self):
        sizes = Counter(s.school_class_id for s in self.students if s.school_class_id)
        self.assertGreater(len(set(sizes.values())), 5)

    def test_students_without_a_class_are_about_sixty_individuals(self):
        individuals = [s for s in self.students if s.school_class_id is None]
        self.assertTrue(50 <= len(individuals) <= 70, len(individuals))
        self.assertEqual(
            {s.category for s in individuals},
            {StudentCategory.EARLIER_UNSHOT, StudentCategory.ALUMNI, StudentCategory.ADULT},
        )

    def test_every_student_with_a_class_is_current_and_belongs_to_the_campaign(self):
        for student in self.students:
            self.assertEqual(student.campaign_id, self.campaign.pk)
            self.assertIs(
                student.category == StudentCategory.CURRENT, student.school_class_id is not None
            )

    def test_education_and_school_type_come_from_the_category_rule(self):
        rules = {r.category: r for r in self.campaign.category_rules.all()}
        for student in self.students:
            rule = rules[student.category]
            self.assertEqual(
                (student.education_type, student.school_type),
                (rule.education_type, rule.school_type),
            )
        self.assertIn("adult_junior", {s.education_type for s in self.students})

    def test_student_ids_are_unique_digits_matching_the_college_pattern(self):
        ids = [s.student_id for s in self.students]
        self.assertEqual(len(ids), len(set(ids)))
        for student_id in ids:
            self.assertRegex(student_id, r"^\d{6,14}$")
            self.assertIsNotNone(re.fullmatch(settings.STUDENT_ID_PATTERN, student_id))

    def test_a_class_student_id_holds_entry_year_major_class_and_sequence(self):
        ids = sorted(s.student_id for s in self.students if s.school_class_id == self.demo_class.pk)
        self.assertEqual(ids[:2], ["1730101001", "1730101002"])

    def test_every_id_number_is_valid(self):
        for student in self.students:
            with self.subTest(student=student.student_id):
                self.assertEqual(id_number_problems(student.id_number, student.gender), [])

    def test_the_id_checker_itself_rejects_wrong_numbers(self):
        # The standard's own example: a valid number of a woman born in 1949.
        example = "11010519491231002X"
        self.assertEqual(id_number_problems(example, "F"), ["birth year"])
        self.assertIn("gender", id_number_problems(example, "M"))
        self.assertIn("checksum", id_number_problems("110105194912310021", "F"))
        self.assertIn("birth_date", id_number_problems("43010319990230001X", "M"))
        self.assertIn("region", id_number_problems("99010519491231002X", "F"))

    def test_id_numbers_are_unique_mostly_from_hunan_and_several_end_in_x(self):
        numbers = [s.id_number for s in self.students]
        self.assertEqual(len(numbers), len(set(numbers)))
        hunan = [n for n in numbers if n[:6] in HUNAN_REGIONS]
        self.assertGreater(len(hunan), 0.8 * len(numbers))
        self.assertLess(len(hunan), len(numbers))
        self.assertGreaterEqual(sum(n.endswith("X") for n in numbers), 5)

    def test_genders_are_both_present(self):
        self.assertEqual({s.gender for s in self.students}, {"M", "F"})

    def test_names_include_every_kind_the_card_must_handle(self):
        names = [s.name for s in self.students]
        for character in RARE_CHARACTERS:
            with self.subTest(character=character):
                self.assertTrue(any(character in name for name in names))
        for surname in TRADITIONAL_SURNAMES + COMPOUND_SURNAMES + tuple(SURNAMES_READ_DIFFERENTLY):
            with self.subTest(surname=surname):
                self.assertTrue(any(name.startswith(surname) for name in names))
        minority = [n for n in names if "\u00b7" in n]
        self.assertTrue(minority)
        for name in minority:
            self.assertGreater(hanzi_count(name), 4, name)
        self.assertFalse(all(encodes_in_gb2312(name) for name in names))

    def test_most_names_are_two_or_three_gb2312_hanzi(self):
        plain = [
            s.name
            for s in self.students
            if 2 <= len(s.name) <= 3 and encodes_in_gb2312(s.name) and "\u00b7" not in s.name
        ]
        self.assertGreater(len(plain), 0.8 * len(self.students))

    def test_each_unusual_kind_of_name_is_only_a_few_per_hundred(self):
        names = [s.name for s in self.students]
        kinds = {
            "rare": [n for n in names if any(c in n for c in RARE_CHARACTERS)],
            "traditional": [n for n in names if n[0] in TRADITIONAL_SURNAMES],
            "compound": [n for n in names if n[:2] in COMPOUND_SURNAMES],
            "minority": [n for n in names if "\u00b7" in n],
        }
        for kind, matching in kinds.items():
            with self.subTest(kind=kind):
                self.assertLess(len(matching), 0.08 * len(names))

    def test_staff_and_crew_logins_have_their_roles(self):
        jwc = User.objects.get(username="jwc")
        crew = User.objects.get(username="crew")
        self.assertIs(jwc.check_password("jwc-demo-2018"), True)
        self.assertIs(crew.check_password("crew-demo-2018"), True)
        self.assertIs(roles.is_staff_member(jwc), True)
        self.assertIs(roles.is_staff_member(crew), False)
        self.assertIs(roles.is_crew(crew), True)
        self.assertEqual(list(jwc.groups.values_list("name", flat=True)), [roles.STAFF_GROUP])
        self.assertEqual(list(crew.groups.values_list("name", flat=True)), [roles.CREW_GROUP])

    def test_the_first_student_of_the_demo_class_is_its_monitor_with_a_login(self):
        first = self.demo_class.students.order_by("student_id").first()
        self.assertEqual(self.demo_class.monitor, first)
        user = User.objects.get(username=first.student_id)
        self.assertEqual(first.user, user)
        self.assertIs(first.must_change_password, False)
        self.assertIs(user.check_password("monitor-demo-2018"), True)
        self.assertEqual(roles.monitored_class_of(user), self.demo_class)

    def test_the_second_student_of_the_demo_class_has_a_plain_student_login(self):
        second = self.demo_class.students.order_by("student_id")[1]
        user = User.objects.get(username=second.student_id)
        self.assertEqual(second.user, user)
        self.assertIs(second.must_change_password, False)
        self.assertIs(user.check_password("student-demo-2018"), True)
        self.assertIsNone(roles.monitored_class_of(user))
        self.assertEqual(user.student, second)

    def test_no_user_is_created_per_student(self):
        self.assertEqual(User.objects.count(), 4)
        self.assertEqual(Student.objects.filter(user__isnull=False).count(), 2)

    def test_it_prints_the_counts_and_the_demo_logins(self):
        self.assertIn(f"新增 {len(self.students)} 名学生", self.output)
        self.assertIn("教务处：jwc / jwc-demo-2018", self.output)
        self.assertIn("拍摄组：crew / crew-demo-2018", self.output)
        self.assertIn("1730101001 / monitor-demo-2018", self.output)
        self.assertIn("1730101002 / student-demo-2018", self.output)

    def test_running_it_twice_changes_nothing(self):
        before = snapshot()
        output = seed()
        self.assertEqual(snapshot(), before)
        self.assertIn("新增 0 名学生", output)
        self.assertNotIn("已载入通知", output)

    def test_running_it_again_keeps_a_changed_password_and_monitor(self):
        jwc = User.objects.get(username="jwc")
        jwc.set_password("changed-by-staff-2018")
        jwc.save()
        other = self.demo_class.students.order_by("student_id")[5]
        SchoolClass.objects.filter(pk=self.demo_class.pk).update(monitor=other)

        seed()

        jwc.refresh_from_db()
        self.assertIs(jwc.check_password("changed-by-staff-2018"), True)
        self.demo_class.refresh_from_db()
        self.assertEqual(self.demo_class.monitor, other)


class SeedDemoTotalTests(TestCase):
    def test_students_option_creates_exactly_that_many(self):
        output = seed(students=700)

        self.assertEqual(Student.objects.count(), 700)
        individuals = Student.objects.filter(school_class=None).count()
        self.assertTrue(0 < individuals < 50, individuals)
        for school_class in SchoolClass.objects.all():
            self.assertGreater(school_class.students.count(), 5, school_class.name)
        self.assertIn("新增 700 名学生", output)
        self.assertEqual(User.objects.count(), 4)

    def test_a_negative_number_of_students_is_refused(self):
        with self.assertRaisesMessage(CommandError, "不能为负数"):
            seed(students=-1)
        self.assertEqual(Student.objects.count(), 0)


def notice_classes() -> list[DemoClass]:
    """Return a few classes shaped like the notice's, for the pure generator."""
    return [
        DemoClass(name="会计1171", major="会计", entry_year=2017),
        DemoClass(name="会计1172", major="会计", entry_year=2017),
        DemoClass(name="机电1171", major="机电", entry_year=2017),
        DemoClass(name="酒管1161", major="酒管", entry_year=2016),
        DemoClass(name="工商17级", major="工商", entry_year=2017),
        DemoClass(name="新专业1171", major="新专业", entry_year=2017),
    ]


class RosterGenerateTests(SimpleTestCase):
    def test_it_gives_the_same_roster_every_time_whatever_the_class_order(self):
        classes = notice_classes()
        first = list(roster_generate(classes=classes))
        again = list(roster_generate(classes=list(reversed(classes))))
        self.assertEqual(first, again)

    def test_a_total_is_split_exactly_across_classes_and_individuals(self):
        classes = notice_classes()
        for total in (0, 1, 7, 100, 1234, 20000):
            with self.subTest(total=total):
                per_class, per_category = roster_sizes(classes=classes, total=total)
                self.assertEqual(sum(per_class.values()) + sum(per_category.values()), total)
                self.assertEqual(len(list(roster_generate(classes=classes, total=total))), total)

    def test_a_bigger_total_keeps_the_first_students_of_a_class(self):
        classes = notice_classes()
        small = [s for s in roster_generate(classes=classes) if s.class_name == "会计1171"]
        big = [
            s for s in roster_generate(classes=classes, total=5000) if s.class_name == "会计1171"
        ]
        self.assertEqual(big[: len(small)], small)

    def test_an_unknown_major_still_gets_unique_digit_student_ids(self):
        students = list(roster_generate(classes=notice_classes(), total=3000))
        ids = [s.student_id for s in students]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertTrue(all(re.fullmatch(r"\d{6,14}", i) for i in ids))
        self.assertTrue(any(s.class_name == "新专业1171" for s in students))
