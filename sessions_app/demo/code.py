"""The second demo campaign of `make run`: 2026届 in code mode (图像采集码), beside the
notice's card day. Its day is a week after the demo is built, so every page shows it
before the day: who has a readable code, who does not, and two students sharing one.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from sessions_app.codemode.services import digest_of
from sessions_app.demo.roster import CURRENT, DemoClass, roster_generate
from sessions_app.models import (
    Campaign,
    CaptureCode,
    CaptureMode,
    CategoryRule,
    College,
    EducationType,
    PaymentWay,
    SchoolClass,
    Student,
    StudentCategory,
    TimeSlot,
    Venue,
)
from sessions_app.summary.services import summaries_rebuild

TITLE = "2026届毕业生图像信息采集（图像采集码）"
GRADUATION_YEAR = 2026
CLASSES = (
    ("会计2271", "会计", "经济管理学院"),
    ("会计2272", "会计", "经济管理学院"),
    ("电气2271", "电气自动化技术", "电气与新能源学院"),
)
DEMO_CLASS = "会计2271"
VENUE = "明理楼(南栋)109教室"


def code_campaign_load(*, today: datetime.date | None = None) -> tuple[Campaign, bool]:
    """Create the code-mode demo campaign unless it exists; return (campaign, created)."""
    existing = Campaign.objects.filter(title=TITLE, graduation_year=GRADUATION_YEAR).first()
    if existing is not None:
        return existing, False
    today = today or timezone.localdate()
    day = today + datetime.timedelta(days=7)
    campaign = Campaign.objects.create(
        title=TITLE,
        graduation_year=GRADUATION_YEAR,
        mode=CaptureMode.CODE,
        payment_way=PaymentWay.MONITOR,
        fee=Decimal("15.00"),
        fee_includes="电子照片上传学信网",
        scope="2026届全体普通专科毕业生",
        makeup_centre_name="新华社图片中心门店",
        makeup_centre_address="长沙市芙蓉区五一大道 1 号",
        makeup_centre_phone="0731-00000000",
        chsi_check_working_days=10,
        dress_rules="穿有领、与浅蓝背景反差明显的衣服；平时戴眼镜的戴眼镜（无色、不反光）；"
        "头发不遮眉、眼、耳；不戴首饰，不化浓妆。",
        bring_items="学信网图像采集码（长按保存的原图）、校园卡。",
        issued_by="教务处",
        issued_on=today,
        published=True,
    )
    venue, _ = Venue.objects.get_or_create(name=VENUE, defaults={"shots_per_hour": 300})
    morning = TimeSlot.objects.create(
        campaign=campaign,
        date=day,
        start=datetime.time(8, 30),
        end=datetime.time(10, 0),
        venue=venue,
    )
    later = TimeSlot.objects.create(
        campaign=campaign,
        date=day,
        start=datetime.time(10, 0),
        end=datetime.time(11, 30),
        venue=venue,
    )
    positions = {morning.pk: 0, later.pk: 0}
    for name, major, college_name in CLASSES:
        college, _ = College.objects.get_or_create(name=college_name)
        slot = morning if major == "会计" else later
        positions[slot.pk] += 1  # 1, 2, … in each slot, as the schedule counts
        position = positions[slot.pk]
        SchoolClass.objects.create(
            campaign=campaign,
            name=name,
            major=major,
            entry_year=2022,
            college=college,
            slot=slot,
            position=position,
        )
    CategoryRule.objects.create(
        campaign=campaign,
        category=StudentCategory.CURRENT,
        label="应届毕业生",
        education_type=EducationType.REGULAR_JUNIOR,
    )
    return campaign, True


def code_campaign_roster(campaign: Campaign) -> int:
    """Create the campaign's demo students (classes only); return how many were added."""
    classes = {c.name: c for c in campaign.classes.all()}
    demo_classes = [
        DemoClass(name=c.name, major=c.major, entry_year=2022) for c in classes.values()
    ]
    existing = set(Student.objects.values_list("student_id", flat=True))
    new = [
        Student(
            campaign=campaign,
            student_id=demo.student_id,
            name=demo.name,
            id_number=demo.id_number,
            gender=demo.gender,
            school_class=classes[demo.class_name],
            category=CURRENT,
        )
        for demo in roster_generate(classes=demo_classes)
        if demo.class_name is not None and demo.student_id not in existing
    ]
    Student.objects.bulk_create(new)
    summaries_rebuild(campaign=campaign)  # written in bulk: counted from the records
    return len(new)


def code_campaign_codes(campaign: Campaign) -> int:
    """Give about three in four students a readable code, two of them the same one."""
    if CaptureCode.objects.filter(campaign=campaign).exists():
        return 0
    now = timezone.now()
    students = list(Student.objects.filter(campaign=campaign).order_by("student_id"))
    codes = []
    for index, student in enumerate(students):
        if index % 4 == 3:
            continue  # not fetched yet
        # The demo's "content" stands for the encrypted text of the real code.
        content = ("CHSI-DEMO-%s" % student.student_id).encode()
        if index == 5:
            content = ("CHSI-DEMO-%s" % students[4].student_id).encode()  # a shared code
        codes.append(
            CaptureCode(
                campaign=campaign, student=student, digest=digest_of(content), checked_at=now
            )
        )
    CaptureCode.objects.bulk_create(codes)
    summaries_rebuild(campaign=campaign)
    return len(codes)
