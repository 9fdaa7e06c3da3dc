"""The tip library (``content/tips.yaml`` and its translations ``tips.<lang>.yaml``).

One concern per module: ``model`` (the frozen data the bot reads), ``validation`` (the English
library's entries and cross-checks), ``translations`` (``tips.<lang>.yaml`` over it),
``loading`` (reading the files) and ``signoff`` (which tips a clinician has signed off, in
``content/signoff.yaml``). The clinician's review sheet is outside the runtime path, in
``tipbot.content_review``. The names the rest of the bot uses are re-exported here.
"""

from tipbot.core.content.loading import load_library
from tipbot.core.content.model import ContentError, Library, Reference, Tip, Topic, Translation
from tipbot.core.content.translations import parse_translation, translation_paths
from tipbot.core.content.validation import (
    MAX_COMMAND_DESCRIPTION,
    MAX_TIP_LENGTH,
    MAX_TOPIC_TITLE,
    parse_library,
)

__all__ = [
    "MAX_COMMAND_DESCRIPTION",
    "MAX_TIP_LENGTH",
    "MAX_TOPIC_TITLE",
    "ContentError",
    "Library",
    "Reference",
    "Tip",
    "Topic",
    "Translation",
    "load_library",
    "parse_library",
    "parse_translation",
    "translation_paths",
]
