"""Synthetic students for the demo roster: deterministic, realistic, no database.

The same classes and total always give the same students, down to every name and ID
number, so a demo, a screenshot and a bug report all see the same roster. Names
deliberately include the cases the card rules must handle: characters outside
GB2312, traditional forms, compound surnames, surnames read differently, and minority
names of more than four hanzi.
"""

import datetime
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter

from cards_app.rules import id_check_character

SEED = 20181111

# Values as stored by sessions_app.models (StudentCategory, Gender); plain strings keep
# this module importable without Django.
CURRENT = "current"
EARLIER_UNSHOT = "earlier_unshot"
ALUMNI = "alumni"
ADULT = "adult"
INDIVIDUAL_CATEGORIES = (EARLIER_UNSHOT, ALUMNI, ADULT)
MALE = "M"
FEMALE = "F"

DEFAULT_CLASS_SIZE = (30, 50)
_by_name = attrgetter("name")
DEFAULT_INDIVIDUALS_PER_CATEGORY = 20
# Share of students without a class when a total is asked for: about the default's.
INDIVIDUAL_SHARE = 0.03

# 3-digit major codes in 学号, grouped by college (1 电气, 2 建筑, 3 经管, 4 机械).
MAJOR_CODES = {
    "微电网": "101",
    "光电": "102",
    "风电": "103",
    "光热": "104",
    "风维": "105",
    "节能": "106",
    "电气": "107",
    "机器人": "108",
    "造价": "201",
    "环艺": "202",
    "测量": "203",
    "材料": "204",
    "会计": "301",
    "市营": "302",
    "酒管": "303",
    "工商": "304",
    "机械": "401",
    "机电": "402",
    "舍弗勒": "403",
}

# Share of women by major; the rest are 0.4.
FEMALE_SHARE = {
    "会计": 0.8,
    "市营": 0.65,
    "酒管": 0.7,
    "工商": 0.6,
    "环艺": 0.55,
    "造价": 0.45,
    "机电": 0.1,
    "机械": 0.1,
    "舍弗勒": 0.1,
    "机器人": 0.15,
    "电气": 0.15,
}

HUNAN_REGIONS = (
    "430102",
    "430103",
    "430104",
    "430111",
    "430121",
    "430181",
    "430202",
    "430302",
    "430381",
    "430402",
    "430521",
    "430602",
    "430703",
    "430802",
    "430902",
    "431002",
    "431102",
    "431202",
    "431302",
    "433101",
)
OTHER_REGIONS = (
    "110105",
    "310104",
    "360102",
    "420106",
    "440106",
    "450102",
    "500103",
    "510104",
    "520102",
)
XINJIANG_REGIONS = ("650102", "650103", "652801", "652901", "653101", "653201")
OTHER_PROVINCE_SHARE = 0.06

# (surname, weight): roughly how common each is in Hunan.
_SURNAMES = (
    ("刘", 60),
    ("李", 55),
    ("陈", 45),
    ("王", 40),
    ("张", 38),
    ("周", 30),
    ("彭", 25),
    ("谭", 25),
    ("罗", 25),
    ("黄", 24),
    ("唐", 22),
    ("杨", 20),
    ("吴", 18),
    ("邓", 18),
    ("胡", 16),
    ("肖", 16),
    ("蒋", 14),
    ("何", 14),
    ("谢", 14),
    ("易", 12),
    ("龙", 10),
    ("贺", 10),
    ("廖", 10),
    ("向", 9),
    ("朱", 9),
    ("赵", 8),
    ("孙", 8),
    ("徐", 8),
    ("曹", 8),
    ("伍", 7),
    ("文", 7),
    ("钟", 7),
    ("戴", 7),
    ("颜", 6),
    ("邹", 6),
    ("石", 6),
    ("郭", 6),
    ("林", 6),
    ("田", 6),
    ("高", 5),
    ("夏", 5),
    ("雷", 5),
    ("袁", 5),
    ("姚", 5),
    ("段", 4),
    ("汤", 4),
    ("毛", 4),
    ("邱", 4),
    ("熊", 4),
    ("梁", 4),
    ("宋", 4),
    ("许", 4),
    ("丁", 3),
    ("于", 3),
    ("欧", 3),
    ("郑", 3),
    ("闫", 2),
)
_SURNAME_POOL = tuple(name for name, weight in _SURNAMES for _ in range(weight))

COMPOUND_SURNAMES = ("欧阳", "欧阳", "司马", "诸葛", "上官", "司徒")
TRADITIONAL_SURNAMES = ("張", "劉", "陳")
# Surnames whose reading differs from the character's everyday one.
SURNAMES_READ_DIFFERENTLY = ("单", "曾", "区", "仇", "解", "查", "朴", "乐", "覃", "缪", "翟", "盖")

