"""The pure rules of the shoot day: the 学信网 deadline in working days, the pace
measured from photo times, the expected starts projected from it, the number log's
explanations and the 学信网 follow-up states."""

import datetime

from django.test import SimpleTestCase

from sessions_app.models import Shot, TimeSlot, Venue
from sessions_app.shootday.rules import (
    BREAK_MINUTES,
    CHSI_HANDLED,
    CHSI_OK,
    CHSI_OPEN,
    CHSI_UNANSWERED,
    NumberSearch,
    Pace,
    QueueEntry,
    board_from_entries,
    calendar_knows,
    chsi_deadline,
    chsi_state,
    delay_label,
    delay_minutes,
    measured_pace,
    missing_numbers,
    number_row,
    number_rows,
    number_search,
)
from tests.sessions_app.shootday.factories import at

D = datetime.date.fromisoformat


class ChsiDeadlineTests(SimpleTestCase):
    def test_it_counts_four_working_days_after_the_notice_shoot_on_a_sunday(self):
        # 2018-11-11 is a Sunday: Monday 12th is the first working day.
        self.assertEqual(chsi_deadline(shoot_date=D("2018-11-11"), working_days=4), D("2018-11-15"))

    def test_it_skips_national_day_and_counts_the_adjusted_working_weekend(self):
        # Friday 2018-09-28; Saturday 29th and Sunday 30th were working days (调休),
        # 1–7 October the National Day holiday: 29, 30, 8, 9.
        self.assertEqual(chsi_deadline(shoot_date=D("2018-09-28"), working_days=4), D("2018-10-09"))

    def test_it_differs_from_a_plain_weekday_count_across_the_holiday(self):
        naive, day = 0, D("2018-09-28")
        while naive < 4:
            day += datetime.timedelta(days=1)
            naive += day.weekday() < 5
        self.assertEqual(day, D("2018-10-04"))
        self.assertNotEqual(chsi_deadline(shoot_date=D("2018-09-28"), working_days=4), day)

    def test_a_shoot_on_the_adjusted_working_sunday_counts_from_the_next_day(self):
        self.assertEqual(chsi_deadline(shoot_date=D("2018-09-30"), working_days=4), D("2018-10-11"))

    def test_it_falls_back_to_weekends_only_beyond_the_calendar(self):
        self.assertIs(calendar_knows(D("2100-06-01")), False)
        # 2100-06-04 is a Friday.
        self.assertEqual(chsi_deadline(shoot_date=D("2100-06-04"), working_days=4), D("2100-06-10"))

    def test_zero_working_days_is_the_shoot_day_itself(self):
        self.assertEqual(chsi_deadline(shoot_date=D("2018-11-11"), working_days=0), D("2018-11-11"))


def photos(start: datetime.datetime, count: int, every_seconds: int) -> list[datetime.datetime]:
    return [start + datetime.timedelta(seconds=every_seconds * i) for i in range(count)]


class MeasuredPaceTests(SimpleTestCase):
    def test_it_measures_students_per_minute_between_photos(self):
        times = photos(at("2018-11-11", "08:00"), 11, 30)  # 10 intervals in 5 minutes
        pace = measured_pace(photo_times=times, now=times[-1], planned_per_hour=300)
        self.assertIs(pace.measured, True)
        self.assertAlmostEqual(pace.per_minute, 2.0)
        self.assertEqual(pace.photos, 11)

    def test_time_since_the_last_photo_slows_the_pace(self):
        times = photos(at("2018-11-11", "08:00"), 11, 30)
        now = at("2018-11-11", "08:10")  # five idle minutes after the last photo
        pace = measured_pace(photo_times=times, now=now, planned_per_hour=300)
        self.assertAlmostEqual(pace.per_minute, 1.0)

    def test_a_break_is_not_counted_as_slow_work(self):
        morning = photos(at("2018-11-11", "08:00"), 6, 60)  # 5 intervals, 5 minutes
        afternoon = photos(at("2018-11-11", "13:30"), 6, 30)  # 5 intervals, 2.5 minutes
        now = afternoon[-1] + datetime.timedelta(minutes=BREAK_MINUTES + 1)
        pace = measured_pace(photo_times=morning + afternoon, now=now, planned_per_hour=300)
        self.assertAlmostEqual(pace.per_minute, 10 / 7.5)

    def test_too_few_photos_use_the_planned_rate(self):
        times = photos(at("2018-11-11", "08:00"), 3, 30)
        pace = measured_pace(photo_times=times, now=times[-1], planned_per_hour=240)
        self.assertIs(pace.measured, False)
        self.assertAlmostEqual(pace.per_minute, 4.0)
        self.assertIn("按计划", pace.label)

    def test_photos_after_now_are_ignored(self):
        times = photos(at("2018-11-11", "08:00"), 11, 30)
        pace = measured_pace(photo_times=times, now=times[3], planned_per_hour=300)
        self.assertIs(pace.measured, False)


