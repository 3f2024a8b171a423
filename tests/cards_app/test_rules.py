"""The card rules, pure: examples of DESIGN.md section 2 and their edge cases."""

import datetime
import subprocess
import unicodedata

from django.test import SimpleTestCase

from cards_app import rules
from tests.cards_app.factories import sample_card
from tests.factories import make_id_number

TODAY = datetime.date(2018, 11, 11)


def codes(name):
    return [(c.char, c.code, c.pinyin) for c in rules.check_name(name).codes]


def issue_codes(issues):
    return [(i.field, i.code) for i in issues]


class NameCodeTests(SimpleTestCase):
    def test_the_design_examples_get_their_codes(self):
        self.assertEqual(codes("张三"), [("张", "5337", None), ("三", "4093", None)])
        self.assertEqual([c for _, c, _ in codes("欧阳娜娜")], ["3723", "4984", "3640", "3640"])
        self.assertEqual([c for _, c, _ in codes("孙淼")], ["4379", "7721"])
        self.assertEqual(codes("王堃"), [("王", "4585", None), ("堃", "0000", "kun")])
        self.assertEqual(
            codes("朱镕基"), [("朱", "5476", None), ("镕", "0000", "rong"), ("基", "2789", None)]
        )

    def test_the_first_and_last_codes_of_both_levels_are_right(self):
        self.assertEqual(rules.quwei_code("啊"), "1601")
        self.assertEqual(rules.quwei_code("座"), "5589")
        self.assertEqual(rules.quwei_code("亍"), "5601")
        self.assertEqual(rules.quwei_code("齄"), "8794")

    def test_a_name_of_more_than_four_hanzi_is_handwritten_without_codes(self):
        check = rules.check_name("买买提·艾力")
        self.assertEqual(check.mode, rules.NAME_MODE_HANDWRITTEN)
        self.assertEqual(check.codes, ())
        self.assertEqual(issue_codes(check.issues), [("name", "handwritten")])
        self.assertEqual(check.issues[0].level, "warning")

    def test_a_separator_is_never_coded_and_asks_for_confirmation(self):
        for separator in ("·", "・", "•", "‧", "．", "-"):
            with self.subTest(separator=separator):
                check = rules.check_name("艾%s力" % separator)
                self.assertEqual([c.code for c in check.codes], ["1612", "3306"])
                self.assertEqual(issue_codes(check.issues), [("name", "separator")])
                self.assertEqual(check.errors, ())

    def test_a_separator_at_the_edge_or_doubled_is_an_error(self):
        for name in ("·艾力", "艾力·", "艾··力"):
            with self.subTest(name=name):
                self.assertEqual(
                    issue_codes(rules.check_name(name).errors), [("name", "separator")]
                )

    def test_full_width_spaces_and_compatibility_forms_are_normalised_first(self):
        self.assertEqual(codes("张　三"), [("张", "5337", None), ("三", "4093", None)])
        self.assertEqual(codes(" 张 三\t"), [("张", "5337", None), ("三", "4093", None)])
        # Kangxi radicals pasted from a PDF look like 人 and 文 but are other code points.
        self.assertEqual([c for _, c, _ in codes("\u2f08\u2f42")], ["4043", "4636"])

    def test_latin_letters_digits_and_symbols_are_errors_naming_the_character(self):
        for name, bad in (("张三A", "A"), ("王x", "x"), ("李4", "4"), ("赵@", "@"), ("Ａ三", "A")):
            with self.subTest(name=name):
                check = rules.check_name(name)
                self.assertEqual(issue_codes(check.errors), [("name", "invalid_chars")])
                self.assertIn("“%s”" % bad, check.errors[0].message)
                self.assertEqual(check.codes, ())

    def test_an_empty_name_is_required(self):
        for name in ("", "  ", "\u3000"):
            self.assertEqual(issue_codes(rules.check_name(name).errors), [("name", "required")])

    def test_a_traditional_form_gets_0000_pinyin_and_a_warning_not_an_error(self):
        check = rules.check_name("張三")
        self.assertEqual(check.codes[0], rules.NameCode("張", "0000", "zhang"))
        self.assertEqual(check.errors, ())
        self.assertIn(("name", "traditional"), issue_codes(check.issues))
        self.assertIn("张", [i for i in check.issues if i.code == "traditional"][0].message)

    def test_a_surname_outside_gb2312_is_read_as_a_surname(self):
        self.assertEqual(rules.check_name("單雄").codes[0].pinyin, "shan")
        self.assertEqual(rules.check_name("區明").codes[0].pinyin, "ou")
        self.assertEqual(rules.check_name("樂平").codes[0].pinyin, "yue")
        # The same character later in the name keeps its usual reading.
        self.assertEqual(rules.check_name("王單").codes[1].pinyin, "dan")

    def test_pinyin_is_lowercase_without_tones_and_keeps_u_umlaut(self):
        self.assertEqual(rules.pinyin_for("𬌗"), rules.pinyin_for("𬌗").lower())
        self.assertEqual(rules.pinyin_for("吕"), "lü")
        for char in "堃喆玥镕赟珺犇頔":
            with self.subTest(char=char):
                reading = rules.pinyin_for(char)
                self.assertRegex(reading, r"^[a-zü]+$")

    def test_the_student_may_correct_the_reading_of_a_0000_character(self):
        check = rules.check_name("王堃", pinyin="KUN ")
        self.assertEqual(check.codes[1].pinyin, "kun")
        check = rules.check_name("王頔", pinyin="ti")
        self.assertEqual(check.codes[1].pinyin, "ti")

    def test_a_correction_with_the_wrong_number_of_syllables_is_an_error_on_pinyin(self):
        check = rules.check_name("王堃", pinyin="kun li")
        self.assertEqual(issue_codes(check.issues)[-1], ("name_pinyin", "pinyin"))
        # The name itself is valid: its codes stay.
        self.assertEqual([c.code for c in check.codes], ["4585", "0000"])

    def test_the_traditional_table_maps_only_non_gb2312_forms_to_gb2312_ones(self):
        for traditional, simplified in rules.TRADITIONAL_TO_SIMPLIFIED.items():
            with self.subTest(traditional=traditional):
                self.assertIsNone(rules.quwei_code(traditional))
                self.assertIsNotNone(rules.quwei_code(simplified))


