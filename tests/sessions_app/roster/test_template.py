"""The import template: staff download it, and it imports back with the example skipped."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from sessions_app.models import Student
from sessions_app.roster.reader import table_read
from sessions_app.roster.services import roster_import
from sessions_app.roster.table import COLUMN_ALIASES
from sessions_app.roster.template import EXAMPLE
from tests.factories import make_id_number
from tests.personas import Personas


class ImportTemplateTests(Personas):
    def url(self):
        return reverse("roster:import_template", args=[self.campaign.pk])

    def download(self) -> bytes:
        self.client.force_login(self.staff)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        self.assertIn("attachment", response["Content-Disposition"])
        return response.content

    def test_only_staff_may_download_it(self):
        for who, user in self.personas().items():
            self.client.logout()
            if user is not None:
                self.client.force_login(user)
            status = self.client.get(self.url()).status_code
            with self.subTest(who):
                expected = {"staff": 200, "anonymous": 302}.get(who, 403)
                self.assertEqual(status, expected)

    def test_an_unknown_campaign_is_not_found(self):
        self.client.force_login(self.staff)
        url = reverse("roster:import_template", args=[self.campaign.pk + 999])
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_the_import_page_links_to_it(self):
        self.client.force_login(self.staff)
        page = self.client.get(reverse("roster:import", args=[self.campaign.pk]))
        self.assertContains(page, 'href="%s"' % self.url())

    def test_it_has_every_header_the_import_reads_a_filled_example_and_ids_as_text(self):
        sheet = load_workbook(io.BytesIO(self.download())).worksheets[0]
        header = [c.value for c in sheet[1]]
        self.assertEqual(header[:3], ["学号", "姓名", "身份证号"])
        for field, aliases in COLUMN_ALIASES.items():
            with self.subTest(field):
                self.assertIn(aliases[0], header)
        example = dict(zip(header, [c.value for c in sheet[2]], strict=True))
        self.assertEqual(example["姓名"], EXAMPLE["name"])
        self.assertEqual(example["身份证号"], "11010519491231002X")
        self.assertEqual(example["班级"], "会计1171")  # a class of this campaign
        for column in ("A", "C"):  # 学号, 身份证号: the cells and the whole column
            self.assertEqual(sheet["%s2" % column].number_format, "@")
            self.assertEqual(sheet["%s2" % column].data_type, "s")
            self.assertEqual(sheet.column_dimensions[column].number_format, "@")

    def test_the_template_as_downloaded_imports_back_with_the_example_reported_and_skipped(self):
        report = roster_import(
            campaign=self.campaign, table=table_read(self.download(), "模板.xlsx"), dry_run=True
        )
        self.assertEqual(report.ignored_columns, [])
        self.assertEqual(report.rows, 0)
        self.assertEqual(
            [p.message for p in report.problems],
            ["除了示例学生，文件中没有学生数据：请在示例行下面填写学生后再上传。"],
        )
        self.assertIn(
            "第 2 行是导入模板中的示例学生（示例学生），已跳过，不会导入。",
            [w.message for w in report.file_notes],
        )

    def test_students_filled_in_below_the_example_are_imported_and_the_example_is_not(self):
        book = load_workbook(io.BytesIO(self.download()))
        sheet = book.worksheets[0]
        sheet.append(["1703010188", "李䶮", make_id_number("43010320010512101"), "", "会计1171"])
        buffer = io.BytesIO()
        book.save(buffer)
        report = roster_import(
            campaign=self.campaign, table=table_read(buffer.getvalue(), "模板.xlsx"), dry_run=False
        )
        self.assertEqual(report.problems, [])
        self.assertEqual([r.student_id for r in report.new], ["1703010188"])
        self.assertTrue(Student.objects.filter(student_id="1703010188", name="李䶮").exists())
        self.assertFalse(Student.objects.filter(student_id=EXAMPLE["student_id"]).exists())
        self.assertIn(
            "第 2 行是导入模板中的示例学生（示例学生），已跳过，不会导入。",
            [w.message for w in report.file_notes],
        )
