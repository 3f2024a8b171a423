"""A student on a phone checks the card live and downloads the PDF."""

import io
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser import BrowserTestCase
from tests.factories import (
    make_campaign,
    make_class,
    make_id_number,
    make_student,
    make_student_user,
)


def id_ending_in_x() -> str:
    for n in range(1000):
        value = make_id_number("43010320010512%03d" % n)
        if value.endswith("X"):
            return value
    raise AssertionError("no ID number ends in X")


class CardCheckBrowserTests(BrowserTestCase):
    viewport = "phone"

    def setUp(self):
        super().setUp()
        self.id_number = id_ending_in_x()
        self.student = make_student(
            make_class(make_campaign()), name="王堃", id_number=self.id_number
        )
        make_student_user(self.student, password="pw-for-tests-123")

    def scroll_to(self, css):
        element = self.find(css)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        return element

    def click(self, css):
        # The live check can still be laying out the result above the button: wait
        # until the button is inside the viewport and clickable before tapping it.
        self.scroll_to(css)
        WebDriverWait(self.driver, self.wait_timeout).until(
            lambda d: (
                d.execute_script(
                    "var r = arguments[0].getBoundingClientRect();"
                    "return r.top >= 0 && r.bottom <= window.innerHeight;",
                    self.find(css),
                )
                or self.scroll_to(css) is None
            )
        )
        WebDriverWait(self.driver, self.wait_timeout).until(
            EC.element_to_be_clickable((By.CSS_SELECTOR, css))
        ).click()

    def wait_text(self, css, *parts):
        WebDriverWait(self.driver, self.wait_timeout).until(
            lambda d: all(p in self.find(css).text for p in parts)
        )
        return self.find(css).text

    def test_a_student_types_kun_and_a_lowercase_x_and_downloads_the_pdf(self):
        self.login(self.student.student_id, "pw-for-tests-123")
        self.open("/cards/")
        name = self.find('input[name="name"]')
        name.clear()
        name.send_keys("王堃")
        id_field = self.find('input[name="id_number"]')
        id_field.clear()
        id_field.send_keys(self.id_number[:-1] + "x")
        codes = self.wait_text("#card-name-codes", "0000", "kun")
        self.assertIn("4585", codes)
        self.assertEqual(self.wait_text("#card-id-number", self.id_number), self.id_number)
        WebDriverWait(self.driver, self.wait_timeout).until(
            lambda d: d.execute_script(
                "var i = document.getElementById('guide-img');"
                "return !i.classList.contains('d-none') && i.complete && i.naturalWidth > 0"
                " && i.src.startsWith('blob:');"
            )
        )
        self.assertNoHorizontalScroll()
        self.screenshot("cards-check-phone", full_page=True)

        downloads = Path(tempfile.mkdtemp(prefix="portal-downloads-"))
        self.driver.execute_cdp_cmd(
            "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
        )
        self.click("#pdf-button")
        deadline = time.monotonic() + self.wait_timeout
        pdfs = []
        while time.monotonic() < deadline and not pdfs:
            pdfs = [p for p in downloads.iterdir() if p.suffix == ".pdf"]
            time.sleep(0.2)
        self.assertTrue(pdfs, "no PDF was downloaded")
        text = PdfReader(io.BytesIO(pdfs[0].read_bytes())).pages[0].extract_text()
        self.assertIn("身份证号：%s" % self.id_number, text)
        self.assertIn("姓名区位码：4585 0000(kun)", text)

    def test_the_no_javascript_post_shows_the_same_result(self):
        self.login(self.student.student_id, "pw-for-tests-123")
        self.open("/cards/")
        self.scroll_to('button[value="save"]')
        self.submit('button[value="save"]')
        self.assertIn("已保存核对结果", self.find("body").text)
        self.assertIn("核对无误", self.find("#state-label").text)
        self.screenshot("cards-check-saved-phone", full_page=True)
