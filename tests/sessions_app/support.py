"""The notice's campaign as a test world, and reading PDFs back as text."""

import io
import zoneinfo

from django.test import TestCase
from pypdf import PdfReader

from sessions_app.exports import export_file
from sessions_app.models import SchoolClass, Student, StudentCategory
from sessions_app.notice.loader import notice_load
from tests.factories import make_id_number, make_student


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class NoticeWorld(TestCase):
    """The notice's campaign with students in the first classes, one of a deferred
    class and one individual; export() returns the content of one list."""

    @classmethod
    def setUpTestData(cls):
        cls.campaign, _ = notice_load()
        classes = {c.name: c for c in cls.campaign.classes.all()}
        cls.first = classes["微电网1171"]  # first class of the 08:00 slot
        cls.second = classes["造价1171"]
        cls.deferred = cls.campaign.classes.filter(status=SchoolClass.Status.DEFERRED).first()
        # Enough students in one class to run over a page, added out of 学号 order.
        for n in reversed(range(60)):
            make_student(
                cls.first,
                student_id="17101010%02d" % n,
                name="王堃" if n == 0 else "买买提·艾力" if n == 1 else "张三",
                id_number=make_id_number("43010219990101%03d" % n),
            )
        make_student(cls.second, student_id="1720101001", name="欧阳娜娜")
        make_student(cls.deferred, student_id="1730401001", name="李延期")
        make_student(
            campaign=cls.campaign,
            student_id="1530101001",
            name="赵往届",
            category=StudentCategory.ALUMNI,
        )
        # The 17th digit of the ID number gives the gender; the factory does not care.
        for student in Student.objects.all():
            student.gender = "M" if int(student.id_number[16]) % 2 else "F"
            student.save(update_fields=["gender"])

    def export(self, kind, fmt, slot=None):
        return export_file(campaign=self.campaign, kind=kind, fmt=fmt, slot=slot)[2]
