"""Message formatting as Telegram's server applies it (``parse_mode`` → plain text + entities).

Real Telegram strips the markup, reports it as ``entities`` with UTF-16 offsets, trims leading
and trailing whitespace and rejects malformed markup with ``Bad Request: can't parse entities``.
Emulating this lets tests assert on what users actually see and catches unescaped user input.
Supported: ``HTML``, ``MarkdownV2`` and legacy ``Markdown`` (modelled on tdlib's parsers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError

MAX_TEXT_LENGTH = 4096

Entity = dict[str, Any]


class ParseError(ValueError):
    """Malformed markup; becomes ``400 Bad Request: can't parse entities: ...``."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def command_entity(text: str) -> Entity | None:
    """The ``bot_command`` entity Telegram adds when a message starts with ``/command[@bot]``."""
    match = _COMMAND_RE.match(text)
    if match is None:
        return None
    return {"type": "bot_command", "offset": 0, "length": utf16_len(match.group())}


def render_text(
    text: Any, parse_mode: str | None = None, entities: list[Entity] | None = None
) -> tuple[str, list[Entity] | None]:
    """Return ``(visible_text, entities)`` for a message text, or raise the Telegram error."""
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if entities is None and parse_mode:
        mode = parse_mode.lower()
        parser = {"html": parse_html, "markdownv2": parse_markdown_v2, "markdown": parse_markdown}
        if mode not in parser:
            raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r}")
        try:
            text, entities = parser[mode](text)
        except ParseError as exc:
            raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
    text, entities = _strip(text, entities or [])
    if not text:
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text) > MAX_TEXT_LENGTH:  # characters (code points), unlike entity offsets
        raise ApiError(400, "Bad Request: message is too long")
    return text, entities or None


