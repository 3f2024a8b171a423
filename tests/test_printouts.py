"""Every printout of the 20,000-student demo roster, read back as text: each list holds
the full 学号, 身份证号 and name of every row it should, never one cut with "…".

The roster is the demo's (rare characters, traditional forms, minority names of five
and more hanzi), with one student per CJK extension (A to G) and the longest minority
names added. Each PDF is read with pypdf, as a person's PDF reader would: a character
of a fallback font is found only if its ToUnicode map is right.
"""

import datetime
import io
import os
import zoneinfo
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from django.db import connection
from django.test import TestCase
from pypdf import PdfReader

from cards_app import fill_guide, rules
from cards_app.exports import bulk_check_export
from cards_app.selectors import roster_bulk_check
from payments_app.exports import payment_list_export
from sessions_app.demo.seed import seed_demo
from sessions_app.exports import export_file
from sessions_app.models import SchoolClass, Student
from sessions_app.selectors import schedule_for_campaign, students_by_place
from sessions_app.shootday.selectors.makeup import makeup_students
from sessions_app.summary.services import summaries_rebuild
from tests.factories import make_id_number
from tests.names import EXTENSION_NAMES, LONG_NAMES

STUDENTS = 20_000
# After the first slot of the day: nobody is recorded as photographed, so every student
# of the 08:00 slot is on the make-up list, some 2,300 rows.
AFTER_THE_FIRST_SLOT = datetime.datetime(
    2018, 11, 11, 9, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")
)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _pages_text(content: bytes, start: int, stop: int) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return "\n".join(pages[i].extract_text() for i in range(start, stop))


