"""The sign-in sheets and the full roster, read back as Excel and a PDF reader read them."""

import io
import re

from django.test import TestCase
from openpyxl import load_workbook

from sessions_app.exports import export_file
from sessions_app.models import Student
from sessions_app.roster.reader import table_read
from sessions_app.roster.services import roster_import
from tests.factories import make_campaign, make_class, make_id_number, make_slot
from tests.sessions_app.support import NoticeWorld, pdf_pages


class SigninSheetTests(NoticeWorld):
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


class RosterExportTests(NoticeWorld):
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
        self.assertEqual(wang["身份证号"], make_id_number("43010219990101000"))
        self.assertEqual(wang["班级"], "微电网1171")
        self.assertEqual(wang["拍摄时段"], "2018-11-11 08:00—09:00")
        self.assertEqual(wang["地点"], self.first.slot.venue.name)
        self.assertTrue(wang["采集卡核对"])
        self.assertTrue(wang["缴费"])
        self.assertEqual(rows["1530101001"]["拍摄时段"], "2018-11-11 14:30—15:30")
        id_cell = next(c for c in sheet[3] if c.column == 3)
        self.assertEqual((id_cell.data_type, id_cell.number_format), ("s", "@"))

    def test_the_roster_can_be_imported_back_unchanged(self):
        data = self.export("roster", "xlsx")
        report = roster_import(
            campaign=self.campaign, table=table_read(data, "r.xlsx"), dry_run=True
        )
        self.assertEqual(report.problems, [])
        self.assertEqual(len(report.unchanged), Student.objects.count())


class SigninPageBreakTests(TestCase):
    """Classes of every size around a page's worth: none leaves a lone row on a page."""

    SIZES = (*range(26, 36), *range(56, 66))

    @classmethod
    def setUpTestData(cls):
        cls.campaign = make_campaign()
        cls.slot = make_slot(cls.campaign)
        students = []
        for n, size in enumerate(cls.SIZES):
            school_class = make_class(cls.campaign, cls.slot, name="会计%d" % (1100 + n))
            students += [
                Student(
                    campaign=cls.campaign,
                    school_class=school_class,
                    student_id="17%02d%06d" % (n, i),
                    name="阿卜杜热合曼·阿卜杜克热木" if i == 0 else "张三",
                    id_number=make_id_number("43010219990101%03d" % i),
                )
                for i in range(size)
            ]
        Student.objects.bulk_create(students)

    def test_no_page_holds_a_single_row_of_a_class_and_each_class_keeps_its_totals(self):
        content = export_file(campaign=self.campaign, kind="signin", fmt="pdf")[2]
        per_class: dict[str, list[int]] = {}
        for page in pdf_pages(content):
            class_name = re.search(r"会计11\d\d", page.splitlines()[1]).group()
            rows = re.findall(r"^\d+ 17\d{8} ", page, flags=re.MULTILINE)
            per_class.setdefault(class_name, []).append(len(rows))
            if "合计" in page:
                self.assertGreaterEqual(len(rows), 2, class_name)
        for n, size in enumerate(self.SIZES):
            counts = per_class["会计%d" % (1100 + n)]
            with self.subTest(size=size):
                self.assertEqual(sum(counts), size)
                self.assertGreaterEqual(min(counts), 2, counts)
        # Classes a little longer than a page are squeezed onto it.
        for n, size in enumerate(self.SIZES[:10]):
            self.assertEqual(per_class["会计%d" % (1100 + n)], [size])