# Characters of GB 18030-2022 beyond the BMP whose reading pypinyin does not know: Ext B
# (𠮷 U+20BB7, 𡈽 U+2123D), C (𪜀 U+2A700), D (𫝀 U+2B740), F (𬺰 U+2CEB0), G (𰀀 U+30000).
UNREAD = "𠮷𡈽𪜀𫝀𬺰𰀀"


class ReadingTests(SimpleTestCase):
    """A 0000 character is filled with its pinyin beside it: never with a blank."""

    def test_the_characters_used_here_are_unknown_to_pypinyin(self):
        # If pypinyin learns one of them, pick another: the tests below need unknown ones.
        for char in UNREAD:
            with self.subTest(char="U+%X" % ord(char)):
                self.assertGreater(ord(char), 0xFFFF)
                self.assertEqual(rules.pinyin_for(char), "")

    def test_ext_a_and_a_known_ext_b_character_are_ordinary_0000_characters(self):
        # 䶮 U+4DAE (Ext A) and 𪚥 U+2A6A5 (Ext B) are in pypinyin's table.
        for name, reading in (("李䶮", "yan"), ("王𪚥", "zhe")):
            with self.subTest(name=name):
                check = rules.check_name(name)
                self.assertEqual(check.codes[1], rules.NameCode(name[1], "0000", reading))
                self.assertEqual(check.errors, ())
                self.assertIs(check.reading_unknown, False)

    def test_an_unknown_reading_is_an_error_on_the_name_that_asks_for_the_pinyin(self):
        for char in UNREAD:
            with self.subTest(char="U+%X" % ord(char)):
                check = rules.check_name("王" + char)
                self.assertEqual(issue_codes(check.errors), [("name", "pinyin_unknown")])
                self.assertEqual(
                    check.errors[0].message,
                    "“%s”的读音无法自动识别，请在“0000 旁的拼音”里填写它的拼音。" % char,
                )
                self.assertEqual(check.codes[1], rules.NameCode(char, "0000", None))
                self.assertIs(check.codes[1].reading_unknown, True)

    def test_no_message_ever_shows_a_character_with_a_blank_beside_it(self):
        check = rules.check_name("𠮷𡈽")
        text = " ".join(i.message for i in check.issues)
        for char in "𠮷𡈽":
            self.assertNotRegex(text, r"%s\s+[）)、]" % char)
            self.assertIn("%s 读音待填" % char, text)
        self.assertEqual([c.pinyin_note for c in check.codes], ["𠮷 读音待填", "𡈽 读音待填"])

    def test_astral_characters_count_as_one_character_each_and_stay_intact(self):
        check = rules.check_name(" 𠮷　𡈽𪜀𫝀 ")
        self.assertEqual(check.value, "𠮷𡈽𪜀𫝀")
        self.assertEqual([c.char for c in check.codes], list("𠮷𡈽𪜀𫝀"))
        self.assertEqual(check.mode, rules.NAME_MODE_CODES)
        self.assertEqual(rules.check_name("𠮷𡈽𪜀𫝀𬺰").mode, rules.NAME_MODE_HANDWRITTEN)
        self.assertEqual([c.code for c in rules.check_name("𠮷·𡈽").codes], ["0000", "0000"])

    def test_a_mixed_name_asks_for_every_0000_reading_in_order(self):
        check = rules.check_name("王堃𠮷")
        self.assertEqual(
            [(c.char, c.code, c.pinyin) for c in check.codes],
            [("王", "4585", None), ("堃", "0000", "kun"), ("𠮷", "0000", None)],
        )
        [error] = check.errors
        self.assertEqual(error.code, "pinyin_unknown")
        self.assertIn("“𠮷”", error.message)
        self.assertNotIn("“堃”", error.message)
        self.assertIn("2 个 0000 字（堃𠮷）", error.message)

    def test_the_supplied_pinyin_is_used_and_the_error_goes(self):
        check = rules.check_name("王𠮷", pinyin="ji")
        self.assertEqual(check.errors, ())
        self.assertEqual(check.issues, tuple(i for i in check.issues if i.level == "warning"))
        self.assertEqual(check.codes[1], rules.NameCode("𠮷", "0000", "ji"))
        self.assertIn("𠮷 ji", check.issues[-1].message)
        check = rules.check_name("王堃𠮷", pinyin=" KUN，JI ")
        self.assertEqual([c.pinyin for c in check.codes], [None, "kun", "ji"])
        self.assertEqual([i for i in check.issues if i.level == "error"], [])
        self.assertEqual(rules.check_name("𠮷", pinyin="lv").codes[0].pinyin, "lü")

    def test_a_wrong_count_of_readings_keeps_the_error_and_says_how_many(self):
        for pinyin in ("ji", "kun ji li"):
            with self.subTest(pinyin=pinyin):
                check = rules.check_name("王堃𠮷", pinyin=pinyin)
                self.assertEqual(
                    issue_codes(i for i in check.issues if i.level == "error"),
                    [("name", "pinyin_unknown"), ("name_pinyin", "pinyin")],
                )
                self.assertIn("2 个音节", check.issues[-1].message)
                self.assertIsNone(check.codes[2].pinyin)

    def test_a_reading_that_is_not_one_plain_syllable_is_refused(self):
        for pinyin in ("jí", "ji2", "j-i", "jijijiji"):
            with self.subTest(pinyin=pinyin):
                check = rules.check_name("王𠮷", pinyin=pinyin)
                self.assertIn(("name_pinyin", "pinyin"), issue_codes(check.issues))
                self.assertIs(check.reading_unknown, True)

    def test_pinyin_for_a_name_without_0000_says_it_is_not_needed(self):
        check = rules.check_name("张三", pinyin="zhang")
        self.assertEqual(issue_codes(check.issues), [("name_pinyin", "pinyin")])
        self.assertIn("不用填拼音", check.issues[0].message)

    def test_the_card_withholds_the_codes_until_every_reading_is_known(self):
        result = rules.check_card(**sample_card(name="王𠮷"), today=TODAY)
        self.assertIs(result.ok, False)
        self.assertEqual(result.error_fields, ("name",))
        self.assertEqual(result.card["name_codes"], [])
        self.assertEqual(result.card["name"], "王𠮷")
        result = rules.check_card(**sample_card(name="王𠮷", name_pinyin="ji"), today=TODAY)
        self.assertIs(result.ok, True)
        self.assertEqual(
            result.as_dict()["card"]["name_codes"],
            [
                {"char": "王", "code": "4585", "pinyin": None},
                {"char": "𠮷", "code": "0000", "pinyin": "ji"},
            ],
        )