class TwentyThousandStudentPrintoutTests(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Reading 2,000 pages back is most of this test's time: one reader per core.
        # Forked workers only parse PDF bytes; they never touch the database.
        cls.workers = min(4, os.cpu_count() or 1)
        cls.readers = ProcessPoolExecutor(max_workers=cls.workers, mp_context=get_context("fork"))
        cls.addClassCleanup(cls.readers.shutdown)

    def pdf_text(self, content: bytes) -> str:
        count = len(PdfReader(io.BytesIO(content)).pages)
        step = max(1, -(-count // self.workers))
        parts = [
            self.readers.submit(_pages_text, content, start, min(start + step, count))
            for start in range(0, count, step)
        ]
        return "\n".join(part.result() for part in parts)

    @classmethod
    def setUpTestData(cls):
        cls.campaign = seed_demo(students=STUDENTS).campaign
        first = SchoolClass.objects.filter(campaign=cls.campaign, slot__isnull=False).first()
        names = [*EXTENSION_NAMES.values(), *LONG_NAMES]
        Student.objects.bulk_create(
            Student(
                campaign=cls.campaign,
                school_class=first,
                student_id="1799%06d" % n,
                name=name,
                id_number=make_id_number("43052119961113%03d" % n),
            )
            for n, name in enumerate(names)
        )
        summaries_rebuild(campaign=cls.campaign)  # written in bulk, as an import is
        cls.everyone = list(
            Student.objects.filter(campaign=cls.campaign).select_related("school_class")
        )
        if connection.vendor == "postgresql":
            # Statistics, as autovacuum gathers them after a bulk load in production:
            # without them PostgreSQL plans nested loops over 20,000 rows, and a
            # 缴费名单's query ran for minutes.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def assert_holds(self, text: str, students, *, ids=True):
        """Assert the text holds each student's 学号, 身份证号 (if the list has them)
        and name whole."""
        words = set(text.split())
        # A name too long for its cell wraps onto a second line, which a reader joins
        # with a space or a line break.
        joined = "".join(text.split())
        students = list(students)
        self.assertTrue(students)
        for label, values in (
            ("学号", [s.student_id for s in students]),
            ("身份证号", [s.id_number for s in students] if ids else []),
            ("姓名", [s.name for s in students]),
        ):
            missing = [v for v in values if v not in words and v not in joined]
            with self.subTest(label):
                self.assertEqual(missing[:10], [], "%d of %d missing" % (len(missing), len(values)))

    def scheduled(self):
        """Return the students a sign-in sheet lists: shot with a class or a group."""
        schedule = schedule_for_campaign(campaign=self.campaign)
        by_class, individuals = students_by_place(campaign=self.campaign)
        for row in schedule.rows:
            for school_class in row.classes:
                yield from by_class.get(school_class.pk, [])
            for group in row.groups:
                yield from individuals.get(group.category, [])

    def test_every_pdf_kind_holds_every_full_id_and_name_of_its_rows(self):
        self.assertGreaterEqual(len(self.everyone), STUDENTS)
        with self.subTest("学生名单"):
            self.assert_holds(
                self.pdf_text(export_file(campaign=self.campaign, kind="roster", fmt="pdf")[2]),
                self.everyone,
            )
        with self.subTest("签到表"):
            self.assert_holds(
                self.pdf_text(export_file(campaign=self.campaign, kind="signin", fmt="pdf")[2]),
                self.scheduled(),
                ids=False,  # a sign-in sheet has no 身份证号
            )
        with self.subTest("补拍名单"):
            makeup = makeup_students(campaign=self.campaign, now=AFTER_THE_FIRST_SLOT)
            by_class, _ = students_by_place(campaign=self.campaign)
            expected = [row.student for row in makeup.rows]
            for school_class, _count in makeup.deferred:
                expected += by_class.get(school_class.pk, [])
            self.assertGreater(len(expected), 2000)
            content = export_file(
                campaign=self.campaign, kind="makeup", fmt="pdf", now=AFTER_THE_FIRST_SLOT
            )[2]
            self.assert_holds(self.pdf_text(content), expected, ids=False)  # it has no 身份证号
        with self.subTest("缴费名单"):
            content = payment_list_export(campaign=self.campaign, fmt="pdf")[2]
            expected = [
                s
                for s in self.everyone
                if s.school_class_id and s.school_class.status == SchoolClass.Status.SCHEDULED
            ]
            self.assert_holds(self.pdf_text(content), expected)
        bulk = roster_bulk_check(campaign=self.campaign)
        by_id = {s.student_id: s for s in self.everyone}
        with self.subTest("采集卡预检问题清单"):
            content = bulk_check_export(kind="problems.pdf", bulk=bulk, campaign=self.campaign)[2]
            expected = {r.student_id for r in bulk.problem_rows + bulk.name_rows}
            self.assert_holds(self.pdf_text(content), [by_id[i] for i in expected])
        with self.subTest("姓名需特殊填写名单"):
            content = bulk_check_export(kind="names.pdf", bulk=bulk, campaign=self.campaign)[2]
            expected = [by_id[r.student_id] for r in bulk.name_rows]
            self.assertTrue(set(EXTENSION_NAMES.values()) <= {s.name for s in expected})
            self.assert_holds(self.pdf_text(content), expected)
        with self.subTest("采集通知"):
            text = self.pdf_text(export_file(campaign=self.campaign, kind="notice", fmt="pdf")[2])
            for row in schedule_for_campaign(campaign=self.campaign).rows:
                for school_class in row.classes:
                    self.assertIn(school_class.name, text.replace("\n", ""))

    def test_the_fill_guide_holds_the_full_name_of_every_kind_of_special_name(self):
        # A guide is one student's: one for each extension, each minority name of
        # nine or more characters, and the first five other special names (rare
        # characters, traditional forms).
        bulk = roster_bulk_check(campaign=self.campaign)
        special = list({r.name: r for r in bulk.name_rows}.values())
        rows = [r for r in special if r.name in EXTENSION_NAMES.values() or len(r.name) >= 9]
        rows += [r for r in special if r not in rows][:5]
        self.assertGreater(len(rows), 15)
        for row in rows:
            guide = fill_guide.Guide.from_result(
                rules.check_card(
                    student_id=row.student_id,
                    name=row.name,
                    id_number=row.id_number,
                    education_type="regular_junior",
                    school_type="regular",
                )
            )
            text = pdf_text(fill_guide.render_pdf(guide))
            with self.subTest(row.name):
                self.assertIn("学号：%s" % row.student_id, text)
                self.assertIn("姓名：%s" % row.name, text)
                self.assertIn("身份证号：%s" % row.id_number, text)
