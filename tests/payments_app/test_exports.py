import io
import tempfile
from decimal import Decimal
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from payments_app.exports import payment_list_export
from payments_app.services import payment_record
from sessions_app.models import College, SchoolClass, StudentCategory
from tests.factories import (
    make_campaign,
    make_id_number,
    make_slot,
    make_staff,
    make_student,
    make_student_user,
    make_venue,
)
from tests.payments_app.factories import make_class_world, make_payments


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


class ExportTestCase(TestCase):
    def setUp(self):
        self.college = College.objects.create(name="经济管理学院")
        self.world = make_class_world(1, name="会计1171", college=self.college)
        self.campaign = self.world.campaign
        cls = self.world.school_class
        # 学号 with leading zeros and an ID ending in X: both must survive as text.
        self.zero = make_student(
            cls,
            student_id="0017301002",
            name="欧阳娜娜",
            id_number=make_id_number("43010519491231002"),
        )
        self.x_id = make_student(
            cls, student_id="0017301003", name="王堃", id_number="11010519491231002X"
        )
        self.unpaid = make_student(cls, student_id="1730101099", name="买买提·艾力")
        self.alumnus = make_student(
            cls, student_id="1730101100", name="往届生甲", category=StudentCategory.ALUMNI
        )
        make_payments([self.world.monitor, self.zero, self.x_id], self.world.monitor_user)
        self.other = make_class_world(2, campaign=self.campaign, name="造价1171")
        self.deferred = make_class_world(
            2, campaign=self.campaign, name="工商1701", status=SchoolClass.Status.DEFERRED
        )

    def export(self, fmt, **kwargs):
        kwargs.setdefault("classes", SchoolClass.objects.filter(pk=self.world.school_class.pk))
        return payment_list_export(campaign=self.campaign, fmt=fmt, **kwargs)


class XlsxExportTests(ExportTestCase):
    def test_the_cells_equal_the_ledger_with_ids_as_text(self):
        filename, content_type, content = self.export("xlsx", scope_label="会计1171")

        self.assertTrue(filename.startswith("缴费名单-会计1171-"))
        self.assertIn("spreadsheetml", content_type)
        sheet = load_workbook(io.BytesIO(content))["会计1171"]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        header = rows.index(["序号", "学号", "姓名", "身份证号", "缴费", "金额（元）", "登记时间"])
        body = rows[header + 1 : header + 6]
        self.assertEqual(
            [r[1] for r in body],
            [
                "0017301002",
                "0017301003",
                self.world.monitor.student_id,
                "1730101099",
                "1730101100",
            ],
        )
        self.assertEqual(body[1][3], "11010519491231002X")
        self.assertEqual(body[0][3], self.zero.id_number)
        self.assertEqual([r[4] for r in body], ["✓ 已缴", "✓ 已缴", "✓ 已缴", "未缴", "补拍自缴"])
        self.assertEqual([r[5] for r in body], [20, 20, 20, None, None])
        totals = rows[header + 6]
        self.assertEqual(totals[:4], ["合计", "应缴 4 人", "已缴 3 人", "未缴 1 人"])
        self.assertEqual(Decimal(str(totals[5])), Decimal("60"))
        for row in sheet.iter_rows(min_row=header + 2, max_row=header + 6):
            self.assertEqual(row[1].number_format, "@")
            self.assertEqual(row[3].number_format, "@")
            self.assertEqual(row[1].data_type, "s")

    def test_it_sets_a4_fit_to_width_and_repeats_the_header(self):
        content = self.export("xlsx")[2]

        sheet = load_workbook(io.BytesIO(content)).worksheets[0]
        self.assertEqual(str(sheet.page_setup.paperSize), str(sheet.PAPERSIZE_A4))
        self.assertEqual(int(sheet.page_setup.fitToWidth), 1)
        self.assertIs(sheet.sheet_properties.pageSetUpPr.fitToPage, True)
        self.assertTrue(sheet.print_title_rows)

    def test_all_classes_give_a_sheet_each_and_leave_deferred_classes_out(self):
        content = self.export("xlsx", classes=None)[2]

        self.assertEqual(load_workbook(io.BytesIO(content)).sheetnames, ["会计1171", "造价1171"])

    def test_one_sheet_carries_a_class_column(self):
        content = self.export("xlsx", classes=None, one_sheet=True)[2]

        sheet = load_workbook(io.BytesIO(content)).worksheets[0]
        rows = [r for r in sheet.iter_rows(values_only=True)]
        classes = {r[0] for r in rows if r[0] in ("会计1171", "造价1171")}
        self.assertEqual(classes, {"会计1171", "造价1171"})
        self.assertIn(("会计1171", "0017301002"), {(r[0], r[2]) for r in rows})

    def test_the_unpaid_list_has_only_the_unpaid(self):
        content = self.export("xlsx", unpaid_only=True)[2]

        sheet = load_workbook(io.BytesIO(content)).worksheets[0]
        ids = [
            r[1] for r in sheet.iter_rows(values_only=True) if r[0] == 1 or isinstance(r[0], int)
        ]
        self.assertEqual(ids, ["1730101099"])

    def test_a_monitor_export_masks_classmates_id_numbers(self):
        content = self.export("xlsx", mask_id_numbers=True)[2]

        values = [
            c
            for r in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True)
            for c in r
        ]
        self.assertIn("1101**********002X", values)
        self.assertNotIn("11010519491231002X", values)


