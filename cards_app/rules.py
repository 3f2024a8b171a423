"""The card (采集卡) rules: what each field must hold and how it is filled.

Pure functions: no ORM, no settings, no I/O. The form, the public check API, the roster
import and the bulk check all call ``check_card``, so a card is judged the same way
everywhere. Results are small frozen dataclasses (field, code, message), never strings
to parse; messages are Chinese because students read them.

See DESIGN.md section 2 for the domain: GB 2312 区位码, GB 11643 身份证号.
"""

import datetime
import operator
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import gettext as _

# Field names, as in the API and the card dict.
STUDENT_ID = "student_id"
NAME = "name"
NAME_PINYIN = "name_pinyin"
ID_NUMBER = "id_number"
EDUCATION_TYPE = "education_type"
SCHOOL_TYPE = "school_type"
FIELDS = (STUDENT_ID, NAME, ID_NUMBER, EDUCATION_TYPE, SCHOOL_TYPE)

FIELD_LABELS = {
    STUDENT_ID: "学号",
    NAME: "姓名",
    NAME_PINYIN: "0000 旁的拼音",
    ID_NUMBER: "身份证号",
    EDUCATION_TYPE: "学历类别",
    SCHOOL_TYPE: "所在校别",
}

# The bubbles of 学历类别 and 所在校别 on the card, keyed as sessions_app stores them: its
# EducationType and SchoolType choices are made from these.
EDUCATION_TYPES = {
    "regular_junior": "普通专科",
    "regular_bachelor": "普通本科",
    "adult_junior": "成人专科",
    "adult_bachelor": "成人本科",
}
SCHOOL_TYPES = {"regular": "普通高校", "adult": "成人高校"}

# Parts of the card left blank: the crew fills 拍摄序号 on the day.
BLANK_FIELDS = (
    ("院系代码", "不填"),
    ("地区码", "不填"),
    ("拍摄序号", "不填，拍摄当天在现场填写"),
)

NAME_MODE_CODES = "codes"
NAME_MODE_HANDWRITTEN = "handwritten"
MAX_CODED_HANZI = 4
UNKNOWN_CODE = "0000"
# The code of the error a 0000 character without a known reading gives.
READING_UNKNOWN = "pinyin_unknown"

DEFAULT_STUDENT_ID_PATTERN = r"\d{6,14}"


@dataclass(frozen=True)
class Issue:
    """One finding about one field. ``level`` is "error" or "warning"."""

    field: str
    code: str
    message: str
    level: str = "error"

    def as_dict(self) -> dict:
        return {"field": self.field, "code": self.code, "message": self.message}


def _warning(field_name: str, code: str, message: str) -> Issue:
    return Issue(field_name, code, message, level="warning")


@dataclass(frozen=True)
class NameCode:
    """One character of the name: its 区位码, and the pinyin to write beside a 0000."""

    char: str
    code: str
    pinyin: str | None = None

    def as_dict(self) -> dict:
        return {"char": self.char, "code": self.code, "pinyin": self.pinyin}

    @property
    def reading_unknown(self) -> bool:
        """Return whether this is a 0000 character nobody has given a reading for yet."""
        return self.code == UNKNOWN_CODE and not self.pinyin

    @property
    def pinyin_note(self) -> str:
        """Return the character with what is written beside it: 堃 kun, or a reminder
        that its reading is still missing (never the character and a blank)."""
        if self.pinyin:
            return "%s %s" % (self.char, self.pinyin)
        return _("%s 读音待填") % self.char


@dataclass(frozen=True)
class NameCheck:
    """The name judged: issues (errors and warnings), codes, and how it is filled."""

    value: str
    issues: tuple[Issue, ...]
    codes: tuple[NameCode, ...]
    mode: str

    @property
    def errors(self) -> tuple[Issue, ...]:
        """Return the errors of the name itself (not of a pinyin correction)."""
        return tuple(i for i in self.issues if i.level == "error" and i.field == NAME)

    @property
    def needs_pinyin(self) -> bool:
        return any(c.code == UNKNOWN_CODE for c in self.codes)

    @property
    def reading_unknown(self) -> bool:
        """Return whether a 0000 character still lacks its reading."""
        return any(c.reading_unknown for c in self.codes)


