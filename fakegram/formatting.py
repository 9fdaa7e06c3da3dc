"""Message formatting as Telegram's server applies it (``parse_mode`` → plain text + entities).

Real Telegram strips the markup, reports it as ``entities`` with UTF-16 offsets, trims leading
and trailing whitespace and rejects malformed markup with ``Bad Request: can't parse entities``.
Emulating this lets tests assert on what users actually see and catches unescaped user input.
Only ``HTML`` (modelled on tdlib's parser), which is all the bot sends; the Markdown modes are
refused rather than half-emulated.
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
        if mode in ("markdown", "markdownv2"):
            raise ApiError(400, f"Bad Request: fakegram does not emulate parse_mode {parse_mode}")
        if mode != "html":
            raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r}")
        try:
            text, entities = parse_html(text)
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
