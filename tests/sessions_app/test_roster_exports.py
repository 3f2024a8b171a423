"""The lists of the day and the notice, read back as their users' programs read them."""

import datetime
import io
import tempfile
import zoneinfo
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from sessions_app.exports import export_file
from sessions_app.models import Campaign, SchoolClass, Student, StudentCategory
from sessions_app.notice import notice_load
from tests.factories import id_number, make_staff, make_student, make_student_user, make_user


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class ExportTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.campaign, _ = notice_load()
        classes = {c.name: c for c in cls.campaign.classes.all()}
        cls.first = classes["微电网1171"]  # first class of the 08:00 slot
        cls.second = classes["造价1171"]
        cls.deferred = cls.campaign.classes.filter(status=SchoolClass.Status.DEFERRED).first()
        # Enough students in one class to run over a page, added out of 学号 order.
        for n in reversed(range(60)):
            make_student(
                cls.first,
                student_id="17101010%02d" % n,
                name="王堃" if n == 0 else "买买提·艾力" if n == 1 else "张三",
                id_number=id_number("43010219990101%03d" % n),
            )
        make_student(cls.second, student_id="1720101001", name="欧阳娜娜")
        make_student(cls.deferred, student_id="1730401001", name="李延期")
        make_student(
            campaign=cls.campaign,
            student_id="1530101001",
            name="赵往届",
            category=StudentCategory.ALUMNI,
        )
        # The 17th digit of the ID number gives the gender; the factory does not care.
        for student in Student.objects.all():
            student.gender = "M" if int(student.id_number[16]) % 2 else "F"
            student.save(update_fields=["gender"])

    def export(self, kind, fmt, slot=None):
        return export_file(campaign=self.campaign, kind=kind, fmt=fmt, slot=slot)[2]


class SigninSheetTests(ExportTestCase):
    def test_classes_come_in_shooting_order_with_students_in_student_id_order(self):
        slot = self.first.slot
        pages = pdf_pages(self.export("signin", "pdf", slot=slot))
        text = "\n".join(pages)
        self.assertIn("序号", pages[0])
        for column in ("学号", "姓名", "班级", "拍摄序号", "签名", "已缴费"):
            self.assertIn(column, pages[0])
        self.assertLess(text.index("微电网1171"), text.index("造价1171"))
        self.assertLess(text.index("1710101000"), text.index("1710101001"))
        self.assertLess(text.index("1710101058"), text.index("1710101059"))
        self.assertIn("王堃", text)
        self.assertIn("买买提·艾力", text)
        self.assertNotIn("机电1171", text)  # another slot

    def test_every_page_carries_the_slot_the_venue_and_its_number(self):
        pages = pdf_pages(self.export("signin", "pdf", slot=self.first.slot))
        self.assertGreater(len(pages), 2)
        for number, page in enumerate(pages, start=1):
            self.assertIn("08:00—09:00", page)
            self.assertIn(self.first.slot.venue.name, page)
            self.assertIn("第 %d 页" % number, page)

    def test_the_shooting_number_column_is_left_blank(self):
        book = load_workbook(io.BytesIO(self.export("signin", "xlsx", slot=self.first.slot)))
        sheet = book.worksheets[0]
        # Title, the report's subtitle, the slot, then the header.
        rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=5)]
        header = [c.value for c in sheet[4]]
        self.assertIn("08:00—09:00", sheet.cell(3, 1).value)
        self.assertEqual(header, ["序号", "学号", "姓名", "班级", "拍摄序号", "签名", "已缴费"])
        self.assertEqual(rows[0][:4], [1, "1710101000", "王堃", "微电网1171"])
        self.assertEqual(sheet.cell(5, 2).number_format, "@")
        self.assertTrue(all(r[4] is None for r in rows[:60]))


class RosterExportTests(ExportTestCase):
    def test_every_student_is_listed_with_ids_as_text_and_their_slot_and_venue(self):
        sheet = load_workbook(io.BytesIO(self.export("roster", "xlsx"))).active
        header = [c.value for c in sheet[2]]
        self.assertEqual(header[:5], ["学号", "姓名", "身份证号", "性别", "班级"])
        for column in ("拍摄时段", "地点", "采集卡核对", "缴费"):
            self.assertIn(column, header)
        rows = {
            r[0]: dict(zip(header, r, strict=True))
            for r in sheet.iter_rows(min_row=3, values_only=True)
        }
        self.assertEqual(len(rows), Student.objects.count())
        wang = rows["1710101000"]
        self.assertEqual(wang["身份证号"], id_number("43010219990101000"))
        self.assertEqual(wang["班级"], "微电网1171")
        self.assertEqual(wang["拍摄时段"], "2018-11-11 08:00—09:00")
        self.assertEqual(wang["地点"], self.first.slot.venue.name)
        self.assertTrue(wang["采集卡核对"])
        self.assertTrue(wang["缴费"])
        self.assertEqual(rows["1530101001"]["拍摄时段"], "2018-11-11 14:30—15:30")
        id_cell = next(c for c in sheet[3] if c.column == 3)
        self.assertEqual((id_cell.data_type, id_cell.number_format), ("s", "@"))

    def test_the_roster_can_be_imported_back_unchanged(self):
        from sessions_app.roster_import import roster_import, table_read

        data = self.export("roster", "xlsx")
        report = roster_import(
            campaign=self.campaign, table=table_read(data, "r.xlsx"), dry_run=True
        )
        self.assertEqual(report.problems, [])
        self.assertEqual(len(report.unchanged), Student.objects.count())