@dataclass(frozen=True)
class CardResult:
    errors: tuple[Issue, ...]
    warnings: tuple[Issue, ...]
    card: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_fields(self) -> tuple[str, ...]:
        """Return the fields with an error, in card order, each once."""
        return tuple(dict.fromkeys(i.field for i in self.errors))

    def as_dict(self) -> dict:
        """Return the result in the public API's shape."""
        card = dict(self.card)
        card["name_codes"] = [c.as_dict() for c in card.get("name_codes", ())]
        return {
            "ok": self.ok,
            "errors": [i.as_dict() for i in self.errors],
            "warnings": [i.as_dict() for i in self.warnings],
            "card": card,
        }


# Text normalisation ------------------------------------------------------------------


def _strip_spaces(value: str) -> str:
    # str.split() with no argument splits on every Unicode whitespace, U+3000 included.
    return "".join(value.split())


def normalise_text(value: str) -> str:
    """Return NFKC of the value without whitespace of any width."""
    if value.isascii():
        # NFKC leaves ASCII as it is: the common case of 学号 and 身份证号, made cheap.
        return "".join(value.split())
    return _strip_spaces(unicodedata.normalize("NFKC", value))


# 学号 --------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _compiled(pattern: str) -> re.Pattern:
    # ASCII: \d must not accept Arabic-Indic or other Unicode digits.
    return re.compile(pattern, re.ASCII)


def check_student_id(value: str, pattern: str = DEFAULT_STUDENT_ID_PATTERN) -> list[Issue]:
    """Return the errors of a 学号; ``value`` is normalised first."""
    value = normalise_text(value or "")
    if not value:
        return [Issue(STUDENT_ID, "required", _("请填写学号。"))]
    if _compiled(pattern).fullmatch(value) is None:
        if pattern == DEFAULT_STUDENT_ID_PATTERN:
            message = _("学号格式不对：学号应为 6–14 位数字，从左往右填，不留空格。")
        else:
            message = _("学号格式不对，请按学生证上的学号填写，不留空格。")
        return [Issue(STUDENT_ID, "format", message)]
    return []


# 姓名 --------------------------------------------------------------------------------

# Separators between the parts of a name (买买提·艾力): never characters, never coded.
# NFKC has already turned ．into "." and －into "-".
NAME_SEPARATORS = frozenset("·・•‧.-‐‑･")

# Surnames whose reading differs from the character's usual one: pypinyin reads the
# first character of 單麗 as "dan". Traditional forms are listed too: only a character
# outside GB 2312 gets pinyin on the card, and most of these are inside it.
SURNAME_READINGS = {
    "单": "shan",
    "單": "shan",
    "曾": "zeng",
    "区": "ou",
    "區": "ou",
    "仇": "qiu",
    "解": "xie",
    "查": "zha",
    "朴": "piao",
    "樸": "piao",
    "乐": "yue",
    "樂": "yue",
    "覃": "qin",
    "缪": "miao",
    "繆": "miao",
    "翟": "zhai",
    "盖": "ge",
    "蓋": "ge",
    "尉": "yu",
    "员": "yun",
    "員": "yun",
    "万": "wan",
    "萬": "wan",
    "召": "shao",
    "长": "chang",
    "長": "chang",
    "种": "chong",
    "種": "chong",
    "秘": "bi",
    "黑": "he",
    "隗": "wei",
    "燕": "yan",
    "华": "hua",
    "華": "hua",
    "任": "ren",
    "沈": "shen",
    "瀋": "shen",
}