def _strip(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Trim surrounding whitespace like Telegram does, shifting/clipping entities to match."""
    stripped = text.strip(" \t\r\n")
    if stripped == text:
        return text, entities
    lead = len(text) - len(text.lstrip(" \t\r\n"))  # whitespace is BMP: chars == UTF-16 units
    end = lead + utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"], lead)
        stop = min(entity["offset"] + entity["length"], end)
        if stop > start:
            kept.append({**entity, "offset": start - lead, "length": stop - start})
    return stripped, kept


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _sorted(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


# --------------------------------------------------------------------------- HTML

_HTML_TYPES = {
    "a": "text_link",
    "b": "bold",
    "blockquote": "blockquote",
    "code": "code",
    "del": "strikethrough",
    "em": "italic",
    "i": "italic",
    "ins": "underline",
    "pre": "pre",
    "s": "strikethrough",
    "span": "spoiler",
    "strike": "strikethrough",
    "strong": "bold",
    "tg-emoji": "custom_emoji",
    "tg-spoiler": "spoiler",
    "u": "underline",
}
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_TEXT = re.compile(r"[^<&]+")
_HTML_ENTITY = re.compile(r"&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,8});")
_HTML_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_HTML_ATTR = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:.-]*")


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    start: int  # UTF-16 offset in the output


@dataclass
class _HtmlParser:
    source: str
    out: list[str] = field(default_factory=list)
    pos: int = 0
    stack: list[_OpenTag] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)

    def parse(self) -> tuple[str, list[Entity]]:
        src, i = self.source, 0
        while i < len(src):
            char = src[i]
            if char == "<":
                i = self._tag(i)
            elif char == "&":
                i = self._char_entity(i)
            else:
                match = _HTML_TEXT.match(src, i)
                assert match is not None
                self._emit(match.group())
                i = match.end()
        if self.stack:
            name = self.stack[-1].name
            raise ParseError(f'Can\'t find end tag corresponding to start tag "{name}"')
        return "".join(self.out), _sorted(self.entities)

    def _emit(self, text: str) -> None:
        self.out.append(text)
        self.pos += utf16_len(text)

    def _char_entity(self, i: int) -> int:
        match = _HTML_ENTITY.match(self.source, i)
        decoded = _decode_html_entity(match.group(1)) if match else None
        if decoded is None:  # Telegram keeps a stray "&" as text
            self._emit("&")
            return i + 1
        self._emit(decoded)
        return match.end()  # type: ignore[union-attr]

    def _tag(self, i: int) -> int:
        src = self.source
        offset = _byte_offset(src, i)
        if src.startswith("</", i):
            end = src.find(">", i)
            if end < 0:
                raise ParseError(f"Unclosed end tag at byte offset {offset}")
            name = src[i + 2 : end].strip().lower()
            if not self.stack:
                raise ParseError(f"Unexpected end tag at byte offset {offset}")
            top = self.stack.pop()
            if name != top.name:
                raise ParseError(
                    f'Unmatched end tag at byte offset {offset}, expected "</{top.name}>", '
                    f'found "</{name}>"'
                )
            self._close(top)
            return end + 1
        match = _HTML_NAME.match(src, i + 1)
        if match is None:
            raise ParseError(f"Unexpected end of name token at byte offset {offset}")
        name = match.group().lower()
        if name not in _HTML_TYPES:
            raise ParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
        attrs, end = self._attributes(match.end(), name, offset)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise ParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        self.stack.append(_OpenTag(name, attrs, self.pos))
        return end

    def _attributes(self, j: int, tag: str, offset: int) -> tuple[dict[str, str], int]:
        src, attrs = self.source, {}
        while True:
            while j < len(src) and src[j].isspace():
                j += 1
            if j >= len(src):
                raise ParseError(f"Unclosed start tag at byte offset {offset}")
            if src[j] == ">":
                return attrs, j + 1
            match = _HTML_ATTR.match(src, j)
            if match is None:
                raise ParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {_byte_offset(src, j)}"
                )
            key, j = match.group().lower(), match.end()
            value = ""
            if src.startswith("=", j):
                j += 1
                if j < len(src) and src[j] in "\"'":
                    close = src.find(src[j], j + 1)
                    if close < 0:
                        raise ParseError(f"Unclosed start tag at byte offset {offset}")
                    value, j = src[j + 1 : close], close + 1
                else:
                    start = j
                    while j < len(src) and not src[j].isspace() and src[j] != ">":
                        j += 1
                    value = src[start:j]
                value = _HTML_ENTITY.sub(lambda m: _decode_html_entity(m.group(1)) or m[0], value)
            attrs[key] = value

    def _close(self, tag: _OpenTag) -> None:
        attrs = tag.attrs
        if tag.name == "code" and self.stack and self.stack[-1].name == "pre":
            language = attrs.get("class", "")
            if language.startswith("language-"):  # <pre><code class="language-x"> = pre(x)
                self.stack[-1].attrs["_language"] = language.removeprefix("language-")
                return
        length = self.pos - tag.start
        if length <= 0:
            return
        entity: Entity = {"type": _HTML_TYPES[tag.name], "offset": tag.start, "length": length}
        if tag.name == "a":
            if not attrs.get("href"):
                return
            entity["url"] = attrs["href"]
        elif tag.name == "pre" and attrs.get("_language"):
            entity["language"] = attrs["_language"]
        elif tag.name == "blockquote" and "expandable" in attrs:
            entity["type"] = "expandable_blockquote"
        elif tag.name == "tg-emoji":
            if not attrs.get("emoji-id"):
                return
            entity["custom_emoji_id"] = attrs["emoji-id"]
        self.entities.append(entity)


def _decode_html_entity(name: str) -> str | None:
    try:
        if name[:2] in ("#x", "#X"):
            return chr(int(name[2:], 16))
        if name[0] == "#":
            return chr(int(name[1:]))
    except (ValueError, OverflowError):
        return None
    return _HTML_NAMED.get(name)


def parse_html(source: str) -> tuple[str, list[Entity]]:
    """Parse Telegram's HTML subset; raise :class:`ParseError` like the server would."""
    return _HtmlParser(source).parse()


# --------------------------------------------------------------------------- MarkdownV2

_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


@dataclass
class _OpenMd:
    type: str
    start: int  # UTF-16 offset in the output
    out_index: int  # index into the output chunks (for [text] used as its own URL)
    byte_offset: int
    language: str = ""


def _mdv2_closes(top: _OpenMd, text: str, i: int) -> bool:
    char, kind = text[i], top.type
    if kind == "italic":
        return char == "_" and not text.startswith("__", i)
    if kind == "underline":
        return text.startswith("__", i)
    if kind == "spoiler":
        return text.startswith("||", i)
    if kind == "pre":
        return text.startswith("```", i)
    closer = {"bold": "*", "code": "`", "text_link": "]", "strikethrough": "~", "custom_emoji": "]"}
    return char == closer[kind]


def parse_markdown_v2(text: str) -> tuple[str, list[Entity]]:
    """Parse MarkdownV2 (tdlib rules: reserved characters must be escaped with ``\\``)."""
    out: list[str] = []
    pos = 0
    stack: list[_OpenMd] = []
    entities: list[Entity] = []
    quote_start: int | None = None
    i, size = 0, len(text)

    def emit(chunk: str) -> None:
        nonlocal pos
        out.append(chunk)
        pos += utf16_len(chunk)

    while i < size:
        char = text[i]
        line_start = i == 0 or text[i - 1] == "\n"
        if line_start and quote_start is not None and char != ">":
            if pos - 1 > quote_start:  # the quote ends before the line break
                entities.append(
                    {"type": "blockquote", "offset": quote_start, "length": pos - 1 - quote_start}
                )
            quote_start = None
        if line_start and char == ">" and not stack:
            if quote_start is None:
                quote_start = pos
            i += 1
            continue
        if char == "\\" and i + 1 < size and 0 < ord(text[i + 1]) <= 126:
            emit(text[i + 1])
            i += 2
            continue
        in_code = bool(stack) and stack[-1].type in ("code", "pre")
        if char not in ("`" if in_code else _MDV2_RESERVED):
            emit(char)
            i += 1
            continue
        if stack and _mdv2_closes(stack[-1], text, i):
            top = stack.pop()
            i = _mdv2_close(top, text, i, out, pos, entities)
            continue
        byte_offset = _byte_offset(text, i)
        kind, language = "", ""
        if char == "_":
            kind = "underline" if text.startswith("__", i) else "italic"
            i += 2 if kind == "underline" else 1
        elif char in "*~[":
            kind = {"*": "bold", "~": "strikethrough", "[": "text_link"}[char]
            i += 1
        elif char == "|" and text.startswith("||", i):
            kind, i = "spoiler", i + 2
        elif char == "!" and text.startswith("![", i):
            kind, i = "custom_emoji", i + 2
        elif char == "`" and text.startswith("```", i):
            kind, i = "pre", i + 3
            end = i
            while end < size and not text[end].isspace() and text[end] != "`":
                end += 1
            if end > i and end < size and text[end] != "`":
                language, i = text[i:end], end
            if text.startswith(("\r\n", "\n\r"), i):
                i += 2
            elif i < size and text[i] in "\r\n":
                i += 1
        elif char == "`":
            kind, i = "code", i + 1
        else:
            raise ParseError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        stack.append(_OpenMd(kind, pos, len(out), byte_offset, language))
    if stack:
        top = stack[-1]
        raise ParseError(
            f"Can't find end of {_MDV2_NAMES[top.type]} entity at byte offset {top.byte_offset}"
        )
    if quote_start is not None and pos > quote_start:
        entities.append({"type": "blockquote", "offset": quote_start, "length": pos - quote_start})
    return "".join(out), _sorted(entities)


def _mdv2_close(
    top: _OpenMd, text: str, i: int, out: list[str], pos: int, entities: list[Entity]
) -> int:
    """Finish entity ``top`` whose closing marker starts at ``i``; return the next index."""
    entity: Entity = {"type": top.type, "offset": top.start, "length": pos - top.start}
    if top.type in ("underline", "spoiler"):
        i += 2
    elif top.type == "pre":
        i += 3
        if top.language:
            entity["language"] = top.language
    elif top.type in ("text_link", "custom_emoji"):
        i += 1
        url = "".join(out[top.out_index :])
        if text.startswith("(", i):
            begin, chars = i + 1, []
            i += 1
            while i < len(text) and text[i] != ")":
                if text[i] == "\\" and i + 1 < len(text) and 0 < ord(text[i + 1]) <= 126:
                    i += 1
                chars.append(text[i])
                i += 1
            if i >= len(text):
                raise ParseError(
                    f"Can't find end of a URL at byte offset {_byte_offset(text, begin)}"
                )
            url = "".join(chars)
            i += 1
        if top.type == "custom_emoji":
            entity["custom_emoji_id"] = url.removeprefix("tg://emoji?id=")
        else:
            entity["url"] = url
    else:
        i += 1
    if entity["length"] > 0:
        entities.append(entity)
    return i


# --------------------------------------------------------------------------- legacy Markdown

_MD_TYPES = {"*": "bold", "_": "italic", "`": "code", "[": "text_link"}


def parse_markdown(text: str) -> tuple[str, list[Entity]]:
    """Parse legacy ``Markdown``: ``*bold*``, ``_italic_``, `` `code` ``, fences, links."""
    out: list[str] = []
    pos = 0
    entities: list[Entity] = []
    i, size = 0, len(text)
    while i < size:
        char = text[i]
        if char == "\\" and i + 1 < size and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            pos += 1
            i += 2
            continue
        if char not in _MD_TYPES:
            out.append(char)
            pos += utf16_len(char)
            i += 1
            continue
        byte_offset = _byte_offset(text, i)
        kind, closer, language = _MD_TYPES[char], ("]" if char == "[" else char), ""
        i += 1
        if char == "`" and text.startswith("``", i):
            kind, closer, i = "pre", "```", i + 2
            newline = text.find("\n", i)
            fence = text.find("```", i)
            if 0 <= newline < fence and " " not in text[i:newline]:
                language, i = text[i:newline], newline + 1
        end = text.find(closer, i)
        if end < 0:
            raise ParseError(f"Can't find end of the entity starting at byte offset {byte_offset}")
        inner = text[i:end]
        entity: Entity = {"type": kind, "offset": pos, "length": utf16_len(inner)}
        out.append(inner)
        pos += entity["length"]
        i = end + len(closer)
        if kind == "text_link":
            if not text.startswith("(", i) or text.find(")", i) < 0:
                continue
            close = text.find(")", i)
            entity["url"], i = text[i + 1 : close], close + 1
        if language:
            entity["language"] = language
        if entity["length"] > 0:
            entities.append(entity)
    return "".join(out), _sorted(entities)
