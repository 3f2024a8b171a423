"""The staff import pages: upload, preview, error file, confirm, and the progress of a
long import."""

import io

from django.test import SimpleTestCase, TransactionTestCase, override_settings
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from sessions_app.models import Student
from sessions_app.roster.reader import table_read
from tests.factories import (
    make_campaign,
    make_class,
    make_slot,
    make_staff,
    make_user,
)
from tests.sessions_app.roster.support import (
    GOOD_ROWS,
    HEADER,
    RosterImportTestCase,
    run_worker,
    saved,
    xlsx,
)


class ImportPageTests(RosterImportTestCase):
    def setUp(self):
        super().setUp()
        self.staff = make_staff()
        self.url = reverse("roster:import", args=[self.campaign.pk])

    def upload(self, data, name="名单.xlsx"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self.client.post(self.url, {"file": SimpleUploadedFile(name, data)})

    def test_an_outsider_and_a_student_are_refused(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)
        self.client.force_login(make_user())
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.upload(xlsx(GOOD_ROWS)).status_code, 403)
        self.assertEqual(Student.objects.count(), 0)

    def test_staff_upload_preview_then_confirm(self):
        self.client.force_login(self.staff)
        response = self.upload(xlsx(GOOD_ROWS))
        self.assertEqual(response.status_code, 302)
        page = self.client.get(response["Location"])
        self.assertContains(page, "检查通过，尚未写入")
        self.assertContains(page, "欧阳娜娜")
        self.assertContains(page, "市营1171")
        self.assertEqual(Student.objects.count(), 0)
        token = response["Location"].rstrip("/").rsplit("/", 1)[1]
        # The file's classes are new to the campaign: staff confirm them first.
        self.assertContains(page, "本次采集还没有的班级")
        unconfirmed = self.client.post(reverse("roster:import_confirm", args=[token]), follow=True)
        self.assertContains(unconfirmed, "确认是新班级后勾选确认框再导入")
        self.assertEqual(Student.objects.count(), 0)
        confirm = self.client.post(
            reverse("roster:import_confirm", args=[token]), {"new_classes_ok": "1"}
        )
        self.assertEqual(Student.objects.count(), 3)
        done = self.client.get(confirm["Location"])
        self.assertContains(done, "已导入")
        # Confirming twice does not import twice.
        self.client.post(reverse("roster:import_confirm", args=[token]), {"new_classes_ok": "1"})
        self.assertEqual(Student.objects.count(), 3)

    def test_a_file_with_problems_lists_them_and_gives_back_an_error_file(self):
        self.client.force_login(self.staff)
        rows = [
            *GOOD_ROWS,
            ("1730101009", "李四", "4.30102E+17", "会计1171", "", "女"),
            (1730101010, "王五", 430102199901011230, "会计1171", "", "男"),  # numbers
        ]
        response = self.upload(xlsx(rows))
        page = self.client.get(response["Location"])
        self.assertContains(page, "整份名单都未导入")
        self.assertContains(page, "科学计数法")
        self.assertNotContains(page, "确认导入")
        token = response["Location"].rstrip("/").rsplit("/", 1)[1]
        refused = self.client.post(reverse("roster:import_confirm", args=[token]))
        self.assertEqual(refused.status_code, 302)
        self.assertEqual(Student.objects.count(), 0)
        errors = self.client.get(reverse("roster:import_errors", args=[token]))
        sheet = load_workbook(io.BytesIO(errors.content)).active
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        header = values[1]
        self.assertEqual(header, [*HEADER, "错误原因"])
        self.assertEqual(values[2][0], "1730101001")
        self.assertIsNone(values[2][-1])
        self.assertEqual(values[5][2], "4.30102E+17")
        self.assertIn("科学计数法", values[5][-1])
        # Numbers go back as Excel showed them, as text in the text columns.
        self.assertEqual(values[6][0], "1730101010")
        self.assertEqual(values[6][2], "4.30102199901011E+17")
        self.assertIn("15 位有效数字", values[6][-1])
        # The error file, corrected, reads as a roster again.
        self.assertEqual(table_read(errors.content, "e.xlsx").columns["student_id"], 0)

    def test_notes_about_the_file_are_shown_above_the_counts(self):
        self.client.force_login(self.staff)
        book = Workbook()
        book.active.title = "说明"
        sheet = book.create_sheet("学生名单")
        sheet.append(HEADER)
        sheet.append(["1730101001", "张三", "#N/A", "会计1171", "", "男"])
        sheet["C2"].data_type = "e"
        response = self.upload(saved(book))
        page = self.client.get(response["Location"])
        notes = page.content.decode().split('id="import-notes"')[1].split("</ul>")[0]
        self.assertIn("1 个单元格是公式错误", notes)
        self.assertIn("名单读自工作表“学生名单”", notes)
        self.assertNotContains(page, "提醒（")  # no row-level notes to fold away

    def test_another_staff_member_cannot_open_the_job(self):
        self.client.force_login(self.staff)
        response = self.upload(xlsx(GOOD_ROWS))
        self.client.force_login(make_staff())
        self.assertEqual(self.client.get(response["Location"]).status_code, 404)
        self.assertEqual(
            self.client.get(reverse("roster:import_job", args=["..%2F..%2Fetc"])).status_code,
            404,
        )

    def test_not_a_spreadsheet_is_a_clear_message_and_nothing_is_written(self):
        self.client.force_login(self.staff)
        response = self.upload(b"%PDF-1.4 whatever", "名单.xlsx")
        self.assertContains(response, "PDF 文件", status_code=400)
        self.assertEqual(Student.objects.count(), 0)

    @override_settings(ROSTER_IMPORT_MAX_UPLOAD_BYTES=2000)
    def test_an_upload_over_the_limit_is_refused(self):
        self.client.force_login(self.staff)
        response = self.upload(b"x" * 3000, "a.csv")
        self.assertContains(response, "超过", status_code=400)

    def test_the_status_of_a_job_is_json_for_the_progress_bar(self):
        self.client.force_login(self.staff)
        response = self.upload(xlsx(GOOD_ROWS))
        token = response["Location"].rstrip("/").rsplit("/", 1)[1]
        status = self.client.get(reverse("roster:import_status", args=[token])).json()
        self.assertEqual(status["state"], "preview")
        self.assertEqual(status["done"], 3)


