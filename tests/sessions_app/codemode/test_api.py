import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse

from sessions_app.models import CaptureCode
from tests.sessions_app.codemode import images

URL = "/api/capture-code/check/"


def upload(data: bytes, name="code.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


class CaptureCodeApiTests(TestCase):
    def post(self, data: bytes, **kwargs):
        return self.client.post(URL, {"image": upload(data, **kwargs)})

    def test_the_url_is_the_documented_one(self):
        self.assertEqual(reverse("capture_code_api:check"), URL)

    def test_a_readable_code_is_ok_and_nothing_more(self):
        response = self.post(images.qr_png())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"ok": True})
        self.assertNotIn(images.CODE, response.content.decode())
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertFalse(CaptureCode.objects.exists())

    def test_each_bad_image_gives_its_code_and_a_message(self):
        for data, code in (
            (images.poor_screenshot(), "no_code"),
            (images.photo_without_code(), "no_code"),
            (images.two_codes_png(), "several_codes"),
            (b"hello, not an image", "not_an_image"),
            (images.huge_png(), "too_large"),
        ):
            with self.subTest(code=code):
                response = self.post(data)
                self.assertEqual(response.status_code, 200)
                body = response.json()
                self.assertIs(body["ok"], False)
                self.assertEqual(body["error"]["code"], code)
                self.assertTrue(body["error"]["message"])
                self.assertNotIn(images.CODE, response.content.decode())
                self.assertNotIn(images.OTHER_CODE, response.content.decode())

    def test_no_code_says_to_save_by_long_press(self):
        body = self.post(images.poor_screenshot()).json()
        self.assertIn("长按", body["error"]["message"])

    def test_a_request_without_image_is_400(self):
        for data in ({}, {"file": upload(images.qr_png())}):
            with self.subTest(data=list(data)):
                response = self.client.post(URL, data)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.json()["error"]["code"], "image_required")

    def test_a_json_body_is_400(self):
        response = self.client.post(
            URL, data=json.dumps({"image": "x"}), content_type="application/json"
        )
        self.assertEqual(response.status_code, 400)

    def test_a_broken_multipart_body_is_400_not_500(self):
        response = self.client.generic(
            "POST", URL, b"--xx\r\nbroken", content_type="multipart/form-data; boundary=xx"
        )
        self.assertEqual(response.status_code, 400)

    def test_get_is_405(self):
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 405)
        self.assertEqual(response["Allow"], "POST")

    @override_settings(CAPTURE_CODE_MAX_UPLOAD_BYTES=1000)
    def test_an_upload_over_the_byte_limit_is_too_large(self):
        response = self.post(images.qr_photo_jpeg())
        self.assertEqual(response.json()["error"]["code"], "too_large")

    @override_settings(CAPTURE_CODE_MAX_UPLOAD_BYTES=1000)
    def test_a_declared_body_over_the_limit_is_refused_before_parsing(self):
        response = self.client.generic(
            "POST",
            URL,
            b"x" * 10,
            content_type="multipart/form-data; boundary=xx",
            CONTENT_LENGTH=str(10_000_000),
        )
        self.assertEqual(response.json()["error"]["code"], "too_large")

    def test_it_needs_no_csrf_token(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        response = client.post(URL, {"image": upload(images.qr_png())})
        self.assertEqual(response.json(), {"ok": True})
