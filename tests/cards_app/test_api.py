"""The public check API: its exact contract, its 400s, and never a 500."""

import json

from django.test import SimpleTestCase
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cards_app import api

URL = "/api/cards/check/"

GOOD = {
    "student_id": "1730101002",
    "name": "王堃",
    "id_number": "43010320010512102x",
    "education_type": "regular_junior",
    "school_type": "regular",
}


class ApiMountTests(SimpleTestCase):
    def test_the_api_is_mounted_at_its_public_path(self):
        # Needs `path("api/cards/", include("cards_app.api_urls"))` in capture_portal/urls.py.
        try:
            view = resolve(URL).func
        except Resolver404:
            view = None
        self.assertIs(view, api.card_check, "%s is not mounted in the root URLconf" % URL)


class ApiContractTests(SimpleTestCase):
    def post(self, body, content_type="application/json"):
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        return self.client.post(URL, body, content_type=content_type)

    def test_a_good_card_answers_200_with_the_specified_shape(self):
        response = self.post(GOOD)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        data = response.json()
        self.assertEqual(set(data), {"ok", "errors", "warnings", "card"})
        self.assertIs(data["ok"], True)
        self.assertEqual(data["errors"], [])
        self.assertEqual(
            data["warnings"],
            [{"field": "name", "code": "not_in_gb2312", "message": data["warnings"][0]["message"]}],
        )
        card = data["card"]
        self.assertEqual(card["student_id"], "1730101002")
        self.assertEqual(card["name"], "王堃")
        self.assertEqual(card["id_number"], "43010320010512102X")
        self.assertEqual(card["name_mode"], "codes")
        self.assertEqual(
            card["name_codes"],
            [
                {"char": "王", "code": "4585", "pinyin": None},
                {"char": "堃", "code": "0000", "pinyin": "kun"},
            ],
        )

    def test_it_needs_no_login_and_no_csrf_token(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        response = client.post(URL, json.dumps(GOOD), content_type="application/json")
        self.assertEqual(response.status_code, 200)

    def test_an_id_number_is_normalised_to_18_upper_case_characters_without_spaces(self):
        data = self.post({**GOOD, "id_number": " 4301 0320 0105 1210 2x "}).json()
        self.assertEqual(data["card"]["id_number"], "43010320010512102X")
        self.assertIs(data["ok"], True)

    def test_ok_is_false_exactly_when_there_are_errors(self):
        data = self.post({**GOOD, "id_number": "430103200105121021"}).json()
        self.assertIs(data["ok"], False)
        self.assertEqual(
            [(e["field"], e["code"]) for e in data["errors"]], [("id_number", "checksum")]
        )
        self.assertTrue(data["errors"][0]["message"])

    def test_a_missing_field_is_a_required_error(self):
        data = self.post({"name": "张三"}).json()
        self.assertEqual(
            [(e["field"], e["code"]) for e in data["errors"]],
            [
                ("student_id", "required"),
                ("id_number", "required"),
                ("education_type", "required"),
                ("school_type", "required"),
            ],
        )
        self.assertEqual([c["code"] for c in data["card"]["name_codes"]], ["5337", "4093"])

    def test_each_documented_error_code_can_be_produced(self):
        cases = {
            ("name", "invalid_chars"): {"name": "张3"},
            ("id_number", "length"): {"id_number": "4301032001"},
            ("id_number", "format"): {"id_number": "43010320010512102Y"},
            ("id_number", "birth_date"): {"id_number": "430103200113321020"},
            ("id_number", "region"): {"id_number": "990103200105121020"},
            ("student_id", "format"): {"student_id": "17-3010"},
            ("education_type", "invalid"): {"education_type": "博士"},
            ("school_type", "invalid"): {"school_type": "中学"},
        }
        for (field, code), change in cases.items():
            with self.subTest(code=code):
                data = self.post({**GOOD, **change}).json()
                self.assertIn((field, code), [(e["field"], e["code"]) for e in data["errors"]])

    def test_a_long_name_is_handwritten_with_empty_codes(self):
        data = self.post({**GOOD, "name": "买买提·艾力"}).json()
        self.assertIs(data["ok"], True)
        self.assertEqual(data["card"]["name_mode"], "handwritten")
        self.assertEqual(data["card"]["name_codes"], [])

    def test_an_unknown_reading_is_an_error_asking_for_name_pinyin(self):
        # json.dumps escapes 𠮷 as the surrogate pair \ud842\udfb7: one character again.
        data = self.post({**GOOD, "name": "王𠮷"}).json()
        self.assertIs(data["ok"], False)
        self.assertEqual(
            [(e["field"], e["code"]) for e in data["errors"]], [("name", "pinyin_unknown")]
        )
        self.assertIn("“𠮷”", data["errors"][0]["message"])
        self.assertIn("0000 旁的拼音", data["errors"][0]["message"])
        self.assertEqual(data["card"]["name"], "王𠮷")
        self.assertEqual(data["card"]["name_codes"], [])
        self.assertNotIn("𠮷 ）", json.dumps(data, ensure_ascii=False))

    def test_name_pinyin_gives_the_reading_of_an_unknown_character(self):
        data = self.post({**GOOD, "name": "王堃𠮷", "name_pinyin": "kun ji"}).json()
        self.assertIs(data["ok"], True)
        self.assertEqual(
            data["card"]["name_codes"],
            [
                {"char": "王", "code": "4585", "pinyin": None},
                {"char": "堃", "code": "0000", "pinyin": "kun"},
                {"char": "𠮷", "code": "0000", "pinyin": "ji"},
            ],
        )

    def test_a_wrong_count_of_readings_is_an_error_on_name_pinyin_too(self):
        data = self.post({**GOOD, "name": "王堃𠮷", "name_pinyin": "ji"}).json()
        self.assertEqual(
            [(e["field"], e["code"]) for e in data["errors"]],
            [("name", "pinyin_unknown"), ("name_pinyin", "pinyin")],
        )
        self.assertEqual(data["card"]["name_codes"], [])

    def test_unknown_keys_are_ignored(self):
        data = self.post({**GOOD, "photo": "x"}).json()
        self.assertIs(data["ok"], True)

    def test_bad_json_is_a_400_with_a_json_error(self):
        for body in (b"{", b"", b"\xff\xfe", b"nul", b"[" * 5000 + b"]" * 5000):
            with self.subTest(body=body[:10]):
                response = self.post(body)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(
                    response.json()["error"]["code"],
                    "invalid_json" if len(body) < 4097 else "too_large",
                )

    def test_a_json_value_that_is_not_an_object_is_a_400(self):
        for body in ([], "张三", 3, None, True):
            with self.subTest(body=body):
                response = self.post(json.dumps(body))
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.json()["error"]["code"], "not_an_object")

    def test_a_field_that_is_not_a_string_is_a_400_naming_the_field(self):
        for value in (None, 1730101002, ["王"], {"a": 1}, True, 1.5):
            with self.subTest(value=value):
                response = self.post({**GOOD, "student_id": value})
                self.assertEqual(response.status_code, 400)
                error = response.json()["error"]
                self.assertEqual((error["code"], error["field"]), ("not_a_string", "student_id"))

    def test_an_oversized_body_is_a_400(self):
        response = self.post({**GOOD, "name": "王" * 3000})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"]["code"], "too_large")

    def test_another_method_is_a_405_in_json(self):
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 405)
        self.assertEqual(response.json()["error"]["code"], "method_not_allowed")
        self.assertEqual(response["Allow"], "POST")

    def test_a_form_encoded_body_is_not_json(self):
        response = self.client.post(URL, {"name": "张三"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"]["code"], "invalid_json")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=12,
)
card_objects = st.fixed_dictionaries(
    {},
    optional={
        key: st.one_of(st.text(max_size=30), json_values)
        for key in ("student_id", "name", "id_number", "education_type", "school_type")
    },
)


class ApiPropertyTests(SimpleTestCase):
    # The API touches no database, so plain @given runs each example without the
    # per-example set-up of hypothesis.extra.django.
    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(body=st.one_of(json_values, card_objects))
    def test_random_json_never_gives_a_500(self, body):
        response = self.client.post(URL, json.dumps(body), content_type="application/json")
        self.assertIn(response.status_code, (200, 400))
        data = response.json()
        if response.status_code == 200:
            self.assertEqual(data["ok"], not data["errors"])
            self.assertIn(data["card"]["name_mode"], ("codes", "handwritten"))
        else:
            self.assertIn("error", data)

    @settings(max_examples=200, deadline=None)
    @given(body=st.binary(max_size=200))
    def test_random_bytes_never_give_a_500(self, body):
        response = self.client.post(URL, body, content_type="application/json")
        self.assertIn(response.status_code, (200, 400))
        self.assertEqual(response["Content-Type"], "application/json")
