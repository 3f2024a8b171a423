"""The schedule: campaign, venues, time slots, colleges, classes and students."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cards_app.rules import EDUCATION_TYPES, SCHOOL_TYPES, mask_id_number
from sessions_app.summary import rules as summary_rules


class StudentCategory(models.TextChoices):
    CURRENT = "current", _("应届在校生")
    EARLIER_UNSHOT = "earlier_unshot", _("2016级等未拍照在校生")
    ALUMNI = "alumni", _("往届生")
    ADULT = "adult", _("成教生")


# The 学历类别 and 所在校别 bubbles on the card, as the card rules define them:
# EducationType.REGULAR_JUNIOR is "regular_junior", labelled 普通专科.
EducationType = models.TextChoices(
    "EducationType",
    [(key.upper(), (key, label)) for key, label in EDUCATION_TYPES.items()],
)
SchoolType = models.TextChoices(
    "SchoolType",
    [(key.upper(), (key, label)) for key, label in SCHOOL_TYPES.items()],
)


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class CaptureMode(models.TextChoices):
    """How students are identified at the shoot.

    The 2018 notice's paper 采集卡 (card), or the 学信网 图像采集码 (code), the national
    process since 2022-09-01; the card was switched off on 2023-01-01.
    """

    CARD = "card", _("采集卡（2018 年流程）")
    CODE = "code", _("图像采集码（学信网）")


class PaymentWay(models.TextChoices):
    MONITOR = "monitor", _("班长统一收取，按实际拍摄人数交给拍摄方")
    STUDENT = "student", _("学生各自在拍摄方小程序缴费")
    COLLEGE = "college", _("学校统一转账")


class Campaign(models.Model):
    """One capture day (or days) for one graduating year."""

    title = models.CharField(_("标题"), max_length=100)
    mode = models.CharField(
        _("采集方式"),
        max_length=10,
        choices=CaptureMode,
        default=CaptureMode.CARD,
        help_text=_(
            "图像采集码：学生在学信网获取采集码，现场扫码取拍摄号；采集卡：2018 年的纸质卡。"
        ),
    )
    payment_way = models.CharField(
        _("缴费方式"), max_length=10, choices=PaymentWay, default=PaymentWay.MONITOR
    )
    graduation_year = models.PositiveSmallIntegerField(_("毕业年份"))
    # The college's national 5-digit code, filled in on every card (the fill guide
    # draws its bubbles); blank until 教务处 enter it.
    college_code = models.CharField(
        _("院校代码"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{5}$", _("院校代码是 5 位数字。"))],
        help_text=_("国家规定的 5 位院校代码，学生在采集卡上填涂。"),
    )
    scope = models.TextField(_("参加范围"), blank=True)
    fee = models.DecimalField(
        _("每人费用（元）"), max_digits=8, decimal_places=2, default=Decimal("20.00")
    )
    fee_includes = models.CharField(_("费用包含"), max_length=100, blank=True)
    makeup_centre_name = models.CharField(_("补拍地点名称"), max_length=100)
    makeup_centre_address = models.CharField(_("补拍地址"), max_length=200)
    makeup_centre_phone = models.CharField(_("补拍电话"), max_length=50)
    chsi_check_working_days = models.PositiveSmallIntegerField(
        _("学信网核对（拍摄后工作日）"), default=4
    )
    dress_rules = models.TextField(_("着装要求"), blank=True)
    bring_items = models.TextField(_("需携带"), blank=True)
    issued_by = models.CharField(_("发布单位"), max_length=50, default="教务处")
    issued_on = models.DateField(_("发布日期"), null=True, blank=True)
    published = models.BooleanField(_("已发布"), default=False)
    # Raised by every write to the published schedule (sessions_app/services.py
    # campaign_touch), in the write's transaction: a shared copy of a public page is kept
    # under it (capture_portal/pagecache.py), so the write is seen at once, and a cache
    # restored from an older state can hold no copy under the current one.
    version = models.PositiveBigIntegerField(_("页面版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("采集活动")
        verbose_name_plural = _("采集活动")
        ordering = ["-graduation_year", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(fee__gte=0), name="campaign_fee_not_negative"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_code_mode(self) -> bool:
        return self.mode == CaptureMode.CODE

    @property
    def monitor_collects(self) -> bool:
        return self.payment_way == PaymentWay.MONITOR


class Venue(models.Model):
    name = models.CharField(_("地点"), max_length=100, unique=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    shots_per_hour = models.PositiveIntegerField(_("每小时拍摄人数"), default=300)

    class Meta:
        verbose_name = _("拍摄地点")
        verbose_name_plural = _("拍摄地点")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(shots_per_hour__gt=0), name="venue_shots_per_hour_positive"
            ),
        ]

    def __str__(self):
        return self.name


def slot_moment(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """Return the moment a day and a time of the schedule stand for, aware in the
    project's time zone: TimeSlot.starts_at and ends_at, or a slot's end read from
    plain rows."""
    return timezone.make_aware(datetime.datetime.combine(day, time))


class TimeSlot(models.Model):
    """A period at one venue; no two slots of one venue overlap (see migration 0002)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="slots", verbose_name=_("采集活动")
    )
    date = models.DateField(_("日期"))
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, related_name="slots", verbose_name=_("地点")
    )

    class Meta:
        verbose_name = _("拍摄时段")
        verbose_name_plural = _("拍摄时段")
        ordering = ["date", "start", "venue_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="slot_end_after_start"
            ),
        ]

    def __str__(self):
        return "%s %s—%s" % (
            self.date.isoformat(),
            self.start.strftime("%H:%M"),
            self.end.strftime("%H:%M"),
        )

    @property
    def starts_at(self) -> datetime.datetime:
        return slot_moment(self.date, self.start)

    @property
    def ends_at(self) -> datetime.datetime:
        return slot_moment(self.date, self.end)

    @property
    def duration_minutes(self) -> int:
        start = datetime.datetime.combine(self.date, self.start)
        end = datetime.datetime.combine(self.date, self.end)
        return int((end - start).total_seconds() // 60)

    @property
    def capacity(self) -> int:
        """Students the venue can shoot in this slot, at its hourly rate."""
        return self.duration_minutes * self.venue.shots_per_hour // 60

    @property
    def period_label(self) -> str:
        return _("上午") if self.start.hour < 12 else _("下午")


class College(models.Model):
    name = models.CharField(_("学院"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("学院")
        verbose_name_plural = _("学院")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SchoolClass(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("已安排")
        DEFERRED = "deferred", _("推迟至下一年")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="classes", verbose_name=_("采集活动")
    )
    name = models.CharField(_("班级"), max_length=50)
    major = models.CharField(_("专业"), max_length=50, blank=True)
    entry_year = models.PositiveSmallIntegerField(_("入学年份"), null=True, blank=True)
    college = models.ForeignKey(
        College,
        on_delete=models.PROTECT,
        related_name="classes",
        null=True,
        blank=True,
        verbose_name=_("学院"),
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status, default=Status.SCHEDULED)
    slot = models.ForeignKey(
        TimeSlot,
        on_delete=models.SET_NULL,
        related_name="classes",
        null=True,
        blank=True,
        verbose_name=_("拍摄时段"),
    )
    position = models.PositiveSmallIntegerField(_("时段内顺序"), null=True, blank=True)
    monitor = models.OneToOneField(
        "Student",
        on_delete=models.SET_NULL,
        related_name="monitored_class",
        null=True,
        blank=True,
        verbose_name=_("班长"),
    )
    # The planner keeps a bound class at its venue (机电17级 at 动力谷), and puts a pinned
    # one in its slot; staff set both, the planner never changes them.
    venue = models.ForeignKey(
        Venue,
        on_delete=models.PROTECT,
        related_name="bound_classes",
        null=True,
        blank=True,
        verbose_name=_("只能在此地点拍摄"),
        help_text=_("留空：任何地点都可以。自动排班只把该班安排在这个地点的时段。"),
    )
    pinned_slot = models.ForeignKey(
        TimeSlot,
        on_delete=models.SET_NULL,
        related_name="pinned_classes",
        null=True,
        blank=True,
        verbose_name=_("自动排班时固定在此时段"),
    )

    class Meta:
        verbose_name = _("班级")
        verbose_name_plural = _("班级")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="class_unique_per_campaign"),
            models.UniqueConstraint(
                fields=["slot", "position"], name="class_unique_position_in_slot"
            ),
            models.CheckConstraint(
                condition=Q(slot__isnull=True, position__isnull=True)
                | Q(slot__isnull=False, position__isnull=False),
                name="class_slot_has_position",
            ),
            models.CheckConstraint(
                condition=~Q(status="deferred") | Q(slot__isnull=True),
                name="class_deferred_has_no_slot",
            ),
        ]

    def __str__(self):
        return self.name


def schedule_order(prefix: str = "") -> list:
    """Return the ordering of classes as the schedule lists them (day, time, venue,
    place in the slot; classes without a slot last, by name), for SchoolClass, or for
    a model reaching it through ``prefix`` (``"school_class__"`` for students)."""
    return [
        F(prefix + "slot__date").asc(nulls_last=True),
        F(prefix + "slot__start").asc(nulls_last=True),
        F(prefix + "slot__venue_id").asc(nulls_last=True),
        F(prefix + "position").asc(nulls_last=True),
        prefix + "name",
    ]


class CategoryRule(models.Model):
    """What a category of student puts on the card, and the slot of those without a class."""

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="category_rules",
        verbose_name=_("采集活动"),
    )
    category = models.CharField(_("类别"), max_length=20, choices=StudentCategory)
    label = models.CharField(_("通知中的称呼"), max_length=50)
    education_type = models.CharField(_("学历类别"), max_length=20, choices=EducationType)
    school_type = models.CharField(
        _("所在校别"), max_length=20, choices=SchoolType, default=SchoolType.REGULAR
    )
    slot = models.ForeignKey(
        TimeSlot,
        on_delete=models.SET_NULL,
        related_name="category_rules",
        null=True,
        blank=True,
        verbose_name=_("无班级者的拍摄时段"),
    )
    position = models.PositiveSmallIntegerField(_("时段内顺序"), default=0)

    class Meta:
        verbose_name = _("类别规则")
        verbose_name_plural = _("类别规则")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "category"], name="category_rule_unique"),
        ]

    def __str__(self):
        return self.label


