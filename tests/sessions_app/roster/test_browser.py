"""The staff roster import in a real browser: upload, preview, error file, confirm."""

import tempfile
from pathlib import Path

from selenium.webdriver.common.by import By

from sessions_app.models import Student
from tests.browser import BrowserTestCase
from tests.factories import make_campaign, make_class, make_slot, make_staff
from tests.sessions_app.roster.support import GOOD_ROWS, xlsx

PASSWORD = "staff-browser-pw-1"


class RosterImportBrowserTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.campaign = make_campaign()
        make_class(self.campaign, make_slot(self.campaign), name="会计1171")
        make_staff(username="jwc-browser", password=PASSWORD)
        self.directory = Path(tempfile.mkdtemp())

    def upload(self, data, name):
        path = self.directory / name
        path.write_bytes(data)
        self.open("/staff/")
        self.find("#link-roster-import").click()
        self.wait_for("#roster-upload")
        self.find('input[type="file"]').send_keys(str(path))
        self.submit("#roster-upload [type=submit]")

    def test_staff_see_every_problem_download_the_error_file_then_import_a_clean_file(self):
        self.login("jwc-browser", PASSWORD)
        bad = [*GOOD_ROWS, ("1730101009", "Tom", "4.30102E+17", "会计1171", "", "男")]
        self.upload(xlsx(bad), "名单-有错.xlsx")
        refused = self.wait_for("#import-refused")
        self.assertIn("整份名单都未导入", refused.text)
        problems = self.find("#problems").text
        self.assertIn("科学计数法", problems)
        self.assertIn("Tom", problems)
        self.assertEqual(self.find_all("#confirm-import"), [])
        self.screenshot("roster-import-errors", full_page=True)
        download = self.driver.execute_async_script(
            """
            const done = arguments[arguments.length - 1];
            fetch(document.getElementById("error-file").href, {credentials: "same-origin"})
              .then(r => r.arrayBuffer().then(b => done([r.status, r.headers.get("content-type"),
                                                         b.byteLength])));
            """
        )
        self.assertEqual(download[0], 200)
        self.assertIn("spreadsheetml", download[1])
        self.assertGreater(download[2], 1000)
        self.assertEqual(Student.objects.count(), 0)

        self.upload(xlsx(GOOD_ROWS), "名单.xlsx")
        summary = self.wait_for("#import-summary").text
        self.assertIn("3", summary)
        self.assertIn("欧阳娜娜", self.find("#new").text)
        self.screenshot("roster-import-preview", full_page=True)
        self.assertIn("市营1171", self.find("#new-classes").text)
        self.find("#new-classes-ok").click()
        self.submit("#confirm-import")
        self.assertIn("已导入", self.wait_for("#import-done").text)
        self.assertEqual(Student.objects.count(), 3)
        self.screenshot("roster-import-done")

    def test_a_file_that_is_not_a_spreadsheet_gets_a_clear_message(self):
        self.login("jwc-browser", PASSWORD)
        self.upload(b"%PDF-1.4 not a roster", "名单.xlsx")
        self.assertIn("PDF", self.wait_for(".invalid-feedback, .alert-danger, #div_id_file").text)
        self.assertEqual(self.driver.find_elements(By.CSS_SELECTOR, "#import-summary"), [])
        self.assertEqual(Student.objects.count(), 0)
