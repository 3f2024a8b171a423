"""The notice printed from the campaign: every class, venue and rule of the paper one."""

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