class PdfExportTests(ExportTestCase):
    def test_the_text_equals_the_rows_and_totals_with_signature_lines(self):
        filename, content_type, content = self.export("pdf")

        self.assertEqual(content_type, "application/pdf")
        text = pdf_text(content)
        for student in (self.zero, self.x_id, self.unpaid):
            self.assertIn(student.student_id, text)
            self.assertIn(student.name, text)
        self.assertIn("11010519491231002X", text)
        self.assertIn("王堃", text)  # outside GB2312, inside GBK: the embedded font has it
        self.assertIn("应缴 4 人", text)
        self.assertIn("已缴 3 人", text)
        self.assertIn("未缴 1 人", text)
        self.assertIn("60.00", text)
        self.assertIn("班长（签名）", text)
        self.assertIn("收款人（签名）", text)
        self.assertLess(text.index("0017301002"), text.index("0017301003"))
        self.assertLess(text.index("0017301003"), text.index("1730101099"))

    def test_it_starts_each_class_on_its_own_page(self):
        content = self.export("pdf", classes=None)[2]

        pages = [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]
        self.assertEqual(len(pages), 2)
        self.assertIn("会计1171", pages[0])
        self.assertIn("造价1171", pages[1])
        self.assertNotIn("工商1701", "".join(pages))

    def test_it_embeds_the_cjk_font(self):
        content = self.export("pdf")[2]

        fonts = set()
        for page in PdfReader(io.BytesIO(content)).pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                descendant = (
                    font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
                )
                descriptor = descendant.get("/FontDescriptor")
                if descriptor is not None:
                    fonts.add("/FontFile2" in descriptor.get_object())
        self.assertEqual(fonts, {True})


