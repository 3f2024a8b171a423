"""The notice printed from the campaign: every class, venue and rule of the paper one."""

from capture_portal.glyphs import CANNOT_START
from sessions_app.models import Campaign, SchoolClass
from tests.sessions_app.support import NoticeWorld, pdf_pages


class NoticeTests(NoticeWorld):
    def test_the_notice_holds_every_class_the_venues_the_fee_and_the_date_of_issue(self):
        pages = pdf_pages(self.export("notice", "pdf"))
        text = "".join("".join(page.split()) for page in pages)
        for school_class in SchoolClass.objects.filter(campaign=self.campaign, slot__isnull=False):
            self.assertIn(school_class.name, text)
        for phrase in (
            "关于2020届毕业生图像采集工作的通知",
            "明理楼(南栋)109教室",
            "动力谷",
            "每人20元",
            "0000",
            "2B铅笔",
            "普通专科",
            "浅黄色",
            "0731-82250811",
            "2018年11月7日",
            "工商17级",
            "08:00—09:00",
            "17:00—18:00",
        ):
            self.assertIn(phrase, text)

    def test_a_change_in_the_campaign_shows_in_the_notice(self):
        Campaign.objects.filter(pk=self.campaign.pk).update(makeup_centre_phone="0731-12345678")
        self.campaign.refresh_from_db()
        text = "".join("".join(p.split()) for p in pdf_pages(self.export("notice", "pdf")))
        self.assertIn("0731-12345678", text)


class NoticeLineBreakTests(NoticeWorld):
    def test_no_line_starts_with_closing_punctuation(self):
        # Shift a comma-rich scope text by one character at a time, so that a comma,
        # a full stop and a closing bracket each land at the end of some line.
        scope = (
            "我校2020届全体毕业生（含2018级成教生），2016级等尚未拍照的在校生，往届生；请互相转告。"
        )
        for shift in range(24):
            Campaign.objects.filter(pk=self.campaign.pk).update(scope="甲" * shift + scope * 3)
            self.campaign.refresh_from_db()
            for page in pdf_pages(self.export("notice", "pdf")):
                for line in page.splitlines():
                    with self.subTest(shift=shift, line=line):
                        self.assertNotIn(line.strip()[:1], CANNOT_START)