# Traditional or variant forms common in names, with the simplified form GB 2312 has.
# Only consulted for characters outside GB 2312 (see test_rules for the check).
_TRADITIONAL_PAIRS = (
    "張张劉刘陳陈楊杨黃黄趙赵吳吴鄭郑孫孙馬马羅罗謝谢許许韓韩馮冯鄧邓蕭萧葉叶蘇苏"
    "呂吕盧卢鍾钟鐘钟譚谭陸陆賈贾韋韦鄒邹閻阎閆闫龍龙賀贺顧顾龔龚萬万錢钱嚴严湯汤"
    "單单區区樂乐蓋盖繆缪樸朴歐欧聶聂關关鄺邝紀纪溫温莊庄陽阳諸诸婁娄鄔邬蔣蒋齊齐"
    "喬乔龐庞賴赖鮑鲍雲云藍蓝衛卫農农費费談谈遲迟閔闵駱骆練练塗涂晉晋蘆芦員员"
    "偉伟華华國国麗丽紅红軍军強强傑杰濤涛鵬鹏輝辉鳳凤蘭兰嬌娇穎颖潔洁瑩莹東东義义"
    "興兴勝胜榮荣慶庆貴贵寶宝賢贤錦锦靜静飛飞艷艳豔艳鋒锋銘铭錫锡鈞钧鎮镇鐵铁鋼钢"
    "銀银釗钊欽钦進进達达運运遠远連连瑋玮璣玑瓊琼環环瑤瑶譽誉詩诗語语誠诚謙谦議议"
    "讓让論论訓训詠咏書书學学習习愛爱憶忆懷怀應应聲声聰聪鶴鹤鷹鹰鳴鸣鴻鸿鵑鹃鸞鸾"
    "齡龄嶺岭嶽岳島岛崗岗陰阴隊队際际鄰邻開开閃闪閣阁闊阔闖闯門门問问間间聞闻鬆松"
    "發发髮发豐丰雙双雞鸡難难離离雜杂靈灵韻韵響响頂顶順顺須须頌颂領领頻频顏颜題题"
    "願愿顯显風风颯飒飄飘館馆馳驰駿骏騰腾驍骁驕骄驊骅體体鬥斗魯鲁鮮鲜鯉鲤鴿鸽麥麦"
    "黨党納纳純纯紗纱紛纷紹绍經经結结絲丝綠绿維维綱纲網网綺绮綿绵緣缘縣县繼继續续"
    "纖纤藝艺蓮莲蔭荫薔蔷蘊蕴蘋苹蕓芸萊莱夢梦寧宁實实寬宽審审將将尋寻對对導导屬属"
    "巖岩幣币帥帅師师帳帐幫帮廣广廳厅彌弥彎弯徑径從从復复悅悦憲宪戀恋戰战"
    "擁拥擇择數数斕斓無无曉晓暉晖曄晔曆历會会條条棟栋楓枫業业極极樹树橋桥機机權权"
    "歡欢歲岁歷历歸归氣气漢汉滿满澤泽濱滨瀾澜灣湾灑洒烏乌煒炜煥焕熱热燁烨燈灯爐炉"
    "爾尔牆墙狀状獨独獅狮現现瑪玛璉琏璽玺產产畢毕畫画異异當当疊叠皚皑盡尽監监盤盘"
    "矯矫碩硕確确禮礼禪禅禎祯種种穩稳積积競竞筆笔築筑範范簡简籃篮糧粮聖圣聯联聽听"
    "肅肃脫脱舉举舊旧艦舰藥药虛虚處处號号蝦虾術术裝装製制見见規规視视親亲覺觉觀观"
    "計计記记設设訪访詞词試试誌志認认誼谊說说調调請请諾诺謀谋譜谱護护讀读變变貞贞"
    "負负財财貢贡貝贝賓宾賜赐賞赏贊赞贏赢趕赶躍跃車车軒轩軻轲輕轻輪轮轉转邊边郵邮"
    "鄉乡醫医釋释鈴铃鉑铂銳锐錚铮鍊炼鏡镜鐳镭長长閩闽陣阵隨随險险隱隐雋隽雖虽電电"
    "霧雾韜韬頁页頡颉頤颐顥颢飆飙餘余饒饶驗验鬱郁鳥鸟鴨鸭點点齋斋龜龟瀋沈峯峰"
)
TRADITIONAL_TO_SIMPLIFIED = {
    _TRADITIONAL_PAIRS[i]: _TRADITIONAL_PAIRS[i + 1] for i in range(0, len(_TRADITIONAL_PAIRS), 2)
}