# The columns of a student's standing (sessions_app/summary/): kept by the services.
STANDING_FIELDS = frozenset(
    (
        "shoot_state",
        "photographed_at",
        "paid_fen",
        "paid_class",
        "paid_carried",
        "card_state",
        "code_state",
        "chsi_state",
    )
)


class Student(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="students", verbose_name=_("采集活动")
    )
    # 学号 and 身份证号 are text: leading zeros and the X must survive everywhere.
    student_id = models.CharField(_("学号"), max_length=20, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender, blank=True)
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.PROTECT,
        related_name="students",
        null=True,
        blank=True,
        verbose_name=_("班级"),
    )
    category = models.CharField(
        _("类别"), max_length=20, choices=StudentCategory, default=StudentCategory.CURRENT
    )
    education_type = models.CharField(
        _("学历类别"), max_length=20, choices=EducationType, default=EducationType.REGULAR_JUNIOR
    )
    school_type = models.CharField(
        _("所在校别"), max_length=20, choices=SchoolType, default=SchoolType.REGULAR
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="student",
        null=True,
        blank=True,
        verbose_name=_("登录账号"),
    )
    must_change_password = models.BooleanField(_("首次登录须改密码"), default=True)
    # The student's standing: where the day, the ledger, the card, the code and the 学信网
    # check stand, as the pages count and filter it. Written only by the services, in the
    # same transaction as the write it follows (sessions_app/summary/services.py), and
    # added up in the campaign's tallies (sessions_app/models/summary.py).
    shoot_state = models.CharField(
        _("拍摄状态"), max_length=20, default=summary_rules.PENDING, editable=False
    )
    photographed_at = models.DateTimeField(_("最后拍摄时间"), null=True, editable=False)
    paid_fen = models.PositiveIntegerField(_("已缴金额（分）"), null=True, editable=False)
    paid_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.PROTECT,
        related_name="paying_students",
        null=True,
        editable=False,
        verbose_name=_("缴费所在班级"),
    )
    paid_carried = models.BooleanField(_("已转补拍"), default=False, editable=False)
    card_state = models.CharField(
        _("采集卡核对"), max_length=20, default=summary_rules.CARD_UNCHECKED, editable=False
    )
    code_state = models.CharField(
        _("采集码"), max_length=20, default=summary_rules.CODE_MISSING, editable=False
    )
    chsi_state = models.CharField(
        _("学信网核对"), max_length=20, default=summary_rules.CHSI_UNANSWERED, editable=False
    )

    class Meta:
        verbose_name = _("学生")
        verbose_name_plural = _("学生")
        ordering = ["student_id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(category="current") | Q(school_class__isnull=False),
                name="student_current_has_class",
            ),
        ]

    def __str__(self):
        return "%s %s" % (self.student_id, self.name)

    def save(self, *args, **kwargs):
        # The standing is written by the summary services alone, with its tallies: a
        # save of an instance read before a payment or a photo must not put the old
        # standing back.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in STANDING_FIELDS
            ]
        super().save(*args, **kwargs)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)
