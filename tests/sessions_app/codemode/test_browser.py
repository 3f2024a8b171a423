"""Code mode in a real browser: a student uploads the saved code on a phone, and the
desk finds that student when a wedge scanner types the code into the scan field."""

import tempfile
from pathlib import Path

from selenium.webdriver.common.keys import Keys

from sessions_app.models import CaptureCode, CaptureMode
from tests.browser import BrowserTestCase
from tests.factories import (
    make_campaign,
    make_class,
    make_crew,
    make_slot,
    make_student,
    make_student_user,
    make_venue,
)
from tests.sessions_app.codemode import images

PASSWORD = "code-browser-2026"


class CodeModeBrowserTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        campaign = make_campaign(
            title="2026届图像采集", mode=CaptureMode.CODE, graduation_year=2026
        )
        slot = make_slot(campaign, make_venue(), "08:00", "10:00", date="2099-06-01")
        school_class = make_class(campaign, slot, name="会计2271")
        self.student = make_student(school_class, name="欧阳娜娜", student_id="2230101002")
        make_student_user(self.student, password=PASSWORD)
        self.crew = make_crew(password=PASSWORD)
        self.image = Path(tempfile.mkdtemp()) / "采集码.png"
        self.image.write_bytes(images.qr_png())

    def test_a_student_uploads_the_code_on_a_phone_and_the_desk_finds_them_by_a_scan(self):
        self.use_phone()
        self.login(self.student.student_id, PASSWORD)
        self.open("/me/")
        self.assertIn("获取图像采集码", self.find("#my-code").text)
        self.open("/me/code/")
        self.find("#code-image").send_keys(str(self.image))
        self.submit("#btn-code-check")
        self.assertIn("采集码可以识别", self.wait_for("#messages").text)
        self.assertIn("已上传可识别的采集码", self.find("#code-state").text)
        self.assertNoHorizontalScroll()
        self.screenshot("codemode-phone-upload")
        self.assertTrue(CaptureCode.objects.filter(student=self.student).exists())

        self.driver.delete_all_cookies()
        self.use_desktop()
        self.login(self.crew.username, PASSWORD)
        self.open("/shoot/desk/")
        field = self.wait_for("#id_code")
        # A keyboard-wedge scanner types the code's text and presses Enter.
        page = self.find("html")
        field.send_keys(images.CODE + Keys.ENTER)
        from selenium.webdriver.support.wait import WebDriverWait

        from tests.browser import _replaced

        WebDriverWait(self.driver, self.wait_timeout).until(_replaced(page))
        self.assertEqual(self.wait_for("#student-name").text, "欧阳娜娜")
        self.assertNotIn("CHSI", self.driver.current_url)
        self.find("#id_studio_number").send_keys("A-0042")
        self.submit("#btn-assign")
        self.assertEqual(self.wait_for("#shot-number").text, "A-0042")
        self.screenshot("codemode-desk-scan")