# CJK Unified Ideographs with Extension A and B–H, the compatibility ideographs NFKC
# leaves alone (﨑 and the like), and 〇, which GB 2312 files among the symbols.
_HANZI = "〇\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af"
_HANZI_CHAR = re.compile("[%s]" % _HANZI)
# One syllable as written beside a 0000 character: lowercase, no tone, ü as ü.
_PINYIN_RE = re.compile(r"[a-zü]{1,6}")


@lru_cache(maxsize=65536)
def quwei_code(char: str) -> str | None:
    """Return the 4-digit 区位码 of a GB 2312 hanzi (zones 16–87), or None.

    Zones 1–9 (symbols, full-width letters) are never a name's code.
    """
    try:
        encoded = char.encode("gb2312")
    except UnicodeEncodeError:
        return None
    if len(encoded) != 2:
        return None
    zone, position = encoded[0] - 0xA0, encoded[1] - 0xA0
    if not 16 <= zone <= 87:
        return None
    return "%02d%02d" % (zone, position)


@lru_cache(maxsize=4096)
def _pinyin(char: str) -> str:
    from pypinyin import Style, lazy_pinyin

    if char == "〇":
        return "ling"
    # pypinyin knows most of Ext A but few characters of Ext B–H (𠮷 U+20BB7, 𡈽): for
    # those it calls ``errors``, which answers "" here rather than the character itself.
    reading = lazy_pinyin(char, style=Style.NORMAL, v_to_u=True, errors=lambda _: [""])
    reading = (reading[0] if reading else "").lower()
    return reading if _PINYIN_RE.fullmatch(reading) else ""


def pinyin_for(char: str, *, first: bool = False) -> str:
    """Return the reading of a character, lowercase without tones, ü as ü; "" when
    pypinyin does not know the character."""
    if first and char in SURNAME_READINGS:
        return SURNAME_READINGS[char]
    return _pinyin(char)


_NOT_NAME_CHAR = re.compile("[^%s%s]" % (_HANZI, re.escape("".join(sorted(NAME_SEPARATORS)))))
_SEPARATOR = re.compile("[%s]" % re.escape("".join(sorted(NAME_SEPARATORS))))


def _parse_pinyin(value: str) -> list[str]:
    value = unicodedata.normalize("NFKC", value).lower().replace("v", "ü")
    return [part for part in re.split(r"[\s,，、;；/]+", value) if part]


def check_name(value: str, *, pinyin: str | None = None) -> NameCheck:
    """Return the name's issues, its 区位码 per character and how it is filled.

    ``pinyin`` optionally gives the readings of the 0000 characters, in order,
    separated by spaces (the student knows how their own name is read). A 0000
    character whose reading pypinyin does not know and ``pinyin`` does not give is an
    error: the card would carry the character with nothing beside it.
    """
    value = normalise_text(value or "")
    refused = _name_form_error(value)
    if refused is not None:
        return NameCheck(value, (refused,), (), NAME_MODE_CODES)
    hanzi = _HANZI_CHAR.findall(value)
    if len(hanzi) > MAX_CODED_HANZI:
        message = (
            _("姓名超过 %d 个汉字：卡上不填区位码，请在姓名栏用正楷写全名，由采集中心人工录入。")
            % MAX_CODED_HANZI
        )
        return NameCheck(
            value, (_warning(NAME, "handwritten", message),), (), NAME_MODE_HANDWRITTEN
        )
    issues: list[Issue] = []
    if _SEPARATOR.search(value):
        message = _("姓名中的间隔号不是汉字，卡上不填；请向教务处确认姓名的填写方式。")
        issues.append(_warning(NAME, "separator", message))
    codes, code_issues = _name_codes(hanzi)
    issues += code_issues
    pinyin_issue = None
    if pinyin is not None and pinyin.strip():
        codes, pinyin_issue = _corrected_pinyin(codes, pinyin)
    issues += _unknown_code_issues(codes)
    if pinyin_issue is not None:
        issues.append(pinyin_issue)
    return NameCheck(value, tuple(issues), tuple(codes), NAME_MODE_CODES)