class DelayTests(SimpleTestCase):
    def test_it_rounds_to_whole_minutes_both_ways(self):
        planned = at("2018-11-11", "09:00")
        self.assertEqual(delay_minutes(at("2018-11-11", "09:12:40"), planned), 13)
        self.assertEqual(delay_minutes(at("2018-11-11", "08:52:10"), planned), -8)
        self.assertEqual(delay_minutes(planned, planned), 0)

    def test_the_label_says_behind_or_ahead_in_chinese(self):
        self.assertEqual(delay_label(13), "比通知时间晚约 13 分钟")
        self.assertEqual(delay_label(-8), "比通知时间早约 8 分钟")
        self.assertEqual(delay_label(0), "与通知时间一致")

    def test_a_long_delay_is_given_in_hours_and_minutes(self):
        self.assertEqual(delay_label(75), "比通知时间晚约 1 小时 15 分钟")
        self.assertEqual(delay_label(-120), "比通知时间早约 2 小时")


def entry(name, slot, students, **fields) -> QueueEntry:
    return QueueEntry(
        key=name,
        name=name,
        slot=slot,
        position=0,
        school_class=None,
        total=students,
        **fields,
    )


class BoardProjectionTests(SimpleTestCase):
    def setUp(self):
        venue = Venue(name="109", shots_per_hour=300)
        self.morning = TimeSlot(
            pk=1, date=D("2018-11-11"), start=datetime.time(8), end=datetime.time(9), venue=venue
        )
        self.afternoon = TimeSlot(
            pk=2,
            date=D("2018-11-11"),
            start=datetime.time(13, 30),
            end=datetime.time(14, 30),
            venue=venue,
        )
        self.venue = venue

    def test_waiting_classes_start_after_the_students_left_at_the_measured_pace(self):
        now = at("2018-11-11", "08:20")
        current = entry("会计1171", self.morning, 40, photographed=30, last_activity=now)  # 10 left
        second = entry("会计1172", self.morning, 20, planned_start=at("2018-11-11", "08:08"))
        third = entry("会计1173", self.morning, 10, planned_start=at("2018-11-11", "08:12"))
        board = board_from_entries(
            entries=[current, second, third],
            pace=Pace(per_minute=2.0, measured=True, photos=30),
            now=now,
            venue=self.venue,
        )
        self.assertIs(board.current, current)
        self.assertEqual(board.upcoming, [second, third])
        self.assertEqual(second.expected_start, at("2018-11-11", "08:25"))
        self.assertEqual(third.expected_start, at("2018-11-11", "08:35"))
        self.assertEqual(board.delay, 17)
        self.assertEqual(board.slot_end_expected, at("2018-11-11", "08:40"))

    def test_a_class_of_a_later_slot_never_starts_before_its_notice_time(self):
        now = at("2018-11-11", "08:50")
        current = entry("会计1171", self.morning, 10, photographed=8, last_activity=now)
        later = entry("市营1172", self.afternoon, 30, planned_start=at("2018-11-11", "13:30"))
        board = board_from_entries(
            entries=[current, later], pace=Pace(2.0, True, 20), now=now, venue=self.venue
        )
        self.assertEqual(later.expected_start, at("2018-11-11", "13:30"))
        # No class of the current slot is waiting: the delay is the slot's expected end.
        self.assertEqual(board.delay, -9)

    def test_absent_students_take_no_time(self):
        now = at("2018-11-11", "08:20")
        current = entry("A", self.morning, 10, photographed=4, absent=4, last_activity=now)
        waiting = entry("B", self.morning, 5, planned_start=at("2018-11-11", "08:02"))
        board_from_entries(
            entries=[current, waiting], pace=Pace(1.0, True, 10), now=now, venue=self.venue
        )
        self.assertEqual(waiting.expected_start, at("2018-11-11", "08:22"))

    def test_before_the_slot_nothing_is_being_shot_and_the_first_class_starts_on_time(self):
        now = at("2018-11-11", "07:30")
        first = entry("A", self.morning, 10, planned_start=at("2018-11-11", "08:00"))
        board = board_from_entries(
            entries=[first], pace=Pace(5.0, False), now=now, venue=self.venue
        )
        self.assertIsNone(board.current)
        self.assertEqual(first.expected_start, at("2018-11-11", "08:00"))
        self.assertEqual(board.delay, 0)

    def test_a_closed_class_is_finished_even_with_students_left(self):
        now = at("2018-11-11", "08:20")
        closed = entry("A", self.morning, 10, photographed=7, closed=True, last_activity=now)
        board = board_from_entries(
            entries=[closed], pace=Pace(5.0, False), now=now, venue=self.venue
        )
        self.assertIsNone(board.current)
        self.assertEqual(board.finished, [closed])


