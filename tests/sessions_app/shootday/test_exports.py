"""The make-up list, before and after the day."""

import datetime

from sessions_app.exports import export_file
from tests.sessions_app.support import SHANGHAI, NoticeWorld, pdf_pages


class MakeupListTests(NoticeWorld):
    def makeup_text(self, when):
        content = export_file(campaign=self.campaign, kind="makeup", fmt="pdf", now=when)[2]
        return "\n".join(pdf_pages(content))

    def test_before_the_day_only_the_deferred_classes_are_listed(self):
        text = self.makeup_text(datetime.datetime(2018, 11, 10, 12, tzinfo=SHANGHAI))
        self.assertIn("须到中心补拍　0 人", text)
        self.assertIn("李延期", text)
        self.assertIn("%s（班级推迟至下一年）" % self.deferred.name, text)
        self.assertNotIn("赵往届", text)
        self.assertNotIn("欧阳娜娜", text)

    def test_after_the_day_everyone_not_photographed_goes_to_the_centre(self):
        text = self.makeup_text(datetime.datetime(2018, 11, 12, 12, tzinfo=SHANGHAI))
        self.assertIn("赵往届", text)
        self.assertIn("欧阳娜娜", text)
        self.assertIn("未拍摄（时段已结束）", text)
        self.assertIn("长沙市迎宾路175号", text)
        self.assertIn("0731-82250811", text)
        self.assertIn("李延期", text)
