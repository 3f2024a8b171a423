"""Code mode, pure: reading a 图像采集码 image within limits, the keyed hash of a code,
and the steps, countdown and readiness a campaign in code mode shows.

Reading an upload is the risky part: an image is attacker-shaped input. The limits
apply in order, each before the costlier step it guards:

1. bytes: the upload is refused above ``max_bytes`` before Pillow sees it;
2. pixels: Pillow reads only the header on ``open``; width × height above ``max_pixels``
   is refused before a single pixel is decoded (a 30 KB PNG can declare 50,000 ×
   50,000 pixels and unpack to 2.5 GB: the decompression bomb);
3. time: zxing-cpp cannot be interrupted, so its work is bounded instead: the image is
   reduced to at most ``decode_side`` pixels on its longer side before decoding, and the
   slower second pass (another binarizer) runs only while ``seconds`` are left.

The code's content never leaves this module except as a keyed hash
(``code_digest``): HMAC-SHA256 under a key derived from a setting, so the stored hash
cannot be matched against a list of codes by anyone without the key.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import time
import warnings

import zxingcpp
from django.utils.crypto import salted_hmac
from PIL import Image, UnidentifiedImageError

READABLE = "readable"
NO_CODE = "no_code"
SEVERAL_CODES = "several_codes"
NOT_AN_IMAGE = "not_an_image"
TOO_LARGE = "too_large"

# The formats a phone saves or a browser uploads; Pillow's other readers (PSD, EPS,
# TGA …) are attack surface for no gain.
IMAGE_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")
QR_FORMATS = (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.MicroQRCode)

ADVICE_NO_CODE = (
    "没有在图片中找到可识别的采集码。请在学信网（微信公众号、学信网 App 或学信档案）"
    "→ 学籍 → 获取图像采集码，长按二维码“保存图片”后上传保存的原图；截屏、"
    "裁剪或转发压缩过的图片可能扫不出来。仍不行就重新获取一次采集码。"
)
MESSAGES = {
    READABLE: "采集码可以识别。拍摄当天请在拍摄方的扫码器上出示这张图片。",
    NO_CODE: ADVICE_NO_CODE,
    SEVERAL_CODES: "图片中有不止一个二维码。请只上传你本人的那一个采集码图片。",
    NOT_AN_IMAGE: "这不是图片文件。请上传保存的采集码图片（PNG 或 JPG）。",
    TOO_LARGE: "图片太大（文件最大 %(mb)s MB，最多 %(mp)s 百万像素）。请上传保存的采集码原图。",
}


@dataclasses.dataclass(frozen=True)
class Limits:
    max_bytes: int = 8 * 1024 * 1024
    max_pixels: int = 40_000_000
    decode_side: int = 2400
    seconds: float = 2.0


@dataclasses.dataclass(frozen=True)
class Reading:
    """What an upload was found to be. ``content`` is the decoded code, for hashing
    only: never show, log or store it."""

    result: str
    message: str
    content: bytes = dataclasses.field(default=b"", repr=False)
    seconds: float = 0.0

    @property
    def readable(self) -> bool:
        return self.result == READABLE


def message_of(result: str, limits: Limits) -> str:
    """Return the Chinese answer for a result code, with the limits where it names them."""
    if result == TOO_LARGE:
        return MESSAGES[TOO_LARGE] % {
            "mb": "%g" % round(limits.max_bytes / 1024 / 1024, 1),
            "mp": "%g" % round(limits.max_pixels / 1_000_000, 1),
        }
    return MESSAGES[result]


def _answer(result: str, limits: Limits, started: float, content: bytes = b"") -> Reading:
    return Reading(result, message_of(result, limits), content, time.perf_counter() - started)


def _decode(image: Image.Image, *, binarizer) -> list:
    return zxingcpp.read_barcodes(
        image,
        formats=QR_FORMATS,
        try_rotate=True,
        try_downscale=True,
        try_invert=True,
        binarizer=binarizer,
    )


def read_code(data: bytes, *, limits: Limits = Limits()) -> Reading:
    """Return what the uploaded bytes hold: one readable QR code, none, several, no
    image at all, or more than the limits allow."""
    started = time.perf_counter()
    if len(data) > limits.max_bytes:
        return _answer(TOO_LARGE, limits, started)
    try:
        with warnings.catch_warnings():
            # Pillow warns above MAX_IMAGE_PIXELS and raises above twice that; the
            # explicit limit below is the rule, whatever Pillow's global says.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
        width, height = image.size
    except Image.DecompressionBombError:
        return _answer(TOO_LARGE, limits, started)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return _answer(NOT_AN_IMAGE, limits, started)
    if width * height > limits.max_pixels or width <= 0 or height <= 0:
        return _answer(TOO_LARGE, limits, started)
    try:
        # JPEG can decode straight at a reduced size: far less work for a phone photo.
        image.draft("L", (limits.decode_side, limits.decode_side))
        image = image.convert("L")
        if max(image.size) > limits.decode_side:
            image.thumbnail((limits.decode_side, limits.decode_side), Image.Resampling.BILINEAR)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return _answer(NOT_AN_IMAGE, limits, started)
    found = _decode(image, binarizer=zxingcpp.Binarizer.LocalAverage)
    if not found and time.perf_counter() - started < limits.seconds / 2:
        found = _decode(image, binarizer=zxingcpp.Binarizer.GlobalHistogram)
    found = [code for code in found if code.valid]
    if not found:
        return _answer(NO_CODE, limits, started)
    if len(found) > 1:
        return _answer(SEVERAL_CODES, limits, started)
    # The text, not the raw bytes: a keyboard-wedge scanner at the desk types the text,
    # and both must give the same keyed hash.
    return _answer(READABLE, limits, started, content=code_text(found[0].text))


def code_text(content: str) -> bytes:
    """Return the bytes of a code typed by a keyboard-wedge scanner, as zxing reads
    them: the scanner types the code's text, which the hash must match."""
    return content.strip().encode("utf-8")


def code_digest(content: bytes, *, secret: str) -> str:
    """Return the keyed hash of a code's content (64 hex characters).

    salted_hmac derives the HMAC key from ``secret`` and a salt of its own, so the key
    is never the secret itself and the hash means nothing outside this portal.
    """
    return salted_hmac(
        "capture_portal.capture_code", content, secret=secret, algorithm="sha256"
    ).hexdigest()


# Steps and the countdown --------------------------------------------------------------

FETCH_DAYS_BEFORE = 3


@dataclasses.dataclass(frozen=True)
class Countdown:
    """Days left to fetch the code at least FETCH_DAYS_BEFORE days before the shoot."""

    shoot_day: datetime.date
    fetch_by: datetime.date
    days_left: int

    @property
    def late(self) -> bool:
        return self.days_left < 0


def fetch_countdown(*, shoot_day: datetime.date | None, today: datetime.date) -> Countdown | None:
    if shoot_day is None:
        return None
    fetch_by = shoot_day - datetime.timedelta(days=FETCH_DAYS_BEFORE)
    return Countdown(shoot_day, fetch_by, (fetch_by - today).days)
