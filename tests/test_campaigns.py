"""Two campaigns in one database: every page, export and command shows the one asked
for (``?campaign=`` / ``--campaign``), remembers a signed-in user's choice, and never
falls back to "the latest" silently."""

import io
import re
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from payments_app.services import payment_record
from sessions_app.models import Student
from sessions_app.selectors import campaign_default
from sessions_app.shootday import services as shootday
from tests.cards_app.factories import make_card_check
from tests.factories import (
    make_campaign,
    make_class,
    make_crew,
    make_monitor,
    make_slot,
    make_staff,
    make_student,
)
from tests.sessions_app.shootday.factories import at, make_photographed

SWITCH = re.compile(r'<form[^>]*class="campaign-switch.*?</form>', re.S)


class TwoCampaigns(TestCase):
    """Campaign A shot on 2018-11-11, campaign B on 2019-11-10; each with one class, a
    paid and photographed student, an absent one, a card discrepancy and a 学信网 answer.
    Every name differs, so a page shows whose data it holds."""

    @classmethod
    def setUpTestData(cls):
        cls.staff, cls.crew = make_staff(), make_crew()
        cls.a = cls._world("2020届毕业生图像采集", "2018-11-11", "会计1171", "甲", "中心甲")
        cls.b = cls._world("2021届毕业生图像采集", "2019-11-10", "测量1881", "乙", "中心乙")

    @classmethod
    def _world(cls, title, day, class_name, mark, centre):
        campaign = make_campaign(title=title, makeup_centre_name=centre)
        slot = make_slot(campaign, start="08:00", end="09:00", date=day)
        school_class = make_class(campaign, slot, name=class_name)
        monitor, monitor_user = make_monitor(school_class)
        shot = make_student(school_class, name="%s拍摄" % mark)
        absent = make_student(school_class, name="%s缺席" % mark)
        payment_record(student=shot, by=monitor_user)
        make_photographed(shot, by=cls.crew, when=at(day, "08:05"))
        shootday.shot_mark_absent(student=absent, by=cls.crew, now=at(day, "08:10"))
        shootday.chsi_check_confirm(
            student=shot, ok=False, problem="%s的毕业年份不对" % mark, by=cls.staff
        )
        make_card_check(monitor, name="%s改名" % mark)
        return {
            "campaign": campaign,
            "class": school_class,
            "mark": mark,
            "centre": centre,
            "student": shot,
        }


def workbook_text(source) -> str:
    """Return every cell of a workbook (bytes or a path) as lines of text."""
    book = load_workbook(
        io.BytesIO(source) if isinstance(source, bytes) else source, read_only=True
    )
    return "\n".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )


def page_text(response) -> str:
    """Return the page without the campaign switch, which names every campaign."""
    return SWITCH.sub("", response.content.decode())


class PagesTests(TwoCampaigns):
    # (url name, what of the campaign the page shows) for the pages taking ?campaign=.
    STAFF_PAGES = [
        ("sessions:staff_board", "class"),
        ("payments:overview", "class"),
        ("cards:staff_bulk", "title"),
        ("cards:staff_discrepancies", "discrepancy"),
        ("shootday:desk", "class"),
        ("shootday:numbers", "title"),
        ("shootday:makeup", "centre"),
        ("shootday:chsi", "problem"),
    ]
    PUBLIC_PAGES = [("sessions:home", "class"), ("shootday:board", "title")]

    def marker(self, world, what):
        return {
            "class": world["class"].name,
            "title": world["campaign"].title,
            "discrepancy": "%s改名" % world["mark"],
            "centre": world["centre"],
            "problem": "%s的毕业年份不对" % world["mark"],
        }[what]

    def check(self, name, what, user=None):
        if user is not None:
            self.client.force_login(user)
        for world, other in ((self.a, self.b), (self.b, self.a)):
            url = "%s?campaign=%d" % (reverse(name), world["campaign"].pk)
            with self.subTest(page=name, campaign=world["campaign"].title):
                text = page_text(self.client.get(url))
                self.assertIn(self.marker(world, what), text)
                self.assertNotIn(self.marker(other, what), text)

    def test_every_staff_and_crew_page_shows_the_campaign_asked_for(self):
        for name, what in self.STAFF_PAGES:
            self.check(name, what, user=self.staff)

    def test_every_public_page_shows_the_campaign_asked_for(self):
        for name, what in self.PUBLIC_PAGES:
            self.check(name, what)

    def test_a_signed_in_users_choice_is_remembered_across_pages(self):
        self.client.force_login(self.staff)
        self.client.get("%s?campaign=%d" % (reverse("sessions:staff_board"), self.a["campaign"].pk))
        for name, what in self.STAFF_PAGES:
            with self.subTest(page=name):
                text = page_text(self.client.get(reverse(name)))
                self.assertIn(self.marker(self.a, what), text)
                self.assertNotIn(self.marker(self.b, what), text)

    def test_without_a_choice_a_page_shows_the_campaign_whose_day_is_nearest(self):
        # Both days are past: the one shot most recently, B, whatever was created last.
        self.assertEqual(campaign_default(), self.b["campaign"])
        self.client.force_login(self.crew)
        text = page_text(self.client.get(reverse("shootday:numbers")))
        self.assertIn(self.b["campaign"].title, text)

    def test_an_unknown_or_malformed_campaign_is_a_404(self):
        self.client.force_login(self.staff)
        for value in ("999999", "abc", "²", "1" * 40, "-1"):
            url = "%s?campaign=%s" % (reverse("payments:overview"), value)
            with self.subTest(value=value):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_an_unpublished_campaign_stays_hidden_from_the_public(self):
        self.b["campaign"].published = False
        self.b["campaign"].save()
        url = "%s?campaign=%d" % (reverse("sessions:home"), self.b["campaign"].pk)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertNotContains(self.client.get(reverse("sessions:home")), self.b["class"].name)

    def test_the_lookup_finds_a_student_only_in_their_campaign(self):
        student = self.b["student"]
        data = {"student_id": student.student_id, "name": student.name}
        for world, found in ((self.b, True), (self.a, False)):
            url = "%s?campaign=%d" % (reverse("sessions:lookup"), world["campaign"].pk)
            response = self.client.post(url, data)
            with self.subTest(campaign=world["campaign"].title):
                self.assertIs(response.context["result"] is not None, found)