_GIVEN = {
    MALE: "伟强磊军勇杰涛斌超明辉鹏华飞刚平俊浩宇轩博文凯豪龙峰坤晨阳林宏志帅鑫彬亮健炜振翔洋威力毅建成哲睿航泽",
    FEMALE: "丽娟敏静芳婷燕玲琳雪倩颖慧佳欣怡璐瑶蕾莹雯娜丹萍霞琪楠梦思雨晴月菲艳洁媛茜薇露",
}
# Characters outside GB2312 that parents like: filled as 0000 on the card.
RARE_GIVEN = {MALE: "堃喆镕赟犇頔", FEMALE: "玥珺頔"}

MIDDLE_DOT = "\u00b7"
_MINORITY_GIVEN = {
    MALE: ("买买提", "艾力", "艾尔肯", "阿卜杜拉", "努尔兰", "艾山", "吐尔洪"),
    FEMALE: ("阿依古丽", "古丽米拉", "迪丽娜尔", "热依汗古丽", "帕提古丽", "阿米娜"),
}
_MINORITY_FATHER = ("吐尔逊", "艾力", "买买提", "阿不都拉", "吾斯曼", "艾合买提", "热合曼", "肉孜")

# Cumulative thresholds on one draw: each special kind is a few per hundred.
_P_MINORITY = 0.02
_P_RARE = _P_MINORITY + 0.03
_P_TRADITIONAL = _P_RARE + 0.02
_P_COMPOUND = _P_TRADITIONAL + 0.03
_P_READ_DIFFERENTLY = _P_COMPOUND + 0.04


@dataclass(frozen=True)
class DemoClass:
    name: str
    major: str
    entry_year: int


@dataclass(frozen=True)
class DemoStudent:
    student_id: str
    name: str
    id_number: str
    gender: str
    category: str
    class_name: str | None
    major: str


def default_class_size(name: str) -> int:
    """Return the number of students a class gets in the default roster."""
    low, high = DEFAULT_CLASS_SIZE
    return random.Random(f"{SEED}/size/{name}").randint(low, high)


def roster_sizes(
    *, classes: Sequence[DemoClass], total: int | None = None
) -> tuple[dict[str, int], dict[str, int]]:
    """Return (students per class name, students per individual category).

    Without a total every class gets its default size and each individual category
    the default count; with one, the total is split in proportion to the default
    sizes (largest remainder), keeping a small share for the individuals.
    """
    weights = {c.name: default_class_size(c.name) for c in sorted(classes, key=_by_name)}
    if total is None:
        per_category = dict.fromkeys(INDIVIDUAL_CATEGORIES, DEFAULT_INDIVIDUALS_PER_CATEGORY)
        return weights, per_category
    if total < 0:
        raise ValueError("total must not be negative")
    individuals = round(total * INDIVIDUAL_SHARE) if weights else total
    per_class = _split(total - individuals, weights)
    per_category = _split(individuals, dict.fromkeys(INDIVIDUAL_CATEGORIES, 1))
    return per_class, per_category


def _split(total: int, weights: dict[str, int]) -> dict[str, int]:
    whole = sum(weights.values())
    if not whole:
        return dict.fromkeys(weights, 0)
    shares = {key: total * weight / whole for key, weight in weights.items()}
    counts = {key: int(share) for key, share in shares.items()}
    left = total - sum(counts.values())
    # Ties go to the earlier key, so the split is the same on every run.
    by_remainder = sorted(shares, key=lambda key: counts[key] - shares[key])
    for key in by_remainder[:left]:
        counts[key] += 1
    return counts


def roster_generate(
    *, classes: Sequence[DemoClass], total: int | None = None
) -> Iterator[DemoStudent]:
    """Yield the demo students: each class's in 学号 order, then those without a class.

    ``total`` is the number of students wanted; None gives the default roster. Each
    class draws from its own random stream, so a class's students do not depend on
    the other classes (but for the rare redraw of an ID number already given), and a
    bigger total keeps the students of a smaller one.
    """
    classes = sorted(classes, key=_by_name)
    per_class, per_category = roster_sizes(classes=classes, total=total)
    majors = sorted({c.major for c in classes}) or ["会计"]
    codes = _major_codes(majors)
    numbers = _class_numbers(classes)
    seen_student_ids: set[str] = set()
    seen_id_numbers: set[str] = set()

    def emit(student: DemoStudent) -> DemoStudent:
        # Formats are disjoint by construction; a clash is a bug here, not bad luck.
        if student.student_id in seen_student_ids:
            raise RuntimeError("duplicate demo 学号 %s" % student.student_id)  # noqa: UP031
        seen_student_ids.add(student.student_id)
        return student

    for school_class in classes:
        rng = random.Random(f"{SEED}/class/{school_class.name}")
        count = per_class[school_class.name]
        width = max(3, len(str(count)))
        entry = school_class.entry_year % 100
        prefix = f"{entry:02d}{codes[school_class.major]}{numbers[school_class.name]:02d}"
        for sequence in range(1, count + 1):
            gender = _gender(rng, school_class.major)
            name, region = _name_and_region(rng, gender)
            birth_year = _birth_year(rng, school_class.entry_year)
            yield emit(
                DemoStudent(
                    student_id=f"{prefix}{sequence:0{width}d}",
                    name=name,
                    id_number=_id_number(rng, region, birth_year, gender, seen_id_numbers),
                    gender=gender,
                    category=CURRENT,
                    class_name=school_class.name,
                    major=school_class.major,
                )
            )

    for category in INDIVIDUAL_CATEGORIES:
        rng = random.Random(f"{SEED}/individual/{category}")
        count = per_category[category]
        width = max(3, len(str(count)))
        for sequence in range(1, count + 1):
            major = rng.choice(majors)
            gender = _gender(rng, major)
            name, region = _name_and_region(rng, gender)
            if category == ADULT:
                # 成教生 of the 2018 intake: a longer 学号 with the full year.
                entry_year = 2018
                student_id = f"{entry_year}7{codes[major]}{sequence:0{width}d}"
                birth_year = rng.randint(1994, 2001)
            else:
                entry_year = 2016 if category == EARLIER_UNSHOT else rng.choice((2014, 2015))
                # Class "00" is never a real class number: no clash with class rosters.
                student_id = f"{entry_year % 100:02d}{codes[major]}00{sequence:0{width}d}"
                birth_year = _birth_year(rng, entry_year)
            yield emit(
                DemoStudent(
                    student_id=student_id,
                    name=name,
                    id_number=_id_number(rng, region, birth_year, gender, seen_id_numbers),
                    gender=gender,
                    category=category,
                    class_name=None,
                    major=major,
                )
            )


