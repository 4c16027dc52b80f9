"""Bytes of an HTML page -> text, trusting declarations only as far as the bytes agree with them.

Order: a byte-order mark (certain, so browsers let it win), the HTTP header charset, the
page's own `<meta charset>` / `http-equiv` / XML declaration, then detection (charset-normalizer).
Each declared charset is verified: a strict decode must succeed, and bytes that are valid
multi-byte UTF-8 are UTF-8 whatever the page says.  Several real Chinese pages declare gb2312
but were saved as UTF-8; decoding them as GBK gives mojibake without a single error, which is why
the UTF-8 check comes before any legacy charset is accepted.  GB2312 and GBK are read as GB18030,
their superset, so characters outside GB2312 (which real "gb2312" pages use) survive.
"""

from __future__ import annotations

import codecs
import logging
import re

log = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# WHATWG-style aliases: what a label on the web really means
_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "chinese": "gb18030",
    "csgb2312": "gb18030", "euc-cn": "gb18030", "hz-gb-2312": "gb18030", "cp936": "gb18030", "windows-936": "gb18030",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
    "iso8859-1": "cp1252", "l1": "cp1252",
    "big5": "big5hkscs", "x-x-big5": "big5hkscs",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "windows-31j": "cp932",
    "euc-kr": "cp949", "ks_c_5601-1987": "cp949",
    "tis-620": "cp874", "iso-8859-11": "cp874",
    "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8",
}
_MULTIBYTE = frozenset({
    "utf-8", "gb18030", "big5hkscs", "big5", "cp932", "shift_jis", "euc_jp", "cp949", "euc_kr",
    "iso2022_jp", "iso2022_kr", "utf-16", "utf-16-le", "utf-16-be", "utf-32",
})
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]+encoding\s*=\s*[\"']([\w.:-]+)[\"']", re.IGNORECASE)
_PRESCAN = 16384  # bytes searched for a declaration (many Chinese pages put it after a long <head>)
_MULTIBYTE_UTF8 = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


def decode_html(body: bytes, content_type: str | None) -> str:
    """Text of an HTML page; never raises (the last resort replaces undecodable bytes)."""
    text, _ = decode_html_with_charset(body, content_type)
    return text


def decode_html_with_charset(body: bytes, content_type: str | None) -> tuple[str, str]:
    """`decode_html`, also naming the charset used (for `digest check` and the tests)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(name, errors="replace"), name

    declared = [c for c in (header_charset(content_type), *meta_charsets(body)) if c]
    seen: set[str] = set()
    for charset in declared:
        if charset in seen:
            continue
        seen.add(charset)
        text = _verified(body, charset)
        if text is not None:
            return text, charset
        log.debug("declared charset %s does not fit the bytes; trying the next clue", charset)

    if _is_utf8(body):
        return body.decode("utf-8"), "utf-8"
    if _mostly_utf8(body):
        return body.decode("utf-8", errors="replace"), "utf-8"
    guessed = _detect(body)
    if guessed:
        text = _strict(body, guessed)
        if text is not None:
            return text, guessed
    fallback = declared[0] if declared else "utf-8"
    return body.decode(fallback, errors="replace"), fallback


def normalize_charset(label: str | None) -> str | None:
    """A Python codec name for a web charset label, or None when Python knows no such codec."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    if codec in ("gb2312", "gbk"):
        return "gb18030"
    if codec == "ascii" or codec == "latin-1" or codec == "iso8859-1":
        return "cp1252"
    return codec


def header_charset(content_type: str | None) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return normalize_charset(match.group(1)) if match else None


def meta_charsets(body: bytes) -> list[str]:
    """Charsets the document declares itself, in the order they appear."""
    head = body[:_PRESCAN]
    found: list[str] = []
    xml = _XML_DECL.match(head)
    if xml:
        found.append(xml.group(1).decode("ascii", "replace"))
    found.extend(m.group(1).decode("ascii", "replace") for m in _META_CHARSET.finditer(head))
    names = [normalize_charset(label) for label in found]
    return [n for n in names if n and not n.startswith("utf-16") and not n.startswith("utf-32")]


def _verified(body: bytes, charset: str) -> str | None:
    """The body decoded as `charset` if that is believable, else None."""
    if charset != "utf-8" and _mostly_utf8(body):
        return None  # multi-byte UTF-8 that also decodes as a legacy charset is mojibake there
    text = _strict(body, charset)
    if text is None or _looks_like_mojibake(text):
        return None
    return text


def _strict(body: bytes, charset: str) -> str | None:
    try:
        return body.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return None


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _mostly_utf8(body: bytes) -> bool:
    """Valid multi-byte UTF-8 with one stray broken byte, or at most one per hundred characters.

    Legacy CJK text is almost never valid UTF-8 for more than a few bytes in a row, so this
    tells a mislabelled UTF-8 page apart even when a truncated or spliced page has bad bytes.
    """
    if not _MULTIBYTE_UTF8.search(body):
        return False
    text = body.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127) - bad
    # one stray byte is a slip whatever the length; more must be rare among real characters
    return good > 0 and (bad <= 1 or (good >= 20 and bad * 100 <= good))


# Latin-1/cp1252 letters that UTF-8 or GBK lead bytes turn into, in runs real text never has
_MOJIBAKE = re.compile(r"(?:[ÃÂÅÆÇÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ¤¦¨©ª«¬®¯°±²³´µ¶·¸¹º»¼½¾¿][\x80-\xff\u0152-\u2122]){4,}")


def _looks_like_mojibake(text: str) -> bool:
    if "\ufffd" in text:
        return True
    return bool(_MOJIBAKE.search(text))


def _detect(body: bytes) -> str | None:
    from charset_normalizer import from_bytes

    matches = from_bytes(body[:200_000])
    best = matches.best()
    if best is None:
        return None
    guessed = normalize_charset(best.encoding)
    if guessed and guessed not in _MULTIBYTE and guessed != "cp1252" and _strict(body, "cp1252") is not None:
        # Short Western text fits several code pages equally well, and then the web's default,
        # windows-1252, is the better bet.  Not when the detector recognised a language that
        # windows-1252 does not write (an undeclared Russian page is cp1251, not "Ïðåçèäåíò").
        confident = best.language != "Unknown" and best.coherence > 0 and not any(
            normalize_charset(m.encoding) == "cp1252" and m.coherence >= best.coherence for m in matches)
        if not confident:
            return "cp1252"
    return guessed


def repair_utf8(body: bytes, declared: str | None) -> bytes:
    """`body` with only its few invalid bytes replaced (U+FFFD), when it is UTF-8 but for them.

    For bytes that nothing declares as another charset.  One stray byte in a UTF-8 feed otherwise
    sends the feed parser to windows-1252 for the whole document, turning every title to mojibake.
    """
    if declared not in (None, "utf-8") or _is_utf8(body) or not _mostly_utf8(body):
        return body
    return body.decode("utf-8", errors="replace").encode("utf-8")
