"""Base class for tests that drive a real Chromium through Selenium.

Uses Debian's packages (``apt-get install chromium chromium-driver``): the browser at
/usr/bin/chromium and the matching driver at /usr/bin/chromedriver. Selenium Manager is
never asked to download anything.

Without them a test is skipped locally, but errors in CI (``CI`` set), so a missing
browser can never pass as a green build.
"""

import base64
import os
import re
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.wait import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOT_DIR = Path("/tmp/portal-screenshots")

DESKTOP_SIZE = (1280, 900)
# A common phone: 390 x 844 CSS pixels, as most students and class monitors see the site.
PHONE = {
    "width": 390,
    "height": 844,
    "device_scale_factor": 2,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36"
    ),
}

CHROMIUM_ARGUMENTS = [
    "--headless=new",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start.
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # The portal answers in Chinese whatever the browser asks; this one asks for it too.
    "--lang=zh-CN",
    "--window-size={},{}".format(*DESKTOP_SIZE),
]


def serve_static_with_whitenoise(application):
    """Return the WSGI application unwrapped, so its WhiteNoise middleware serves /static/."""
    return application


def _replaced(element):
    """Wait condition: the element's document has been replaced by the next page.

    Chromium reports a node of the old document either as a stale element or, while
    the new page is being committed, as "Node with given id does not belong to the
    document": both mean the page has moved on.
    """

    def predicate(driver):
        try:
            element.is_enabled()
        except WebDriverException:
            return True
        return False

    return predicate


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.mark.browser
class BrowserTestCase(StaticLiveServerTestCase):
    """Run each test against the live server in one headless Chromium per class.

    ``self.driver`` is the Selenium WebDriver. Each test starts on the viewport named
    by ``viewport`` ("desktop" or "phone") with no cookies; ``use_phone()`` and
    ``use_desktop()`` switch within a test. A failing test leaves a screenshot and the
    page's HTML in /tmp/portal-screenshots/.
    """

    viewport = "desktop"
    wait_timeout = 10

    @classmethod
    def setUpClass(cls):
        missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
        if missing:
            message = (
                f"Browser tests need {' and '.join(missing)}; install them with "
                "`apt-get install chromium chromium-driver`."
            )
            if running_in_ci():
                raise RuntimeError("CI is set, so browser tests may not be skipped. " + message)
            raise unittest.SkipTest(message)
        if isinstance(staticfiles_storage, ManifestFilesMixin):
            # Pages name their assets by hashed file names that only the collected
            # files have, which the finders behind StaticLiveServerTestCase cannot
            # serve: leave /static/ to WhiteNoise and STATIC_ROOT, as in production.
            cls.static_handler = serve_static_with_whitenoise
            manifest = Path(settings.STATIC_ROOT) / staticfiles_storage.manifest_name
            if not manifest.exists():
                raise RuntimeError(
                    f"{manifest} is missing: run `manage.py collectstatic` first "
                    "(`make test` does)."
                )
        super().setUpClass()
        cls.profile_dir = tempfile.mkdtemp(prefix="portal-chromium-")
        cls.addClassCleanup(shutil.rmtree, cls.profile_dir, ignore_errors=True)
        cls.driver = cls._start_driver()
        cls.addClassCleanup(cls.driver.quit)

    @classmethod
    def _start_driver(cls):
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in CHROMIUM_ARGUMENTS:
            options.add_argument(argument)
        options.add_argument(f"--user-data-dir={cls.profile_dir}")
        options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
        # An explicit driver path keeps Selenium Manager from looking for one online.
        service = Service(executable_path=CHROMEDRIVER)
        driver = webdriver.Chrome(options=options, service=service)
        driver.set_page_load_timeout(30)
        cls.desktop_user_agent = driver.execute_script("return navigator.userAgent")
        return driver

    def setUp(self):
        super().setUp()
        # One browser serves the whole class while the database is emptied after each
        # test, so a session cookie left behind would belong to a deleted user.
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        self.driver.get("about:blank")
        if self.viewport == "phone":
            self.use_phone()
        else:
            self.use_desktop()

    # unittest records a failure only after tearDown() has run, so the evidence is
    # taken where unittest calls setUp() and the test method, while the page is
    # still the one the test failed on.

    def _callSetUp(self):
        self._call_saving_failure_evidence(super()._callSetUp)

    def _callTestMethod(self, method):
        self._call_saving_failure_evidence(super()._callTestMethod, method)

    def _call_saving_failure_evidence(self, call, *args):
        try:
            call(*args)
        except (unittest.SkipTest, pytest.skip.Exception, KeyboardInterrupt):
            raise
        except BaseException:
            self._save_failure_evidence()
            raise
        outcome = getattr(self, "_outcome", None)
        if outcome is not None and not outcome.success:
            # A subTest() failed: unittest caught it inside the call.
            self._save_failure_evidence()

    def _save_failure_evidence(self):
        name = f"{type(self).__name__}.{self._testMethodName}-failure"
        try:
            path = self.screenshot(name)
            path.with_suffix(".html").write_text(self.driver.page_source, encoding="utf-8")
        except (WebDriverException, OSError) as exc:
            # Never hide the test's own failure behind one from the browser.
            print(f"Could not save a screenshot of {self.id()}: {exc}", file=sys.stderr)
        else:
            print(f"Screenshot of failed {self.id()}: {path}", file=sys.stderr)

    # Viewports.

    def use_phone(self):
        """Render as a phone: small touch viewport, mobile user agent."""
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {
                "width": PHONE["width"],
                "height": PHONE["height"],
                "deviceScaleFactor": PHONE["device_scale_factor"],
                "mobile": True,
            },
        )
        self.driver.execute_cdp_cmd(
            "Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5}
        )
        self.driver.execute_cdp_cmd(
            "Emulation.setUserAgentOverride", {"userAgent": PHONE["user_agent"]}
        )

    def use_desktop(self):
        """Render in a desktop window with the browser's own user agent."""
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        self.driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": False})
        self.driver.execute_cdp_cmd(
            "Emulation.setUserAgentOverride", {"userAgent": self.desktop_user_agent}
        )

    # Navigation and lookup.

    def open(self, path):
        """Load ``path`` (such as "/accounts/login/") from the live server."""
        if not path.startswith("/"):
            path = "/" + path
        self.driver.get(self.live_server_url + path)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def wait_for(self, css):
        """Return the element matching ``css`` once it is visible."""
        return WebDriverWait(self.driver, self.wait_timeout).until(
            EC.visibility_of_element_located((By.CSS_SELECTOR, css))
        )

    def submit(self, css='[type="submit"]'):
        """Click a submit button and wait until the next page has replaced this one."""
        page = self.find("html")
        button = self.find(css)
        self.driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", button
        )
        button.click()
        WebDriverWait(self.driver, self.wait_timeout).until(_replaced(page))

    def login(self, username, password):
        """Sign in through the real login form, as django-axes needs the request."""
        self.open("/accounts/login/")
        self.find('input[name="username"]').send_keys(username)
        self.find('input[name="password"]').send_keys(password)
        self.submit()
        if self.driver.current_url.split("?")[0].endswith("/accounts/login/"):
            self.fail(
                f"Login as {username!r} failed; the page says: {self.find('body').text[:500]}"
            )

    # Evidence.

    def screenshot(self, name, full_page=False):
        """Save a PNG of the page as /tmp/portal-screenshots/<name>.png; return its path.

        ``full_page`` captures the whole scrollable page instead of the viewport.
        """
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / (re.sub(r"[^\w.-]+", "_", name) + ".png")
        if full_page:
            metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
            size = metrics["cssContentSize"]
            data = self.driver.execute_cdp_cmd(
                "Page.captureScreenshot",
                {
                    "format": "png",
                    "captureBeyondViewport": True,
                    "clip": {
                        "x": 0,
                        "y": 0,
                        "width": size["width"],
                        "height": size["height"],
                        "scale": 1,
                    },
                },
            )["data"]
            path.write_bytes(base64.b64decode(data))
        elif not self.driver.save_screenshot(str(path)):
            raise OSError(f"Chromium could not write {path}")
        return path

    # Assertions.

    def assertNoHorizontalScroll(self):
        """Assert the page fits the viewport's width, the usual way a phone layout breaks."""
        widths = self.driver.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]"
        )
        self.assertLessEqual(
            widths[0], widths[1], f"The page is {widths[0]}px wide in a {widths[1]}px viewport."
        )