def _name_form_error(value: str) -> Issue | None:
    """Return the error that stops a name from being coded at all: empty, a letter,
    digit or symbol, or a separator that is not between two characters."""
    if not value:
        return Issue(NAME, "required", _("请填写姓名。"))
    bad = _NOT_NAME_CHAR.findall(value)
    if bad:
        shown = "、".join("“%s”" % c for c in dict.fromkeys(bad))
        message = _("姓名只能是汉字，不能含字母、数字或符号：%s。") % shown
        return Issue(NAME, "invalid_chars", message)
    parts = _SEPARATOR.split(value)
    if len(parts) > 1 and not all(parts):
        return Issue(NAME, "separator", _("姓名中的间隔号只能写在两个字之间，且只写一个。"))
    return None


def _name_codes(hanzi: list[str]) -> tuple[list[NameCode], list[Issue]]:
    """Return the 区位码 of each character, 0000 with its pinyin (None if unknown) for
    one outside GB 2312, and the warnings traditional forms call for."""
    codes, issues = [], []
    for i, char in enumerate(hanzi):
        code = quwei_code(char)
        if code is not None:
            codes.append(NameCode(char, code, None))
            continue
        codes.append(NameCode(char, UNKNOWN_CODE, pinyin_for(char, first=i == 0) or None))
        simplified = TRADITIONAL_TO_SIMPLIFIED.get(char)
        if simplified is not None:
            message = _(
                "“%(char)s”是繁体或异体字（简体为“%(simple)s”）：请确认身份证上印的就是这个"
                "字形；若身份证上是“%(simple)s”，请改填简体。"
            ) % {"char": char, "simple": simplified}
            issues.append(_warning(NAME, "traditional", message))
    return codes, issues


def _quoted(codes: list[NameCode]) -> str:
    return "、".join("“%s”" % c.char for c in codes)


def _unknown_code_issues(codes: list[NameCode]) -> list[Issue]:
    """Return the warning that 0000 characters call for, and the error for those
    whose reading is still unknown."""
    unknown = [c for c in codes if c.code == UNKNOWN_CODE]
    if not unknown:
        return []
    message = _(
        "%(chars)s不在国标 GB 2312 字库中：区位码填 0000，并在卡上该字旁写拼音（%(pinyin)s）。"
    ) % {"chars": _quoted(unknown), "pinyin": "、".join(c.pinyin_note for c in unknown)}
    issues = [_warning(NAME, "not_in_gb2312", message)]
    unread = [c for c in unknown if c.reading_unknown]
    if unread and len(unknown) == 1:
        message = _("%s的读音无法自动识别，请在“0000 旁的拼音”里填写它的拼音。") % _quoted(unread)
        issues.append(Issue(NAME, READING_UNKNOWN, message))
    elif unread:
        message = _(
            "%(chars)s的读音无法自动识别，请在“0000 旁的拼音”里按字序填写姓名中 %(n)d 个"
            " 0000 字（%(all)s）的拼音，用空格隔开。"
        ) % {"chars": _quoted(unread), "n": len(unknown), "all": "".join(c.char for c in unknown)}
        issues.append(Issue(NAME, READING_UNKNOWN, message))
    return issues