class ExportViewTests(ExportTestCase):
    def setUp(self):
        super().setUp()
        self.staff = make_staff()
        self.url = reverse("payments:export")

    def test_staff_export_all_a_college_or_a_class(self):
        self.client.force_login(self.staff)

        everything = self.client.get(self.url, {"format": "xlsx"})
        college = self.client.get(self.url, {"format": "xlsx", "college": self.college.pk})
        one = self.client.get(
            self.url, {"format": "pdf", "school_class": self.other.school_class.pk}
        )

        self.assertEqual(
            load_workbook(io.BytesIO(everything.content)).sheetnames, ["会计1171", "造价1171"]
        )
        self.assertEqual(load_workbook(io.BytesIO(college.content)).sheetnames, ["会计1171"])
        self.assertIn("造价1171", pdf_text(one.content))
        self.assertIn("attachment", one["Content-Disposition"])
        self.assertIn(
            "11010519491231002X", pdf_text(self.client.get(self.url, {"format": "pdf"}).content)
        )

    def test_a_monitor_exports_only_their_class_masked(self):
        self.client.force_login(self.world.monitor_user)

        own = self.client.get(self.url, {"format": "pdf"})
        text = pdf_text(own.content)
        self.assertIn("会计1171", text)
        self.assertNotIn("造价1171", text)
        self.assertIn("1101**********002X", text)
        self.assertEqual(
            self.client.get(
                self.url, {"format": "pdf", "school_class": self.other.school_class.pk}
            ).status_code,
            403,
        )
        self.assertEqual(
            self.client.get(self.url, {"format": "pdf", "college": self.college.pk}).status_code,
            403,
        )

    def test_students_and_anonymous_cannot_export(self):
        self.assertEqual(self.client.get(self.url, {"format": "xlsx"}).status_code, 302)
        self.client.force_login(make_student_user(self.unpaid))
        self.assertEqual(self.client.get(self.url, {"format": "xlsx"}).status_code, 403)

    def test_a_bad_format_gets_a_message_not_an_error(self):
        self.client.force_login(self.staff)

        response = self.client.get(self.url, {"format": "docx"}, follow=True)

        self.assertEqual(response.status_code, 200)
        self.assertIn("导出参数不对", " ".join(str(m) for m in response.context["messages"]))

    def test_an_unknown_class_is_not_found(self):
        self.client.force_login(self.staff)

        self.assertEqual(
            self.client.get(self.url, {"format": "xlsx", "school_class": 99999}).status_code, 404
        )


class ExportPaymentsCommandTests(ExportTestCase):
    def test_it_writes_xlsx_and_pdf_files(self):
        with tempfile.TemporaryDirectory() as folder:
            xlsx = Path(folder) / "all.xlsx"
            pdf = Path(folder) / "one.pdf"
            call_command(
                "export_payments", "--format", "xlsx", "--output", str(xlsx), stdout=io.StringIO()
            )
            call_command(
                "export_payments",
                "--format",
                "pdf",
                "--output",
                str(pdf),
                "--class",
                "会计1171",
                stdout=io.StringIO(),
            )

            self.assertEqual(load_workbook(xlsx).sheetnames, ["会计1171", "造价1171"])
            text = pdf_text(pdf.read_bytes())
        self.assertIn("0017301002", text)
        self.assertNotIn("造价1171", text)

    def test_an_unknown_class_is_an_error(self):
        with self.assertRaisesMessage(CommandError, "没有找到班级“会计9999”"):
            call_command(
                "export_payments",
                "--format",
                "pdf",
                "--output",
                "/tmp/x.pdf",
                "--class",
                "会计9999",
            )

    def test_a_payment_recorded_later_shows_in_the_next_export(self):
        payment_record(student=self.unpaid, by=self.world.monitor_user)

        text = pdf_text(self.export("pdf")[2])

        self.assertIn("已缴 4 人", text)
        self.assertIn("80.00", text)


class ScheduleOrderTests(TestCase):
    def test_classes_come_in_the_schedules_order_not_by_code_point(self):
        campaign = make_campaign()
        venue = make_venue()
        early = make_slot(campaign, venue, "08:00", "09:00")
        late = make_slot(campaign, venue, "09:00", "10:00")
        for slot, name in ((late, "会计1171"), (early, "造价1172"), (early, "材料1171")):
            make_class_world(1, campaign=campaign, name=name, slot=slot)
        make_class_world(1, campaign=campaign, name="阿拉1171", slot=None)  # not yet placed

        content = payment_list_export(campaign=campaign, fmt="xlsx")[2]

        self.assertEqual(
            load_workbook(io.BytesIO(content)).sheetnames,
            ["造价1172", "材料1171", "会计1171", "阿拉1171"],
        )
