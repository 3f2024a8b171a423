from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sessions_app.codemode.services import capture_code_keep, digest_of
from sessions_app.models import Shot
from tests.personas import Personas
from tests.sessions_app.codemode import images
from tests.sessions_app.codemode.support import CodePersonas

SCAN = reverse("shootday:desk_scan")


def give_code(student, content: str = images.CODE):
    capture_code_keep(student=student, digest=digest_of(content.encode()))


class DeskScanTests(CodePersonas):
    def setUp(self):
        self.client.force_login(self.crew)

    def test_a_typed_scan_opens_the_student(self):
        give_code(self.student)
        response = self.client.post(SCAN, {"code": images.CODE + "\n"})
        self.assertEqual(response.status_code, 302)
        self.assertIn("student=%d" % self.student.pk, response["Location"])
        self.assertNotIn("CHSI", response["Location"])
        page = self.client.get(response["Location"])
        self.assertContains(page, self.student.name)
        self.assertContains(page, "已上传可识别的采集码")
        self.assertContains(page, 'id="id_studio_number"')
        self.assertNotContains(page, "区位码")

    def test_a_camera_photo_of_the_code_opens_the_student(self):
        give_code(self.student)
        photo = SimpleUploadedFile("p.jpg", images.qr_photo_jpeg(), content_type="image/jpeg")
        response = self.client.post(SCAN, {"photo": photo})
        self.assertIn("student=%d" % self.student.pk, response["Location"])

    def test_a_photo_without_a_code_says_so(self):
        photo = SimpleUploadedFile("p.jpg", images.photo_without_code(), content_type="image/jpeg")
        response = self.client.post(SCAN, {"photo": photo}, follow=True)
        self.assertContains(response, "没有读到唯一的采集码")

    def test_a_code_two_students_showed_names_both(self):
        give_code(self.student)
        give_code(self.other_student)
        response = self.client.post(SCAN, {"code": images.CODE}, follow=True)
        self.assertContains(response, "一个学籍只有一个采集码")
        self.assertContains(response, self.student.student_id)
        self.assertContains(response, self.other_student.student_id)

    def test_an_unknown_code_is_not_echoed(self):
        response = self.client.post(SCAN, {"code": images.OTHER_CODE}, follow=True)
        self.assertContains(response, "没有学生在门户核验过这个采集码")
        self.assertNotContains(response, images.OTHER_CODE)

    def test_a_student_id_typed_in_the_field_is_searched(self):
        response = self.client.post(SCAN, {"code": self.student.student_id})
        self.assertIn("q=%s" % self.student.student_id, response["Location"])

    def test_an_empty_scan_is_refused(self):
        response = self.client.post(SCAN, {"code": "  "}, follow=True)
        self.assertContains(response, "请扫码")

    def test_a_student_without_a_code_is_flagged(self):
        url = reverse("shootday:desk") + "?student=%d" % self.monitor.pk
        response = self.client.get(url)
        self.assertContains(response, "没有在门户核验过可识别的采集码")

    def test_the_crew_record_the_studios_number_then_photographed(self):
        response = self.client.post(
            reverse("shootday:assign"),
            {"student": self.student.pk, "studio_number": " A-0173 "},
            follow=True,
        )
        self.assertContains(response, "拍摄号 A-0173")
        shot = Shot.objects.get(student=self.student)
        self.assertEqual(shot.studio_number, "A-0173")
        self.client.post(reverse("shootday:photographed"), {"shot": shot.pk})
        shot.refresh_from_db()
        self.assertEqual(shot.status, "photographed")

    def test_no_studio_number_no_record(self):
        response = self.client.post(
            reverse("shootday:assign"), {"student": self.student.pk}, follow=True
        )
        self.assertContains(response, "请填写学生在拍摄方扫码后拿到的拍摄号")
        self.assertFalse(Shot.objects.exists())

    def test_absent_works_as_in_card_mode(self):
        self.client.post(reverse("shootday:absent"), {"student": self.student.pk})
        self.assertTrue(self.student.absences.exists())


class DeskScanPermissionTests(CodePersonas):
    def test_only_crew_and_staff_scan(self):
        give_code(self.student)
        for persona, user in self.personas().items():
            with self.subTest(persona=persona):
                self.client.logout()
                if user is not None:
                    self.client.force_login(user)
                response = self.client.post(SCAN, {"code": images.CODE})
                if user is None:
                    self.assertIn(reverse("login"), response["Location"])
                elif persona in ("crew", "staff"):
                    self.assertIn("student=%d" % self.student.pk, response["Location"])
                else:
                    self.assertEqual(response.status_code, 403)


class CardDeskTests(Personas):
    def test_the_card_desk_has_no_scan_field_and_ignores_a_studio_number(self):
        self.client.force_login(self.crew)
        page = self.client.get(reverse("shootday:desk") + "?student=%d" % self.student.pk)
        self.assertNotContains(page, "采集码")
        self.assertContains(page, "区位码")
        self.client.post(
            reverse("shootday:assign"), {"student": self.student.pk, "studio_number": "9"}
        )
        self.assertEqual(Shot.objects.get(student=self.student).studio_number, "")


class ClassCloseMoneyTests(CodePersonas):
    def photograph(self, student):
        self.client.post(
            reverse("shootday:assign"), {"student": student.pk, "studio_number": "N%d" % student.pk}
        )
        shot = Shot.objects.get(student=student, status="assigned")
        self.client.post(reverse("shootday:photographed"), {"shot": shot.pk})

    def setUp(self):
        self.client.force_login(self.crew)

    def test_monitor_collects_hands_over_the_fee_times_the_photographed(self):
        self.photograph(self.student)
        self.client.post(reverse("shootday:absent"), {"student": self.monitor.pk})
        self.client.post(reverse("shootday:class_close", args=[self.school_class.pk]))
        close = self.school_class.__class__.objects.get(pk=self.school_class.pk).shoot_close
        self.assertEqual((close.photographed_count, close.absent_count), (1, 1))
        self.assertEqual(close.expected_amount, self.campaign.fee * 1)
        page = self.client.get(reverse("shootday:class_close", args=[self.school_class.pk]))
        self.assertContains(page, "班长交费")

    def test_students_paying_the_studio_leave_no_class_money(self):
        self.campaign.payment_way = "student"
        self.campaign.save()
        self.photograph(self.student)
        self.photograph(self.monitor)
        self.client.post(reverse("shootday:class_close", args=[self.school_class.pk]))
        close = self.school_class.__class__.objects.get(pk=self.school_class.pk).shoot_close
        self.assertEqual(close.photographed_count, 2)
        self.assertEqual(close.expected_amount, 0)
        page = self.client.get(reverse("shootday:class_close", args=[self.school_class.pk]))
        self.assertContains(page, "班级不收、不交现金")
        self.assertNotContains(page, "班长交费")