def _corrected_pinyin(codes: list[NameCode], pinyin: str) -> tuple[list[NameCode], Issue | None]:
    """Return the codes with the student's readings of the 0000 characters, or the
    codes unchanged and the error if the readings do not fit them."""
    unknown = [c for c in codes if c.code == UNKNOWN_CODE]
    readings = _parse_pinyin(pinyin)
    if not unknown:
        message = _("姓名里没有区位码为 0000 的字，不用填拼音。")
        return codes, Issue(NAME_PINYIN, "pinyin", message)
    if len(readings) != len(unknown) or not all(_PINYIN_RE.fullmatch(r) for r in readings):
        message = _("拼音应为 %d 个音节（只写小写字母，不标声调，按字序用空格隔开）。") % len(
            unknown
        )
        return codes, Issue(NAME_PINYIN, "pinyin", message)
    corrected = iter(readings)
    return [
        NameCode(c.char, c.code, next(corrected)) if c.code == UNKNOWN_CODE else c for c in codes
    ], None


# Finding a name ------------------------------------------------------------------------

# OpenCC configurations: to simplified, and to the traditional forms of the mainland,
# Taiwan and Hong Kong standards, which differ (里: 裏, 裡).
_TO_SIMPLIFIED = "t2s"
_TO_TRADITIONAL = ("s2t", "s2tw", "s2hk")


@lru_cache(maxsize=8)
def _converter(config: str):
    # OpenCC, not a table of our own: its dictionaries are maintained upstream. Each
    # converter loads its dictionaries once and is read-only afterwards.
    import opencc

    return opencc.OpenCC(config)


def name_parts(value: str) -> list[str]:
    """Return the normalised parts of a name between its separators (买买提·艾力)."""
    return [part for part in _SEPARATOR.split(normalise_text(value or "")) if part]


@lru_cache(maxsize=4096)
def name_variants(value: str) -> frozenset[str]:
    """Return the normalised text with its simplified and traditional forms, for
    searching a roster that holds names as imported: 张伟 also finds 張偉, and the
    reverse. A search compares each variant, never a conversion of the stored name."""
    value = normalise_text(value or "")
    if not value or value.isascii():
        return frozenset({value} if value else ())
    converted = (_converter(c).convert(value) for c in (_TO_SIMPLIFIED, *_TO_TRADITIONAL))
    return frozenset({value, *converted})


@lru_cache(maxsize=4096)
def name_key(value: str) -> str:
    """Return what every way of writing one name shares: normalised, without
    separators (they are not characters, see NAME_SEPARATORS), in simplified form.
    Two names with the same key are the same name to a lookup."""
    value = "".join(name_parts(value))
    return value if value.isascii() else _converter(_TO_SIMPLIFIED).convert(value)


# 身份证号 -----------------------------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARACTERS = "10X98765432"
PROVINCE_CODES = frozenset(
    [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37]
    + [41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83]
)
_ID_FORMAT = re.compile(r"[0-9]{17}[0-9X]")
_ID_DROP = str.maketrans("", "", "-‐‑‒–—―")
EARLIEST_BIRTH_YEAR = 1900


def normalise_id_number(value: str) -> str:
    """Return the ID number as written on the card: NFKC, no spaces or hyphens, upper case."""
    return normalise_text(value or "").translate(_ID_DROP).upper()


def id_check_character(body17: str) -> str:
    """Return the check character (0–9 or X) of the first 17 digits of an ID number."""
    total = sum(map(operator.mul, map(int, body17), ID_WEIGHTS))
    return ID_CHECK_CHARACTERS[total % 11]