@override_settings(ROSTER_IMPORT_INLINE_ROWS=1)
class LongImportTests(TransactionTestCase):
    """A file of more rows than are checked within the request goes to the job queue."""

    def test_the_page_reports_progress_until_the_queue_has_checked_and_imported_it(self):
        campaign = make_campaign()
        make_class(campaign, make_slot(campaign), name="会计1171")
        self.client.force_login(make_staff())
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = self.client.post(
            reverse("roster:import", args=[campaign.pk]),
            {"file": SimpleUploadedFile("名单.xlsx", xlsx(GOOD_ROWS))},
        )
        token = response["Location"].rstrip("/").rsplit("/", 1)[1]
        status_url = reverse("roster:import_status", args=[token])
        # Queued: nothing is checked until a worker takes it.
        waiting = self.client.get(status_url).json()
        self.assertEqual((waiting["state"], waiting["done"], waiting["total"]), ("checking", 0, 3))
        self.assertIs(waiting["queued"], True)
        page = self.client.get(response["Location"])
        self.assertContains(page, "正在检查")
        self.assertContains(page, 'id="import-progress"')

        run_worker()
        checked = self.client.get(status_url).json()
        self.assertEqual(
            (checked["state"], checked["done"], checked["percent"]), ("preview", 3, 100)
        )
        self.assertContains(self.client.get(response["Location"]), "检查通过，尚未写入")

        self.client.post(reverse("roster:import_confirm", args=[token]), {"new_classes_ok": "1"})
        self.assertEqual(self.client.get(status_url).json()["state"], "importing")
        self.assertContains(self.client.get(response["Location"]), "正在导入")
        self.assertEqual(Student.objects.count(), 0)
        run_worker()
        self.assertEqual(self.client.get(status_url).json()["state"], "imported")
        self.assertContains(self.client.get(response["Location"]), "已导入")
        self.assertEqual(Student.objects.count(), 3)


class NewClassConfirmationTests(SimpleTestCase):
    def test_a_new_class_like_an_existing_one_is_flagged_as_a_likely_typo(self):
        from sessions_app.roster.checker import similar_names

        existing = ["会计1171", "机电1174", "造价1171"]
        typos = ["会计117l", "会计１１７１", "会记1171", "造价 1171"]
        self.assertEqual(
            similar_names(typos, existing),
            {
                name: old
                for name, old in zip(
                    typos, ["会计1171", "会计1171", "会计1171", "造价1171"], strict=True
                )
            },
        )
        # A sibling class or another major is a real new class.
        self.assertEqual(similar_names(["机电1175", "市营1171", "会计1181"], existing), {})


class HeaderRuleTests(SimpleTestCase):
    """The form, a missing header and a missing column say the same about 班级."""

    def test_every_message_says_the_same_rule(self):
        from sessions_app.roster.forms import RosterUploadForm
        from sessions_app.roster.table import columns_check, header_rule, missing_header_message

        rule = header_rule()
        self.assertIn(rule, str(RosterUploadForm().fields["file"].help_text))
        self.assertIn(rule, missing_header_message())
        with self.assertRaises(Exception) as refused:
            columns_check(
                ["学号", "姓名", "身份证号"], {"student_id": 0, "name": 1, "id_number": 2}
            )
        self.assertIn("缺少必需的列：班级。", str(refused.exception))
        self.assertIn(rule, str(refused.exception))
        self.assertNotIn("“班级”“学院”“性别”“学历类别”“类别”可选", missing_header_message())