class ExportsTests(TwoCampaigns):
    def test_every_download_holds_the_campaign_asked_for(self):
        self.client.force_login(self.staff)
        downloads = [
            ("%s?format=xlsx" % reverse("payments:export"), "name"),
            ("%s?format=xlsx" % reverse("shootday:makeup"), "absent"),
            (reverse("cards:staff_bulk_export", args=["problems.xlsx"]), None),
        ]
        for world, other in ((self.a, self.b), (self.b, self.a)):
            for url, what in downloads:
                sep = "&" if "?" in url else "?"
                response = self.client.get("%s%scampaign=%d" % (url, sep, world["campaign"].pk))
                with self.subTest(url=url, campaign=world["campaign"].title):
                    self.assertEqual(response.status_code, 200)
                    text = workbook_text(response.content)
                    self.assertIn(world["campaign"].title, text)
                    self.assertNotIn(other["campaign"].title, text)
                    if what == "name":
                        self.assertIn("%s拍摄" % world["mark"], text)
                        self.assertNotIn("%s拍摄" % other["mark"], text)
                    if what == "absent":
                        self.assertIn("%s缺席" % world["mark"], text)
                        self.assertNotIn("%s缺席" % other["mark"], text)

    def test_the_export_page_lists_of_each_campaign_are_its_own(self):
        self.client.force_login(self.staff)
        for world, other in ((self.a, self.b), (self.b, self.a)):
            url = reverse("sessions:export_download", args=[world["campaign"].pk, "roster"])
            text = workbook_text(self.client.get(url + "?format=xlsx").content)
            self.assertIn("%s拍摄" % world["mark"], text)
            self.assertNotIn("%s拍摄" % other["mark"], text)


class CommandsTests(TwoCampaigns):
    def output(self, *args) -> Path:
        path = Path(tempfile.mkdtemp()) / "out.xlsx"
        call_command(*args, "--output", str(path), stdout=StringIO())
        return path

    def test_exports_write_the_campaign_given(self):
        for world, other in ((self.a, self.b), (self.b, self.a)):
            pk = str(world["campaign"].pk)
            roster = workbook_text(
                self.output(
                    "export_roster", "--kind", "roster", "--format", "xlsx", "--campaign", pk
                )
            )
            payments = workbook_text(
                self.output("export_payments", "--format", "xlsx", "--campaign", pk)
            )
            for text in (roster, payments):
                self.assertIn("%s拍摄" % world["mark"], text)
                self.assertNotIn("%s拍摄" % other["mark"], text)

    def test_the_import_goes_into_the_campaign_given(self):
        book = Workbook()
        book.active.append(["学号", "姓名", "身份证号", "班级"])
        book.active.append(["1990101001", "丙新生", "11010519491231002X", "测量1881"])
        path = Path(tempfile.mkdtemp()) / "roster.xlsx"
        book.save(path)
        call_command(
            "import_roster",
            str(path),
            "--campaign",
            str(self.b["campaign"].pk),
            stdout=StringIO(),
            stderr=StringIO(),
        )
        self.assertEqual(Student.objects.get(name="丙新生").campaign, self.b["campaign"])

    def test_without_campaign_a_command_refuses_to_guess_and_lists_them(self):
        for args in (
            ("export_roster", "--kind", "roster", "--output", "/tmp/never.xlsx"),
            ("export_payments", "--format", "xlsx", "--output", "/tmp/never.xlsx"),
            ("import_roster", "/tmp/never.xlsx"),
        ):
            with self.subTest(command=args[0]):
                with self.assertRaisesMessage(CommandError, "请用 --campaign 指定"):
                    call_command(*args, stdout=StringIO(), stderr=StringIO())
        with self.assertRaisesMessage(CommandError, self.a["campaign"].title):
            call_command("export_roster", "--kind", "roster", "--output", "/tmp/never.xlsx")

    def test_an_unknown_campaign_is_refused(self):
        with self.assertRaisesMessage(CommandError, "没有编号为 999999 的采集活动"):
            call_command(
                "export_roster",
                "--kind",
                "roster",
                "--output",
                "/tmp/x.xlsx",
                "--campaign",
                "999999",
            )