class NameMatchTests(SimpleTestCase):
    """Searching a roster that holds names as imported, traditional forms included."""

    def test_variants_hold_the_text_its_simplified_and_traditional_forms(self):
        self.assertEqual(rules.name_variants("张伟"), {"张伟", "張偉"})
        self.assertEqual(rules.name_variants("張偉"), {"张伟", "張偉"})
        self.assertEqual(rules.name_variants(" 劉德華　"), {"劉德華", "刘德华"})
        # The mainland, Taiwan and Hong Kong traditional forms differ.
        self.assertLessEqual({"里", "裏", "裡"}, rules.name_variants("里"))

    def test_variants_of_astral_blank_and_ascii_text(self):
        self.assertEqual(rules.name_variants("王𠮷"), {"王𠮷"})
        self.assertEqual(rules.name_variants("　"), frozenset())
        self.assertEqual(rules.name_variants("1730"), {"1730"})

    def test_the_key_ignores_script_separators_widths_and_spaces(self):
        key = rules.name_key("买买提·艾力")
        self.assertEqual(key, "买买提艾力")
        for typed in ("買買提·艾力", "买买提 艾力", "买买提．艾力", "买买提艾力"):
            with self.subTest(typed=typed):
                self.assertEqual(rules.name_key(typed), key)
        self.assertEqual(rules.name_key("張偉"), rules.name_key("张伟"))
        self.assertNotEqual(rules.name_key("张伟"), rules.name_key("张玮"))

    def test_every_separator_the_card_accepts_splits_a_name_into_its_parts(self):
        for separator in sorted(rules.NAME_SEPARATORS) + ["．", "－", "･"]:
            with self.subTest(separator="U+%04X" % ord(separator)):
                self.assertEqual(rules.name_parts("买买提%s艾力" % separator), ["买买提", "艾力"])
                self.assertEqual(rules.name_key("买买提%s艾力" % separator), "买买提艾力")


