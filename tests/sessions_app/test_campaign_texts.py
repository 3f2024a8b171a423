"""How the pages, the exports and the notice word a campaign's terms, for every payment
way and both modes."""

from decimal import Decimal

from django.template import Context, Template
from django.test import SimpleTestCase

from sessions_app import campaign_texts
from sessions_app.codemode.rules import FETCH_DAYS_BEFORE
from sessions_app.models import Campaign, CaptureMode, PaymentWay


def campaign(way=PaymentWay.MONITOR, mode=CaptureMode.CARD, fee="20.00", includes=""):
    return Campaign(payment_way=way, mode=mode, fee=Decimal(fee), fee_includes=includes)


class FeeTests(SimpleTestCase):
    def test_pages_write_the_fee_in_cents_and_the_notice_without_trailing_zeros(self):
        for fee, short in (("20.00", "20"), ("25.50", "25.5"), ("100.00", "100")):
            with self.subTest(fee=fee):
                self.assertEqual(campaign_texts.fee_amount(campaign(fee=fee)), fee)
                self.assertEqual(campaign_texts.fee_amount_short(campaign(fee=fee)), short)

    def test_what_the_fee_includes_is_bracketed_or_left_out(self):
        self.assertEqual(
            campaign_texts.fee_includes(campaign(includes="含两张照片")), "（含两张照片）"
        )
        self.assertEqual(campaign_texts.fee_includes(campaign()), "")


class PaymentTextTests(SimpleTestCase):
    """Each place says who collects the fee in its own words, the same arrangement."""

    WAYS = [
        (PaymentWay.STUDENT, CaptureMode.CARD, "小程序"),
        (PaymentWay.COLLEGE, CaptureMode.CARD, "学校统一支付"),
        (PaymentWay.MONITOR, CaptureMode.CARD, "班长"),
        (PaymentWay.MONITOR, CaptureMode.CODE, "班长"),
    ]

    def test_every_place_names_who_collects(self):
        for way, mode, who in self.WAYS:
            for place in ("rule", "reminder", "step", "notice"):
                with self.subTest(way=way, mode=mode, place=place):
                    self.assertIn(who, campaign_texts.payment_text(campaign(way, mode), place))

    def test_a_monitor_collects_by_the_number_photographed_in_code_mode_only(self):
        for place in ("rule", "reminder", "notice"):
            with self.subTest(place=place):
                code = campaign(PaymentWay.MONITOR, CaptureMode.CODE)
                card = campaign(PaymentWay.MONITOR, CaptureMode.CARD)
                self.assertIn("实际拍摄人数", campaign_texts.payment_text(code, place))
                self.assertNotIn("实际拍摄人数", campaign_texts.payment_text(card, place))

    def test_the_texts_a_student_and_the_crew_read(self):
        for way, mode, place, text in [
            (
                PaymentWay.STUDENT,
                CaptureMode.CARD,
                "reminder",
                "费用每人 20.00 元，在拍摄方的小程序里自行缴纳。",
            ),
            (
                PaymentWay.COLLEGE,
                CaptureMode.CARD,
                "reminder",
                "费用由学校统一支付，个人不用缴费。",
            ),
            (
                PaymentWay.COLLEGE,
                CaptureMode.CODE,
                "step",
                "费用每人 20.00 元：由学校统一支付，个人不用缴费。",
            ),
            (
                PaymentWay.STUDENT,
                CaptureMode.CARD,
                "close",
                "本次由学生在拍摄方小程序里各自缴费，班级不收、不交现金。",
            ),
            (
                PaymentWay.COLLEGE,
                CaptureMode.CODE,
                "close",
                "本次由学校统一支付，班级不收、不交现金。",
            ),
        ]:
            with self.subTest(way=way, mode=mode, place=place):
                self.assertEqual(campaign_texts.payment_text(campaign(way, mode), place), text)


class FetchAndMakeupTests(SimpleTestCase):
    def test_the_fetch_days_follow_the_rule(self):
        self.assertEqual(campaign_texts.fetch_before(), "拍摄前 %d 天" % FETCH_DAYS_BEFORE)
        self.assertEqual(
            campaign_texts.fetch_before(emphasis=True),
            "拍摄前 <strong>%d 天</strong>" % FETCH_DAYS_BEFORE,
        )

    def test_the_routes_name_the_online_agency_only_when_asked(self):
        self.assertEqual(campaign_texts.makeup_routes(), "第二轮现场补采、线上个人采集或新华社门店")
        self.assertIn("线上个人采集（中国图片社）", campaign_texts.makeup_routes(agency=True))


class TagTests(SimpleTestCase):
    def render(self, source, **context):
        return Template("{% load campaign_texts %}" + source).render(Context(context))

    def test_the_tags_say_what_the_module_says(self):
        c = campaign(PaymentWay.MONITOR, CaptureMode.CODE)
        self.assertEqual(
            self.render('{% payment_text c "rule" %}', c=c), campaign_texts.payment_text(c, "rule")
        )
        self.assertEqual(
            self.render("{% makeup_routes agency=True %}"),
            campaign_texts.makeup_routes(agency=True),
        )

    def test_the_emphasis_is_markup_and_campaign_text_is_escaped(self):
        c = campaign(includes="<含照片>")
        self.assertEqual(self.render("{% fee_includes c %}", c=c), "（&lt;含照片&gt;）")
        self.assertIn("<strong>", self.render("{% fetch_before emphasis=True %}"))
