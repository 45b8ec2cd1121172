"""Safe file names from practice titles: fit for phones, memory cards and every common file system. Pure."""

from __future__ import annotations

import re
import unicodedata

MAX_BYTES = 120  # UTF-8 bytes before the extension; leaves room for it in the common 255-byte limit
FALLBACK = "practice"
FORBIDDEN = frozenset('<>:"/\\|?*')
JOINERS = frozenset("\u200d")
REGIONAL = "".join(map(chr, range(0x1F1E6, 0x1F200)))  # letters that make a flag, two by two
# Names Windows reserves for devices, whatever the extension; FAT and exFAT cards inherit the rule.
RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{device}{n}" for device in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")]
)


def safe_name(title: str, max_bytes: int = MAX_BYTES) -> str:
    """A file name (without extension) that says ``title`` and that any phone or file system accepts."""
    text = "".join(_replacement(char) for char in unicodedata.normalize("NFC", title))
    text = re.sub(r"\s+", " ", text).strip(" .")
    text = _trimmed(text, max_bytes - 1).rstrip(" .")  # one byte spare for the mark of a reserved name
    stem, dot, rest = text.partition(".")
    if stem.rstrip(" ").upper() in RESERVED:
        return f"{stem}_{dot}{rest}"
    return text or FALLBACK


def unique_names(names: list[str], max_bytes: int = MAX_BYTES) -> list[str]:
    """``names`` with later repeats numbered 'Name (2)', 'Name (3)'…, ignoring case as FAT and macOS do."""
    taken: set[str] = set()
    result = []
    for name in names:
        candidate, number = name, 1
        while candidate.casefold() in taken:
            number += 1
            suffix = f" ({number})"
            candidate = _trimmed(name, max_bytes - len(suffix.encode())).rstrip(" .") + suffix
        taken.add(candidate.casefold())
        result.append(candidate)
    return result


def _replacement(char: str) -> str:
    """A space for path separators, characters FAT/exFAT/Windows reject and controls; nothing for invisible ones."""
    category = unicodedata.category(char)
    if category == "Cf" and char not in JOINERS:
        return ""
    return " " if char in FORBIDDEN or category in ("Cc", "Cs", "Co", "Zl", "Zp") else char


def _trimmed(text: str, max_bytes: int) -> str:
    """The longest start of ``text`` within ``max_bytes`` UTF-8 bytes that does not split a character."""
    end, used = 0, 0
    for index, char in enumerate(text):
        used += len(char.encode())
        if used > max_bytes:
            return text[:end]
        if _boundary(text, index + 1):
            end = index + 1
    return text


def _boundary(text: str, index: int) -> bool:
    """Whether a cut before ``text[index]`` keeps accents, emoji sequences, modifiers and flags whole."""
    if index == len(text):
        return True
    previous, following = text[index - 1], text[index]
    if previous in JOINERS or following in JOINERS or _modifier(following):
        return False
    if following in REGIONAL:
        letters_before = len(text[:index]) - len(text[:index].rstrip(REGIONAL))
        return letters_before % 2 == 0
    return True


def _modifier(char: str) -> bool:
    """Combining marks, variation selectors and skin tones: they belong to the character before them."""
    return unicodedata.category(char) in ("Mn", "Mc", "Me") or 0x1F3FB <= ord(char) <= 0x1F3FF
