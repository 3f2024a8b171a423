from selenium.common.exceptions import NoSuchElementException

from tests.browser import BrowserTestCase


class BrowserTestCaseTests(BrowserTestCase):
    """Exercise the browser base class on a page that needs no data."""

    viewport = "phone"

    def test_it_shows_the_admin_login_on_a_phone(self):
        self.open("/admin/login/")

        self.assertEqual(self.driver.execute_script("return window.innerWidth"), 390)
        try:
            form = self.find("form#login-form")
        except NoSuchElementException:
            form = None
        self.assertTrue(
            "Django" in self.driver.title or form is not None,
            f"Neither a Django title nor the login form on {self.driver.current_url}",
        )
        path = self.screenshot("smoke-admin-login-phone")
        self.assertGreater(path.stat().st_size, 1000)
