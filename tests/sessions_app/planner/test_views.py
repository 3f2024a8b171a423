"""自动排班 and the busy periods' pages: staff only; the proposal is shown beside the
current plan and saved only through the schedule's confirmation, into the history,
undoable, and told to the students it moved; every bad input says so and changes
nothing."""

import io
import json
from io import StringIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook

from sessions_app.models import BusyPeriod, ScheduleChange, SchoolClass
from sessions_app.notice.loader import notice_load
from tests.factories import make_staff, make_student, make_student_user
from tests.personas import Personas
from tests.sessions_app.planner.checker import plan_broken_rules, plan_of_campaign


def notice_with_students():
    campaign, _ = notice_load()
    for school_class in SchoolClass.objects.filter(campaign=campaign):
        for _ in range(30 + len(school_class.name) % 7):
            make_student(school_class)
    return campaign


class PlannerPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.campaign = notice_with_students()
        cls.staff = make_staff(first_name="王老师")

    def setUp(self):
        self.client.force_login(self.staff)

    def url(self, name="sessions:planner", *args):
        return reverse(name, args=[self.campaign.pk, *args])

    def test_the_page_shows_the_current_plan_s_measures(self):
        response = self.client.get(self.url())
        self.assertContains(response, "自动排班")
        measures = response.context["measures"]
        self.assertEqual(measures.placed, 44)
        self.assertEqual(measures.split_cohorts, 3)
        self.assertContains(response, "市营17级、机械17级、环艺17级")
        self.assertContains(response, "机电1171 · 动力谷")

    def test_planning_shows_the_diff_and_saves_nothing(self):
        before = plan_of_campaign(self.campaign)
        response = self.client.post(self.url(), {})
        self.assertContains(response, "已证明最优")
        self.assertContains(response, 'id="accept-plan"')
        comparison = response.context["comparison"]
        self.assertEqual(comparison.before.split_cohorts, 3)
        self.assertEqual(comparison.after.split_cohorts, 0)
        self.assertLess(comparison.after.max_load_ratio, comparison.before.max_load_ratio)
        self.assertContains(response, "调整前")
        self.assertEqual(plan_of_campaign(self.campaign), before)
        self.assertFalse(ScheduleChange.objects.exists())

    def test_accepting_saves_through_the_history_tells_students_and_can_be_undone(self):
        before = plan_of_campaign(self.campaign)
        response = self.client.post(self.url(), {})
        form = response.context["form"]
        data = {name: form.initial.get(name) or "" for name in form.fields}
        moved = response.context["preview"].moved[0].school_class
        student = make_student(SchoolClass.objects.get(pk=moved.pk))
        saved = self.client.post(
            reverse("sessions:schedule_apply", args=[self.campaign.pk]), data, follow=True
        )
        self.assertContains(saved, "已保存")
        change = ScheduleChange.objects.get()
        self.assertEqual(change.kind, ScheduleChange.Kind.PLAN)
        self.assertEqual(change.made_by, self.staff)
        plan = plan_of_campaign(self.campaign)
        self.assertEqual(plan, response.context["result"].plan)
        self.assertEqual(plan_broken_rules(self.campaign, plan), [])

        self.client.force_login(make_student_user(student))
        self.assertContains(
            self.client.get(reverse("sessions:student_home")), "你班的拍摄时间已调整"
        )
        self.client.force_login(self.staff)

        # The same confirmation again is refused: the schedule has changed since.
        again = self.client.post(
            reverse("sessions:schedule_apply", args=[self.campaign.pk]), data, follow=True
        )
        self.assertContains(again, "排期已被修改")
        self.assertEqual(ScheduleChange.objects.count(), 1)

        undo = self.client.post(reverse("sessions:schedule_undo", args=[change.pk]))
        form = undo.context["form"]
        data = {name: form.initial.get(name) or "" for name in form.fields}
        self.client.post(reverse("sessions:schedule_apply", args=[self.campaign.pk]), data)
        self.assertEqual(plan_of_campaign(self.campaign), before)
        self.assertEqual(ScheduleChange.objects.get(undoes=change).kind, ScheduleChange.Kind.UNDO)

    def test_a_plan_that_changes_nothing_says_so(self):
        response = self.client.post(self.url(), {})
        form = response.context["form"]
        data = {name: form.initial.get(name) or "" for name in form.fields}
        self.client.post(reverse("sessions:schedule_apply", args=[self.campaign.pk]), data)
        again = self.client.post(self.url(), {})
        self.assertContains(again, "现在的安排就是这个方案")
        self.assertIsNone(again.context["form"])

    def test_staff_pin_a_class_and_the_plan_keeps_it_there(self):
        school_class = SchoolClass.objects.get(campaign=self.campaign, name="测量1171")
        slot = self.campaign.slots.order_by("start").first()
        self.client.post(
            self.url("sessions:planner_pin"), {"school_class": school_class.pk, "slot": slot.pk}
        )
        school_class.refresh_from_db()
        self.assertEqual(school_class.pinned_slot, slot)
        response = self.client.post(self.url(), {})
        self.assertIn(school_class.pk, response.context["result"].plan[slot.pk])
        self.client.post(self.url("sessions:planner_unpin", school_class.pk))
        school_class.refresh_from_db()
        self.assertIsNone(school_class.pinned_slot)

    def test_a_pin_of_another_campaign_s_class_or_slot_is_refused(self):
        school_class = SchoolClass.objects.get(campaign=self.campaign, name="测量1171")
        for data in (
            {"school_class": school_class.pk, "slot": 999999},
            {"school_class": 999999, "slot": self.campaign.slots.first().pk},
            {"school_class": "x", "slot": ""},
            {},
        ):
            response = self.client.post(self.url("sessions:planner_pin"), data, follow=True)
            self.assertEqual(response.status_code, 200)
            self.assertTrue(list(response.context["messages"]), data)
        school_class.refresh_from_db()
        self.assertIsNone(school_class.pinned_slot)
        deferred = SchoolClass.objects.get(campaign=self.campaign, name="工商17级")
        self.client.post(
            self.url("sessions:planner_pin"),
            {"school_class": deferred.pk, "slot": self.campaign.slots.first().pk},
        )
        deferred.refresh_from_db()
        self.assertIsNone(deferred.pinned_slot)

    def test_the_class_form_sets_the_venue_a_class_is_shot_at(self):
        school_class = SchoolClass.objects.get(campaign=self.campaign, name="测量1171")
        venue = SchoolClass.objects.get(campaign=self.campaign, name="机电1171").venue
        self.client.post(
            reverse("sessions:class_edit", args=[school_class.pk]),
            {"name": school_class.name, "major": "测量", "entry_year": 2017, "venue": venue.pk},
        )
        school_class.refresh_from_db()
        self.assertEqual(school_class.venue, venue)


def workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class BusyImportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.campaign, _ = notice_load()
        cls.staff = make_staff()

    def setUp(self):
        self.client.force_login(self.staff)
        self.url = reverse("sessions:planner_busy", args=[self.campaign.pk])

    def upload(self, name, content, **extra):
        return self.client.post(
            self.url, {"file": SimpleUploadedFile(name, content), **extra}, follow=True
        )

    def test_a_clean_csv_is_imported(self):
        content = "班级,日期,开始,结束,原因\n会计1171,2018-11-11,08:00,10:00,期中考试\n测量1171,2018/11/11,14:00,18:00,\n"
        response = self.upload("busy.csv", content.encode("gbk"))
        self.assertContains(response, "已导入 2 个忙碌时段")
        periods = BusyPeriod.objects.order_by("start")
        self.assertEqual([p.school_class.name for p in periods], ["会计1171", "测量1171"])
        self.assertEqual(periods[0].reason, "期中考试")
        # The same file again adds nothing twice.
        self.assertContains(self.upload("busy.csv", content.encode("gbk")), "另有 2 个已经有了")
        self.assertEqual(BusyPeriod.objects.count(), 2)

    def test_an_xlsx_with_date_and_time_cells_is_imported(self):
        import datetime

        content = workbook(
            [
                ["说明：各班考试安排"],
                ["班级", "日期", "开始时间", "结束时间", "事由"],
                [
                    "造价1171",
                    datetime.date(2018, 11, 11),
                    datetime.time(8),
                    datetime.time(9),
                    "考试",
                ],
            ]
        )
        self.assertContains(self.upload("busy.xlsx", content), "已导入 1 个忙碌时段")
        self.assertEqual(BusyPeriod.objects.get().school_class.name, "造价1171")

    def test_every_problem_of_every_row_is_listed_and_nothing_is_saved(self):
        BusyPeriod.objects.create(
            school_class=SchoolClass.objects.get(campaign=self.campaign, name="会计1171"),
            date="2018-11-11",
            start="08:00",
            end="09:00",
        )
        content = (
            "班级,日期,开始,结束,原因\n"
            "会计1171,2018-11-11,08:00,10:00,考试\n"
            "会计9999,2018-11-11,08:00,10:00,\n"
            "造价1171,明天,8点,7:00,\n"
            ",2018-02-30,25:00,10:00,\n"
        )
        response = self.upload("busy.csv", content.encode("utf-8"), replace="1")
        self.assertEqual(response.status_code, 400)
        problems = response.context["report"].problems
        found = {(p.row, p.column) for p in problems}
        self.assertEqual(
            found,
            {(3, "班级"), (4, "日期"), (4, "结束"), (5, "班级"), (5, "日期"), (5, "开始")},
        )
        self.assertContains(response, "本次采集没有这个班级", status_code=400)
        self.assertContains(response, "结束须晚于开始", status_code=400)
        self.assertContains(response, "没有导入任何内容", status_code=400)
        # Nothing changed, the replace included.
        self.assertEqual(BusyPeriod.objects.count(), 1)

    def test_a_file_that_is_no_list_of_busy_periods_says_why(self):
        for name, content, message in (
            ("busy.csv", "学号,姓名\n1,张三\n".encode(), "没有找到表头"),
            (
                "busy.csv",
                "班级,日期,原因\n会计1171,2018-11-11,考试\n".encode(),
                "缺少必需的列：开始、结束",
            ),
            ("busy.pdf", b"%PDF-1.4 ...", "PDF"),
            ("busy.csv", "班级,日期,开始,结束\n".encode(), "没有忙碌时段"),
        ):
            response = self.upload(name, content)
            self.assertContains(response, message, status_code=400)
        self.assertFalse(BusyPeriod.objects.exists())

    def test_staff_delete_a_busy_period(self):
        period = BusyPeriod.objects.create(
            school_class=SchoolClass.objects.get(campaign=self.campaign, name="会计1171"),
            date="2018-11-11",
            start="08:00",
            end="09:00",
        )
        url = reverse("sessions:planner_busy_delete", args=[self.campaign.pk, period.pk])
        self.assertContains(self.client.post(url, follow=True), "已删除")
        self.assertFalse(BusyPeriod.objects.exists())
        self.assertContains(self.client.post(url, follow=True), "没有这个忙碌时段")


class CommandTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.campaign = notice_with_students()
        cls.staff = make_staff(username="jwc")

    def run_command(self, *args):
        out = StringIO()
        call_command("plan_schedule", *args, stdout=out, stderr=StringIO())
        return out.getvalue()

    def test_json_has_the_documented_shape_and_the_page_s_plan(self):
        data = json.loads(self.run_command("--json"))
        self.assertEqual(
            set(data),
            {
                "slots",
                "unplaced",
                "split_colleges",
                "max_load_ratio",
                "students_moved",
                "optimal",
                "seconds",
            },
        )
        self.assertEqual(len(data["slots"]), 6)
        for slot in data["slots"]:
            self.assertEqual(set(slot), {"id", "start", "venue", "classes", "students", "capacity"})
            self.assertLessEqual(slot["students"], slot["capacity"])
        self.assertEqual(data["unplaced"], [])
        self.assertEqual(data["split_colleges"], 0)
        self.assertIs(data["optimal"], True)
        self.assertIsInstance(data["max_load_ratio"], float)
        self.assertGreater(data["students_moved"], 0)
        dongligu = next(s for s in data["slots"] if s["venue"] == "动力谷")
        self.assertTrue({"机电1171", "机电1175"} <= set(dongligu["classes"]))
        # The page plans the same.
        self.client.force_login(self.staff)
        page = self.client.post(reverse("sessions:planner", args=[self.campaign.pk]), {})
        names = {c.id: c.name for c in page.context["proposal"].problem.classes}
        self.assertEqual(
            [s["classes"] for s in data["slots"]],
            [[names[pk] for pk in page.context["result"].plan[s["id"]]] for s in data["slots"]],
        )

    def test_the_text_output_says_optimal(self):
        out = self.run_command()
        self.assertIn("已证明最优", out)
        self.assertIn("拆分的专业年级：3 → 0", out)

    def test_apply_saves_into_the_history(self):
        self.run_command("--apply", "--by", "jwc")
        change = ScheduleChange.objects.get()
        self.assertEqual(change.kind, ScheduleChange.Kind.PLAN)
        self.assertEqual(plan_broken_rules(self.campaign, plan_of_campaign(self.campaign)), [])

    def test_apply_needs_a_staff_account(self):
        for args in (("--apply",), ("--apply", "--by", "nobody"), ("--seconds", "0")):
            with self.assertRaises(CommandError):
                self.run_command(*args)
        self.assertFalse(ScheduleChange.objects.exists())


class PermissionTests(Personas):
    def test_only_staff_use_the_planner(self):
        urls_get = [
            reverse("sessions:planner", args=[self.campaign.pk]),
            reverse("sessions:planner_busy", args=[self.campaign.pk]),
        ]
        urls_post = urls_get + [
            reverse("sessions:planner_pin", args=[self.campaign.pk]),
            reverse("sessions:planner_unpin", args=[self.campaign.pk, self.school_class.pk]),
            reverse("sessions:planner_busy_delete", args=[self.campaign.pk, 1]),
        ]
        for name, user in self.personas().items():
            self.client.logout()
            if user is not None:
                self.client.force_login(user)
            for method, urls in (("get", urls_get), ("post", urls_post)):
                for url in urls:
                    response = getattr(self.client, method)(url)
                    if name == "staff":
                        self.assertIn(response.status_code, (200, 302, 400), (name, url))
                    elif name == "anonymous":
                        self.assertEqual(response.status_code, 302, (name, url))
                        self.assertIn("/accounts/login/", response["Location"])
                    else:
                        self.assertEqual(response.status_code, 403, (name, method, url))
        self.client.force_login(self.staff)
        self.assertContains(
            self.client.get(reverse("sessions:planner", args=[self.campaign.pk])), "自动排班"
        )
        self.assertEqual(
            self.client.get(reverse("sessions:planner", args=[999999])).status_code, 404
        )