def _major_codes(majors: Sequence[str]) -> dict[str, str]:
    codes = dict(MAJOR_CODES)
    unknown = sorted(set(majors) - set(codes))
    for index, major in enumerate(unknown):
        codes[major] = f"{900 + index % 100:03d}"
    return codes


def _class_numbers(classes: Sequence[DemoClass]) -> dict[str, int]:
    """Number the classes 1, 2, … within each major and entry year, by name."""
    numbers = {}
    counters: dict[tuple[str, int], int] = {}
    for school_class in classes:
        key = (school_class.major, school_class.entry_year)
        counters[key] = counters.get(key, 0) + 1
        numbers[school_class.name] = counters[key]
    return numbers


def _gender(rng: random.Random, major: str) -> str:
    return FEMALE if rng.random() < FEMALE_SHARE.get(major, 0.4) else MALE


def _given_name(rng: random.Random, gender: str) -> str:
    pool = _GIVEN[gender]
    if rng.random() < 0.3:
        return rng.choice(pool)
    return rng.choice(pool) + rng.choice(pool)


def _name_and_region(rng: random.Random, gender: str) -> tuple[str, str]:
    """Return a name and the 6-digit region code of the ID number that goes with it."""
    draw = rng.random()
    if draw < _P_MINORITY:
        while True:
            name = rng.choice(_MINORITY_GIVEN[gender]) + MIDDLE_DOT + rng.choice(_MINORITY_FATHER)
            if len(name) - 1 > 4:
                return name, rng.choice(XINJIANG_REGIONS)
    if draw < _P_RARE:
        name = rng.choice(_SURNAME_POOL) + rng.choice(RARE_GIVEN[gender])
        if rng.random() < 0.4:
            name += rng.choice(_GIVEN[gender])
    elif draw < _P_TRADITIONAL:
        name = rng.choice(TRADITIONAL_SURNAMES) + _given_name(rng, gender)
    elif draw < _P_COMPOUND:
        name = rng.choice(COMPOUND_SURNAMES) + _given_name(rng, gender)
    elif draw < _P_READ_DIFFERENTLY:
        name = rng.choice(SURNAMES_READ_DIFFERENTLY) + _given_name(rng, gender)
    else:
        name = rng.choice(_SURNAME_POOL) + _given_name(rng, gender)
    if rng.random() < OTHER_PROVINCE_SHARE:
        return name, rng.choice(OTHER_REGIONS)
    return name, rng.choice(HUNAN_REGIONS)


def _birth_year(rng: random.Random, entry_year: int) -> int:
    # Most enter at 18 or 19; the demo keeps every birth year within 1994–2001.
    year = entry_year - rng.choice((17, 18, 18, 19, 19, 20))
    return min(max(year, 1994), 2001)


def _id_number(
    rng: random.Random, region: str, birth_year: int, gender: str, seen: set[str]
) -> str:
    """Return a valid ID number not in ``seen``, and add it there."""
    first_day = datetime.date(birth_year, 1, 1)
    days = (datetime.date(birth_year + 1, 1, 1) - first_day).days
    while True:
        birth = first_day + datetime.timedelta(days=rng.randrange(days))
        # The 17th digit is odd for men, even for women.
        last = rng.choice("13579" if gender == MALE else "02468")
        first17 = f"{region}{birth:%Y%m%d}{rng.randrange(100):02d}{last}"
        number = first17 + id_check_character(first17)
        if number not in seen:
            seen.add(number)
            return number
