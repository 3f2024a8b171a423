"""The loaded campaign against the college's notice itself, read from its text."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

from django.test import TestCase

from sessions_app import selectors
from sessions_app.models import Campaign, SchoolClass
from sessions_app.notice.loader import notice_load

NOTICE_TEXT = Path(__file__).resolve().parents[3] / "fixtures" / "notice_2020.txt"

_TIME = re.compile(r"(上午|下午)(\d{1,2})：(\d{2})—(\d{1,2})：(\d{2})")


def notice_slots() -> list[tuple[datetime.time, datetime.time, list[str]]]:
    """Return the notice's slots: (start, end, entries in order), parsed from its text."""
    text = "".join(NOTICE_TEXT.read_text(encoding="utf-8").split())
    section = text.split("（2）班级拍摄时间及顺序：")[1].split("（3）地点")[0]
    parts = _TIME.split(section)
    slots = []
    # split() yields: [before, period, h1, m1, h2, m2, names, period, ...]
    for i in range(1, len(parts), 6):
        _period, h1, m1, h2, m2, names = parts[i : i + 6]
        start = datetime.time(int(h1), int(m1))
        end = datetime.time(int(h2), int(m2))
        slots.append((start, end, [n for n in names.split("、") if n]))
    return slots


class NoticeFixtureTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.campaign, cls.created = notice_load()

    def test_the_notice_text_parses_into_six_slots(self):
        self.assertEqual(len(notice_slots()), 6)

    def test_every_slot_matches_the_notice_in_order(self):
        schedule = selectors.schedule_for_campaign(campaign=self.campaign)
        loaded = [(r.slot.start, r.slot.end, r.entries) for r in schedule.rows]
        self.assertEqual(loaded, notice_slots())

    def test_the_day_is_the_eleventh_of_november_2018(self):
        dates = {slot.date for slot in self.campaign.slots.all()}
        self.assertEqual(dates, {datetime.date(2018, 11, 11)})

    def test_mechatronics_shoot_at_dongligu_and_the_rest_at_mingli(self):
        for slot in self.campaign.slots.select_related("venue"):
            names = list(slot.classes.values_list("name", flat=True))
            expected = (
                "动力谷" if all(n.startswith("机电") for n in names) else "明理楼(南栋)109教室"
            )
            self.assertEqual(slot.venue.name, expected, names)

    def test_the_business_and_hotel_classes_of_2017_are_deferred(self):
        deferred = SchoolClass.objects.filter(
            campaign=self.campaign, status=SchoolClass.Status.DEFERRED
        )
        self.assertEqual(sorted(c.name for c in deferred), ["工商17级", "酒管17级"])
        self.assertIs(all(c.slot_id is None for c in deferred), True)

    def test_fee_centre_and_check_days_are_those_of_the_notice(self):
        c = self.campaign
        self.assertEqual(c.fee, Decimal("20.00"))
        self.assertIn("8张", c.fee_includes)
        self.assertEqual(c.makeup_centre_name, "新华社湖南分社大学生图像采集中心")
        self.assertEqual(c.makeup_centre_address, "长沙市迎宾路175号")
        self.assertEqual(c.makeup_centre_phone, "0731-82250811")
        self.assertEqual(c.chsi_check_working_days, 4)
        self.assertEqual(c.graduation_year, 2020)
        self.assertEqual(c.issued_on, datetime.date(2018, 11, 7))

    def test_dress_rules_name_the_forbidden_colours(self):
        for word in ("浅黄色", "土黄色", "黄绿色", "首饰"):
            self.assertIn(word, self.campaign.dress_rules)

    def test_loading_twice_changes_nothing(self):
        before = (Campaign.objects.count(), SchoolClass.objects.count())
        campaign, created = notice_load()
        self.assertIs(created, False)
        self.assertEqual(campaign.pk, self.campaign.pk)
        self.assertEqual((Campaign.objects.count(), SchoolClass.objects.count()), before)