def mask_id_number(value: str) -> str:
    """Return an ID number as everyone but its owner and staff see it: the first and
    last four characters, stars between (4301**********102X)."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


# Genders as sessions_app stores them.
MALE = "M"
FEMALE = "F"


def gender_from_id(value: str) -> str | None:
    """Return the gender an 18-character ID number states (its 17th digit: odd for
    men, even for women), or None if the value is not shaped like one."""
    if _ID_FORMAT.fullmatch(value or "") is None:
        return None
    return MALE if int(value[16]) % 2 else FEMALE


@lru_cache(maxsize=8192)
def _county_known(prefix6: str) -> bool:
    # python-stdnum knows county codes, but its validate() rejects real numbers whose
    # county code dates from after the birth year (people re-registered after a
    # county was created) and may raise on an unknown code. So only its table is
    # asked, ignoring the years, and only for a warning, never for the rule.
    try:
        from stdnum import numdb

        results = numdb.get("cn/loc").info(prefix6)
    except Exception:
        return True
    return any("county" in props for _, props in results)


def check_id_number(value: str, *, today: datetime.date | None = None) -> list[Issue]:
    """Return the errors and warnings of a 身份证号; ``value`` is normalised first."""
    value = normalise_id_number(value or "")
    if not value:
        return [Issue(ID_NUMBER, "required", _("请填写身份证号。"))]
    if len(value) != 18:
        if len(value) == 15 and value.isdigit():
            message = _("这是 15 位的旧身份证号，采集卡须填 18 位身份证号。")
        else:
            message = _("身份证号应为 18 位，现在是 %d 位。") % len(value)
        return [Issue(ID_NUMBER, "length", message)]
    if _ID_FORMAT.fullmatch(value) is None:
        message = _("身份证号前 17 位只能是数字，最后一位是数字或 X。")
        return [Issue(ID_NUMBER, "format", message)]
    issues = []
    expected = id_check_character(value[:17])
    if value[17] != expected:
        issues.append(
            Issue(
                ID_NUMBER,
                "checksum",
                _("身份证号校验位不对：请逐位核对身份证上的号码，可能有一位抄错了。"),
            )
        )
    today = today or datetime.date.today()
    year, month, day = int(value[6:10]), int(value[10:12]), int(value[12:14])
    try:
        birth = datetime.date(year, month, day)
    except ValueError:
        birth = None
    if birth is None or birth > today or year < EARLIEST_BIRTH_YEAR:
        issues.append(
            Issue(
                ID_NUMBER,
                "birth_date",
                _("身份证号第 7–14 位应为出生日期（年月日），现在的“%s”不是有效日期。")
                % value[6:14],
            )
        )
    if int(value[:2]) not in PROVINCE_CODES:
        issues.append(
            Issue(
                ID_NUMBER,
                "region",
                _("身份证号前两位“%s”不是省级行政区代码。") % value[:2],
            )
        )
    if not issues and not _county_known(value[:6]):
        issues.append(
            _warning(
                ID_NUMBER,
                "county",
                _("身份证号前 6 位“%s”不在已知的县级代码中，请再核对一次。") % value[:6],
            )
        )
    return issues


# 学历类别, 所在校别 ---------------------------------------------------------------------


def normalise_choice(value: str, choices: dict[str, str]) -> str | None:
    """Return the key of a choice given by key or by its Chinese label, or None."""
    value = normalise_text(value or "")
    if value in choices:
        return value
    by_label = {label: key for key, label in choices.items()}
    return by_label.get(value)


def _check_choice(field_name, value, choices, expected) -> tuple[list[Issue], str | None]:
    label = FIELD_LABELS[field_name]
    if not normalise_text(value or ""):
        return [Issue(field_name, "required", _("请选择%s。") % label)], None
    key = normalise_choice(value, choices)
    if key is None:
        message = _("%s只能是：%s。") % (label, "、".join(choices.values()))
        return [Issue(field_name, "invalid", message)], None
    if expected and key != expected:
        message = _("%s应涂“%s”，不是“%s”。") % (label, choices[expected], choices[key])
        return [Issue(field_name, "mismatch", message)], key
    return [], key


def check_education_type(value: str, expected: str | None = None):
    return _check_choice(EDUCATION_TYPE, value, EDUCATION_TYPES, expected)


def check_school_type(value: str, expected: str | None = None):
    return _check_choice(SCHOOL_TYPE, value, SCHOOL_TYPES, expected)


# The whole card ----------------------------------------------------------------------


def check_card(
    *,
    student_id: str | None = None,
    name: str | None = None,
    id_number: str | None = None,
    education_type: str | None = None,
    school_type: str | None = None,
    expected_education_type: str | None = None,
    expected_school_type: str | None = None,
    student_id_pattern: str = DEFAULT_STUDENT_ID_PATTERN,
    name_pinyin: str | None = None,
    today: datetime.date | None = None,
) -> CardResult:
    """Judge the card's fields; a field that is None or blank is a ``required`` error.

    ``card`` in the result holds the normalised values and the name's 区位码; the
    codes are there whenever the name itself is valid and every 0000 character has a
    reading, whatever the other fields say.
    """
    student_id = normalise_text(student_id or "")
    id_number = normalise_id_number(id_number or "")
    issues: list[Issue] = []
    issues += check_student_id(student_id, student_id_pattern)
    name_check = check_name(name or "", pinyin=name_pinyin)
    issues += name_check.issues
    issues += check_id_number(id_number, today=today)
    education_issues, education_key = check_education_type(
        education_type or "", expected_education_type
    )
    school_issues, school_key = check_school_type(school_type or "", expected_school_type)
    issues += education_issues + school_issues
    card = {
        "student_id": student_id,
        "name": name_check.value,
        "id_number": id_number,
        "name_mode": name_check.mode,
        "name_codes": list(name_check.codes) if not name_check.errors else [],
        "education_type": education_key,
        "school_type": school_key,
    }
    return CardResult(
        errors=tuple(i for i in issues if i.level == "error"),
        warnings=tuple(i for i in issues if i.level != "error"),
        card=card,
    )


def field_labels(fields) -> str:
    """Return the Chinese labels of fields joined for a sentence: 身份证号、姓名."""
    return "、".join(FIELD_LABELS.get(f, f) for f in fields)


# Short Chinese titles of each (field, code), for counts and reports.
ISSUE_TITLES = {
    (STUDENT_ID, "required"): "学号未填",
    (STUDENT_ID, "format"): "学号格式不对",
    (NAME, "required"): "姓名未填",
    (NAME, "invalid_chars"): "姓名含非汉字字符",
    (NAME, "separator"): "姓名间隔号",
    (NAME, "handwritten"): "姓名超过四字需手写",
    (NAME, "not_in_gb2312"): "姓名有 GB 2312 以外的字（0000）",
    (NAME, "traditional"): "姓名含繁体或异体字",
    (NAME, READING_UNKNOWN): "姓名有读音无法识别的字（须填拼音）",
    (NAME_PINYIN, "pinyin"): "0000 旁的拼音格式不对",
    (ID_NUMBER, "required"): "身份证号未填",
    (ID_NUMBER, "length"): "身份证号位数不对",
    (ID_NUMBER, "format"): "身份证号含非法字符",
    (ID_NUMBER, "checksum"): "身份证号校验位错",
    (ID_NUMBER, "birth_date"): "身份证号出生日期无效",
    (ID_NUMBER, "region"): "身份证号省级代码无效",
    (ID_NUMBER, "county"): "身份证号县级代码未知",
    (EDUCATION_TYPE, "required"): "学历类别未选",
    (EDUCATION_TYPE, "invalid"): "学历类别无效",
    (EDUCATION_TYPE, "mismatch"): "学历类别与学生类别不符",
    (SCHOOL_TYPE, "required"): "所在校别未选",
    (SCHOOL_TYPE, "invalid"): "所在校别无效",
    (SCHOOL_TYPE, "mismatch"): "所在校别与学生类别不符",
}


def issue_title(field_name: str, code: str) -> str:
    return ISSUE_TITLES.get(
        (field_name, code), "%s：%s" % (FIELD_LABELS.get(field_name, field_name), code)
    )