class ChsiStateTests(SimpleTestCase):
    def test_a_student_who_never_answered_is_unanswered(self):
        self.assertEqual(chsi_state(answers=0, reports=0, open_reports=0), CHSI_UNANSWERED)

    def test_answers_without_a_problem_are_ok(self):
        self.assertEqual(chsi_state(answers=2, reports=0, open_reports=0), CHSI_OK)

    def test_a_report_stays_open_whatever_the_student_answered_after_it(self):
        # Reported a problem, then pressed 信息无误: two answers, the report still open.
        self.assertEqual(chsi_state(answers=2, reports=1, open_reports=1), CHSI_OPEN)

    def test_every_report_handled_is_handled(self):
        self.assertEqual(chsi_state(answers=3, reports=2, open_reports=0), CHSI_HANDLED)

    def test_one_open_report_among_handled_ones_is_open(self):
        self.assertEqual(chsi_state(answers=3, reports=2, open_reports=1), CHSI_OPEN)


class FakeShot:
    """A stand-in with what the number rules read of a Shot."""

    def __init__(self, status, void_reason="", retake_reason=""):
        self.status = status
        self.void_reason = void_reason
        self.retake_reason = retake_reason


class NumberRowTests(SimpleTestCase):
    def test_each_number_is_explained_against_the_last_photographed_of_the_campaign(self):
        shots = {
            2: FakeShot(Shot.Status.VOID, void_reason="卡面污损"),
            3: FakeShot(Shot.Status.ASSIGNED),
            5: FakeShot(Shot.Status.PHOTOGRAPHED, retake_reason="闭眼"),
            9: FakeShot(Shot.Status.ASSIGNED),
        }
        # The page holds 2–9; number 8 was photographed on another page's reckoning.
        rows = {
            r.number: r
            for r in number_rows(numbers=[2, 3, 4, 5, 9], shots=shots, last_photographed=8)
        }
        self.assertEqual(rows[2].explanation, "作废（跳号）：卡面污损")
        self.assertIs(rows[3].problem, True)
        self.assertIn("后面的序号已拍", rows[3].explanation)
        self.assertIs(rows[4].problem, True)
        self.assertIn("序号缺失", rows[4].explanation)
        self.assertEqual(rows[5].explanation, "重拍：闭眼")
        self.assertEqual((rows[9].problem, rows[9].explanation), (False, "已取号，等待拍摄。"))

    def test_a_photographed_number_is_no_problem(self):
        row = number_row(number=1, shot=FakeShot(Shot.Status.PHOTOGRAPHED), last_photographed=1)
        self.assertEqual((row.problem, row.explanation), (False, "已拍摄。"))

    def test_missing_numbers_are_those_never_given(self):
        self.assertEqual(missing_numbers(last=6, given=[1, 2, 4, 6]), [3, 5])
        self.assertEqual(missing_numbers(last=0, given=[]), [])


class NumberSearchTests(SimpleTestCase):
    def test_short_ascii_digits_are_a_number_only(self):
        self.assertEqual(number_search("17"), NumberSearch(17, "", ""))
        self.assertEqual(number_search("00012"), NumberSearch(12, "", ""))

    def test_longer_digits_are_a_number_or_a_student_id_prefix(self):
        self.assertEqual(number_search("173010"), NumberSearch(173010, "173010", ""))
        self.assertEqual(number_search("1730101101"), NumberSearch(None, "1730101101", ""))
        self.assertEqual(number_search("9" * 40), NumberSearch(None, "9" * 40, ""))

    def test_anything_else_is_a_student_id_prefix_or_a_name(self):
        for query in ("²", "١٢", "1e3", "-1", "王堃"):
            with self.subTest(query=query):
                self.assertEqual(number_search(query), NumberSearch(None, query, query))
