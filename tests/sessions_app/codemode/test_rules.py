import datetime
from unittest import mock

from django.test import SimpleTestCase
from PIL import Image

from sessions_app.codemode import rules
from tests.sessions_app.codemode import images


class ReadCodeTests(SimpleTestCase):
    def test_a_saved_code_is_readable_and_gives_its_content(self):
        reading = rules.read_code(images.qr_png())
        self.assertIs(reading.readable, True)
        self.assertEqual(reading.content, images.CODE.encode())
        self.assertIn("可以识别", reading.message)

    def test_a_phone_photo_of_the_code_is_readable(self):
        reading = rules.read_code(images.qr_photo_jpeg())
        self.assertEqual(reading.result, rules.READABLE)

    def test_a_poor_screenshot_is_no_code_with_the_advice(self):
        reading = rules.read_code(images.poor_screenshot())
        self.assertEqual(reading.result, rules.NO_CODE)
        self.assertIn("长按", reading.message)
        self.assertIn("截屏", reading.message)
        self.assertIn("重新获取", reading.message)
        self.assertEqual(reading.content, b"")

    def test_a_photo_without_a_code_is_no_code(self):
        self.assertEqual(rules.read_code(images.photo_without_code()).result, rules.NO_CODE)

    def test_two_codes_are_refused(self):
        reading = rules.read_code(images.two_codes_png())
        self.assertEqual(reading.result, rules.SEVERAL_CODES)
        self.assertEqual(reading.content, b"")

    def test_a_text_file_is_not_an_image(self):
        for data in (b"just some text\n", b"", b"\x89PNG\r\n\x1a\nbroken"):
            with self.subTest(data=data[:12]):
                self.assertEqual(rules.read_code(data).result, rules.NOT_AN_IMAGE)

    def test_a_format_outside_the_list_is_not_an_image(self):
        # A TIFF is an image to Pillow, but not one a phone uploads.
        import io

        buffer = io.BytesIO()
        images.qr_image().save(buffer, format="TIFF")
        self.assertEqual(rules.read_code(buffer.getvalue()).result, rules.NOT_AN_IMAGE)

    def test_a_huge_dimension_png_is_refused_from_its_header(self):
        bomb = images.huge_png()
        self.assertLess(len(bomb), 20_000)
        # No pixel is decoded: 2.5 gigapixels would take minutes and gigabytes.
        with mock.patch.object(Image.Image, "load", side_effect=AssertionError("decoded")):
            reading = rules.read_code(bomb)
        self.assertEqual(reading.result, rules.TOO_LARGE)
        self.assertIn("百万像素", reading.message)

    def test_more_bytes_than_allowed_are_refused_unread(self):
        limits = rules.Limits(max_bytes=100)
        self.assertEqual(rules.read_code(images.qr_png(), limits=limits).result, rules.TOO_LARGE)

    def test_more_pixels_than_allowed_are_refused(self):
        limits = rules.Limits(max_pixels=100 * 100)
        self.assertEqual(rules.read_code(images.qr_png(), limits=limits).result, rules.TOO_LARGE)

    def test_a_large_photo_is_reduced_before_decoding(self):
        import io

        from PIL import Image

        code = images.qr_image(scale=30)
        photo = Image.new("L", (4000, 3000), 255)
        photo.paste(code, (1500, 1000))
        buffer = io.BytesIO()
        photo.save(buffer, format="JPEG", quality=85)
        self.assertEqual(rules.read_code(buffer.getvalue()).result, rules.READABLE)


class DigestTests(SimpleTestCase):
    def test_the_same_code_gives_the_same_digest_under_one_key(self):
        first = rules.code_digest(b"abc", secret="k1")
        self.assertEqual(first, rules.code_digest(b"abc", secret="k1"))
        self.assertEqual(len(first), 64)

    def test_the_digest_depends_on_the_key_and_is_not_a_plain_hash(self):
        import hashlib

        self.assertNotEqual(
            rules.code_digest(b"abc", secret="k1"), rules.code_digest(b"abc", secret="k2")
        )
        self.assertNotEqual(
            rules.code_digest(b"abc", secret="k1"), hashlib.sha256(b"abc").hexdigest()
        )

    def test_a_typed_scan_hashes_like_the_decoded_image(self):
        self.assertEqual(rules.code_text("  %s\n" % images.CODE), images.CODE.encode())


class CountdownTests(SimpleTestCase):
    def test_it_counts_to_three_days_before_the_shoot(self):
        countdown = rules.fetch_countdown(
            shoot_day=datetime.date(2025, 11, 20), today=datetime.date(2025, 11, 10)
        )
        self.assertEqual(countdown.fetch_by, datetime.date(2025, 11, 17))
        self.assertEqual(countdown.days_left, 7)
        self.assertIs(countdown.late, False)

    def test_it_is_late_within_three_days(self):
        countdown = rules.fetch_countdown(
            shoot_day=datetime.date(2025, 11, 20), today=datetime.date(2025, 11, 19)
        )
        self.assertIs(countdown.late, True)

    def test_no_slot_no_countdown(self):
        self.assertIsNone(rules.fetch_countdown(shoot_day=None, today=datetime.date(2025, 1, 1)))