def iconv_gb2312(chars: list[str]) -> list[bytes]:
    """Encode each character with glibc's iconv; an unencodable one gives b""."""
    text = "\n".join(chars) + "\n"
    completed = subprocess.run(
        ["iconv", "-c", "-f", "UTF-8", "-t", "GB2312"],
        input=text.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    lines = completed.stdout.split(b"\n")[:-1]
    if len(lines) != len(chars):
        raise AssertionError("iconv returned %d lines for %d characters" % (len(lines), len(chars)))
    return lines


class Gb2312TableTests(SimpleTestCase):
    def test_every_cjk_ideograph_codes_as_glibc_iconv_encodes_it(self):
        chars = [chr(cp) for cp in range(0x4E00, 0xA000)]
        coded = 0
        for char, encoded in zip(chars, iconv_gb2312(chars), strict=True):
            expected = None
            if len(encoded) == 2 and 16 <= encoded[0] - 0xA0 <= 87:
                expected = "%02d%02d" % (encoded[0] - 0xA0, encoded[1] - 0xA0)
            if rules.quwei_code(char) != expected:
                self.fail(
                    "%s U+%04X: rules %r, iconv %r"
                    % (char, ord(char), rules.quwei_code(char), expected)
                )
            coded += expected is not None
        self.assertEqual(coded, 6763)

    def test_every_gb2312_hanzi_alone_as_a_name_gets_its_code_and_no_other(self):
        for zone in range(16, 88):
            for position in range(1, 95):
                try:
                    char = bytes([0xA0 + zone, 0xA0 + position]).decode("gb2312")
                except UnicodeDecodeError:
                    continue
                check = rules.check_name(char)
                self.assertEqual([c.code for c in check.codes], ["%02d%02d" % (zone, position)])

    def test_no_symbol_of_zones_1_to_9_ever_gets_a_code(self):
        for zone in range(1, 10):
            for position in range(1, 95):
                try:
                    char = bytes([0xA0 + zone, 0xA0 + position]).decode("gb2312")
                except UnicodeDecodeError:
                    continue
                with self.subTest(char=char):
                    check = rules.check_name("张" + char + "三")
                    for code in check.codes:
                        self.assertFalse(
                            "0100" < code.code < "1600", "%s got %s" % (char, code.code)
                        )

    def test_a_full_width_space_and_a_full_width_letter_are_not_0101_and_0333(self):
        self.assertEqual([c.code for c in rules.check_name("张\u3000三").codes], ["5337", "4093"])
        self.assertEqual(issue_codes(rules.check_name("Ａ").errors), [("name", "invalid_chars")])
        self.assertEqual(unicodedata.normalize("NFKC", "Ａ"), "A")


class IdNumberTests(SimpleTestCase):
    def check(self, value):
        return issue_codes(rules.check_id_number(value, today=TODAY))

    def test_the_standard_example_is_valid(self):
        self.assertEqual(self.check("11010519491231002X"), [])

    def test_lowercase_x_spaces_hyphens_and_full_width_digits_are_normalised(self):
        self.assertEqual(rules.normalise_id_number("11010519491231002x"), "11010519491231002X")
        self.assertEqual(rules.normalise_id_number(" 110105 1949-1231 002ｘ"), "11010519491231002X")
        self.assertEqual(
            rules.normalise_id_number("１１０１０５１９４９１２３１００２Ｘ"), "11010519491231002X"
        )
        self.assertEqual(self.check("110105-19491231-002x"), [])

    def test_a_wrong_check_character_is_a_checksum_error(self):
        self.assertEqual(self.check("110105194912310021"), [("id_number", "checksum")])

    def test_a_fifteen_digit_old_number_is_a_length_error_that_says_so(self):
        issues = rules.check_id_number("110105491231002", today=TODAY)
        self.assertEqual(issue_codes(issues), [("id_number", "length")])
        self.assertIn("15 位", issues[0].message)

    def test_other_lengths_and_formats_are_refused(self):
        self.assertEqual(self.check("1101051949123100"), [("id_number", "length")])
        self.assertEqual(self.check("1101051949123100XX"), [("id_number", "format")])
        self.assertEqual(self.check("X10105194912310021"), [("id_number", "format")])
        # Arabic-Indic digits are digits to \d, not to an ID card.
        self.assertEqual(self.check("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X"), [("id_number", "format")])
        self.assertEqual(self.check(""), [("id_number", "required")])

    def test_the_birth_date_must_be_a_real_day_not_in_the_future(self):
        self.assertEqual(
            self.check(make_id_number("11010519490230002")), [("id_number", "birth_date")]
        )
        self.assertEqual(
            self.check(make_id_number("11010520181112002")), [("id_number", "birth_date")]
        )
        self.assertEqual(self.check(make_id_number("11010520181111002")), [])
        self.assertEqual(
            self.check(make_id_number("11010518991231002")), [("id_number", "birth_date")]
        )

    def test_the_first_two_digits_must_be_a_province(self):
        self.assertEqual(self.check(make_id_number("99010519491231002")), [("id_number", "region")])
        for province in ("71", "81", "83", "65"):
            with self.subTest(province=province):
                issues = self.check(make_id_number(province + "000019491231002"))
                self.assertNotIn(("id_number", "region"), issues)

    def test_an_unknown_county_is_only_a_warning(self):
        issues = rules.check_id_number(make_id_number("43019919991231002"), today=TODAY)
        self.assertEqual(issue_codes(issues), [("id_number", "county")])
        self.assertEqual(issues[0].level, "warning")

    def test_a_county_created_after_the_birth_year_is_no_warning(self):
        # 娄星区 (431302) exists from 1999; people born before it carry it after re-registering.
        self.assertEqual(self.check(make_id_number("43130219980101002")), [])


class StudentIdAndChoiceTests(SimpleTestCase):
    def test_digits_within_the_pattern_pass(self):
        self.assertEqual(rules.check_student_id("1730101002"), [])
        self.assertEqual(rules.check_student_id(" 1730 101002 "), [])

    def test_letters_or_a_wrong_length_are_a_format_error(self):
        for value in ("17301A1002", "12345", "1" * 15, "١٢٣٤٥٦٧"):
            with self.subTest(value=value):
                self.assertEqual(
                    issue_codes(rules.check_student_id(value)), [("student_id", "format")]
                )

    def test_the_pattern_is_configurable(self):
        self.assertEqual(rules.check_student_id("S2018001", r"S\d{7}"), [])
        self.assertEqual(
            issue_codes(rules.check_student_id("2018001", r"S\d{7}")), [("student_id", "format")]
        )

    def test_education_type_by_key_or_label_against_the_expected_category(self):
        self.assertEqual(
            rules.check_education_type("普通专科", "regular_junior"), ([], "regular_junior")
        )
        issues, key = rules.check_education_type("regular_junior", "adult_junior")
        self.assertEqual(
            (issue_codes(issues), key), ([("education_type", "mismatch")], "regular_junior")
        )
        self.assertIn("成人专科", issues[0].message)
        issues, key = rules.check_education_type("研究生", None)
        self.assertEqual((issue_codes(issues), key), ([("education_type", "invalid")], None))

    def test_the_blank_fields_are_named(self):
        self.assertEqual(
            [label for label, _ in rules.BLANK_FIELDS], ["院系代码", "地区码", "拍摄序号"]
        )


class CheckCardTests(SimpleTestCase):
    def card(self, **fields):
        return rules.check_card(**sample_card(today=TODAY, **fields))

    def test_a_good_card_is_ok_with_normalised_values(self):
        result = self.card()
        self.assertIs(result.ok, True)
        self.assertEqual(result.card["id_number"], "43010320010512102X")
        self.assertEqual(result.card["name_mode"], "codes")
        self.assertEqual(
            [c.as_dict() for c in result.card["name_codes"]],
            [
                {"char": "王", "code": "4585", "pinyin": None},
                {"char": "堃", "code": "0000", "pinyin": "kun"},
            ],
        )
        self.assertEqual(issue_codes(result.warnings), [("name", "not_in_gb2312")])

    def test_every_missing_field_is_a_required_error(self):
        result = rules.check_card()
        self.assertIs(result.ok, False)
        self.assertEqual(
            issue_codes(result.errors),
            [(f, "required") for f in rules.FIELDS],
        )

    def test_name_codes_are_given_whatever_the_other_fields_say(self):
        result = self.card(id_number="123", student_id=None)
        self.assertIs(result.ok, False)
        self.assertEqual([c.code for c in result.card["name_codes"]], ["4585", "0000"])

    def test_the_result_dict_has_the_api_shape(self):
        data = self.card(id_number="110105194912310021").as_dict()
        self.assertEqual(set(data), {"ok", "errors", "warnings", "card"})
        self.assertEqual(
            data["errors"],
            [
                {
                    "field": "id_number",
                    "code": "checksum",
                    "message": rules.check_id_number("110105194912310021")[0].message,
                }
            ],
        )

    def test_expected_category_values_turn_a_mismatch_into_an_error(self):
        result = self.card(expected_education_type="adult_junior", expected_school_type="adult")
        self.assertEqual(
            issue_codes(result.errors),
            [("education_type", "mismatch"), ("school_type", "mismatch")],
        )
