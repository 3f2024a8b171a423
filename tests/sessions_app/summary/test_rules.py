"""The pace's kept sums, taken one photo at a time in any order, equal the sums of all."""

import random
import unittest

from sessions_app.summary import rules


def taken_one_by_one(times):
    """Add the photos in the given order as the service does: after the latest with
    pace_after, before it with pace_between and its neighbours among those taken."""
    sums, seen = rules.PaceSums(0, 0, 0, None), []
    for moment in times:
        after = rules.pace_after(sums, moment)
        if after is None:
            before = max((t for t in seen if t <= moment), default=None)
            later = min(t for t in seen if t > moment)
            after = rules.pace_between(sums, moment, before, later)
        sums = after
        seen.append(moment)
    return sums


class PaceSumsTests(unittest.TestCase):
    def test_photos_in_any_order_give_the_sums_of_all(self):
        generator = random.Random(20)
        for case in range(300):
            with self.subTest(case=case):
                # Gaps around the break (10 minutes) either way, ties included.
                gaps = [
                    generator.choice([0, 20_000, 45_000, 599_000, 600_000, 601_000, 3_600_000])
                    for _ in range(generator.randint(1, 25))
                ]
                times, now = [], 1_541_900_000_000
                for gap in gaps:
                    now += gap
                    times.append(now)
                shuffled = times[:]
                # Desks commit a little out of order; now and then one very late.
                for i in range(len(shuffled) - 1):
                    if generator.random() < 0.3:
                        shuffled[i], shuffled[i + 1] = shuffled[i + 1], shuffled[i]
                if generator.random() < 0.3:
                    shuffled.insert(generator.randrange(len(shuffled)), shuffled.pop(0))
                self.assertEqual(taken_one_by_one(shuffled), rules.pace_sums(times))

    def test_a_late_photo_splits_the_gap_it_falls_in(self):
        minute = 60_000
        kept = rules.pace_sums([0, 20 * minute])  # one gap past the break: no interval
        late = rules.pace_between(kept, 12 * minute, 0, 20 * minute)
        self.assertEqual(late, rules.PaceSums(3, 1, 8 * minute, 20 * minute))
        self.assertEqual(late, rules.pace_sums([0, 12 * minute, 20 * minute]))