class MakeupListTests(ExportTestCase):
    def makeup_text(self, when):
        content = export_file(campaign=self.campaign, kind="makeup", fmt="pdf", now=when)[2]
        return "\n".join(pdf_pages(content))

    def test_before_the_day_only_the_deferred_classes_are_listed(self):
        text = self.makeup_text(datetime.datetime(2018, 11, 10, 12, tzinfo=SHANGHAI))
        self.assertIn("须到中心补拍　0 人", text)
        self.assertIn("李延期", text)
        self.assertIn("%s（班级推迟至下一年）" % self.deferred.name, text)
        self.assertNotIn("赵往届", text)
        self.assertNotIn("欧阳娜娜", text)

    def test_after_the_day_everyone_not_photographed_goes_to_the_centre(self):
        text = self.makeup_text(datetime.datetime(2018, 11, 12, 12, tzinfo=SHANGHAI))
        self.assertIn("赵往届", text)
        self.assertIn("欧阳娜娜", text)
        self.assertIn("未拍摄（时段已结束）", text)
        self.assertIn("长沙市迎宾路175号", text)
        self.assertIn("0731-82250811", text)
        self.assertIn("李延期", text)


class NoticeTests(ExportTestCase):
    def test_the_notice_holds_every_class_the_venues_the_fee_and_the_date_of_issue(self):
        pages = pdf_pages(self.export("notice", "pdf"))
        text = "".join("".join(page.split()) for page in pages)
        for school_class in SchoolClass.objects.filter(campaign=self.campaign, slot__isnull=False):
            self.assertIn(school_class.name, text)
        for phrase in (
            "关于2020届毕业生图像采集工作的通知",
            "明理楼(南栋)109教室",
            "动力谷",
            "每人20元",
            "0000",
            "2B铅笔",
            "普通专科",
            "浅黄色",
            "0731-82250811",
            "2018年11月7日",
            "工商17级",
            "08:00—09:00",
            "17:00—18:00",
        ):
            self.assertIn(phrase, text)

    def test_a_change_in_the_campaign_shows_in_the_notice(self):
        Campaign.objects.filter(pk=self.campaign.pk).update(makeup_centre_phone="0731-12345678")
        self.campaign.refresh_from_db()
        text = "".join("".join(p.split()) for p in pdf_pages(self.export("notice", "pdf")))
        self.assertIn("0731-12345678", text)


class ExportPageTests(ExportTestCase):
    def url(self, kind, **query):
        url = reverse("schedule:export_download", args=[self.campaign.pk, kind])
        return url + ("?" + "&".join("%s=%s" % kv for kv in query.items()) if query else "")

    def test_staff_download_each_list(self):
        self.client.force_login(make_staff())
        page = self.client.get(reverse("schedule:exports", args=[self.campaign.pk]))
        self.assertContains(page, "签到表")
        for kind, fmt, content_type in (
            ("signin", "pdf", "application/pdf"),
            ("roster", "xlsx", "spreadsheetml"),
            ("makeup", "pdf", "application/pdf"),
            ("notice", "pdf", "application/pdf"),
        ):
            response = self.client.get(self.url(kind, format=fmt))
            self.assertEqual(response.status_code, 200, kind)
            self.assertIn(content_type, response["Content-Type"])
            self.assertIn("attachment", response["Content-Disposition"])

    def test_outsiders_students_and_monitors_are_refused(self):
        urls = [
            reverse("schedule:exports", args=[self.campaign.pk]),
            self.url("roster", format="xlsx"),
            self.url("signin"),
            self.url("notice"),
        ]
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 302, url)
        student = Student.objects.get(student_id="1720101001")
        self.client.force_login(make_student_user(student))
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 403, url)
        self.client.force_login(make_user())
        self.assertEqual(self.client.get(urls[1]).status_code, 403)

    def test_bad_parameters_are_a_message_not_an_error(self):
        self.client.force_login(make_staff())
        self.assertEqual(self.client.get(self.url("nonsense")).status_code, 404)
        for query in ({"format": "docx"}, {"slot": "abc"}, {"slot": "999999"}):
            response = self.client.get(self.url("signin", **query))
            self.assertEqual(response.status_code, 302, query)
        response = self.client.get(self.url("notice", format="xlsx"), follow=True)
        self.assertContains(response, "只能导出为 PDF")


class ExportCommandTests(ExportTestCase):
    def test_it_writes_each_kind_to_the_output_file(self):
        directory = Path(tempfile.mkdtemp())
        for kind, fmt in (("signin", "pdf"), ("roster", "xlsx"), ("makeup", "pdf")):
            output = directory / ("%s.%s" % (kind, fmt))
            call_command(
                "export_roster",
                "--kind",
                kind,
                "--format",
                fmt,
                "--output",
                str(output),
                stdout=StringIO(),
            )
            self.assertGreater(output.stat().st_size, 1000)
        sheet = load_workbook(directory / "roster.xlsx").active
        self.assertEqual(sheet.cell(2, 1).value, "学号")

    def test_a_format_the_kind_does_not_have_is_refused(self):
        with self.assertRaisesMessage(CommandError, "只能导出为 PDF"):
            call_command(
                "export_roster", "--kind", "notice", "--format", "xlsx", "--output", "/tmp/x.xlsx"
            )
