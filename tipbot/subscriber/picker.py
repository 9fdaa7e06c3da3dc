"""Choosing a tip for a person, and showing it.

The picker keeps no history table: each subscriber has a seed that fixes a shuffled order
of every topic's tips, and a cursor per topic. A tip is the one at the cursor; the cursor
then moves on. Daily and on-demand tips share the cursors, so nothing repeats until the
person has seen every tip of their topics, and the state stays a few bytes per person.
"""

from __future__ import annotations

import hashlib
import html
from functools import lru_cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from tipbot import i18n, texts
from tipbot.core import metrics
from tipbot.core.callbacks import Later, MoreTips, Save, StartConsult, Tried, Vote
from tipbot.core.content import Library, Tip
from tipbot.core.db.models import Subscriber

TOPIC_EMOJI = {
    "prebiotics": "🥦",
    "omega3": "🐟",
    "exercise": "🏃",
    "stress": "🧘",
    "gutbrain": "🧠",
}

# Callback data of the buttons under a tip (Telegram allows at most 64 bytes).


_MASK64 = (1 << 64) - 1


@lru_cache(maxsize=4096)
def _tip_hash(tip_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(tip_id.encode(), digest_size=8).digest(), "big")


def _mix(value: int) -> int:
    """SplitMix64's finaliser: a cheap, well-spread 64-bit mixing function."""
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK64
    return value ^ (value >> 31)


@lru_cache(maxsize=64)
def _tip_hashes(tip_ids: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(_tip_hash(tip_id) for tip_id in tip_ids)


@lru_cache(maxsize=4096)
def _order(tip_ids: tuple[str, ...], seed: int) -> tuple[str, ...]:
    """A stable per-subscriber permutation (hash order, so adding a tip keeps the rest).

    Each tip's key mixes its own fixed hash with the seed, so the daily sweep sorts with
    integer arithmetic instead of hashing every tip id again for every subscriber. The
    cache mostly misses in the sweep (one seed per person), so the keys are computed in
    one pass over the topic's cached hashes; ties (never seen in 64 bits) keep file order.
    """
    salt = _mix(seed & _MASK64)
    keys = [_mix(tip_hash ^ salt) for tip_hash in _tip_hashes(tip_ids)]
    return tuple(tip_ids[i] for i in sorted(range(len(tip_ids)), key=keys.__getitem__))


_VARIANT_SALT = 0x5EED_0F_7E47  # keeps a person's wordings independent of their tip order


def variant_of(tip: Tip, seed: int) -> int:
    """Which wording of ``tip`` this person sees: 0 its text, n its n-th variant. Fixed by
    the person's seed (the same every time the tip comes round), spread evenly over people."""
    if not tip.variants:
        return 0
    key = _mix(_tip_hash(tip.id) ^ _mix((seed ^ _VARIANT_SALT) & _MASK64))
    return key % (len(tip.variants) + 1)


def shown_variant(library: Library, tip: Tip, language: str | None, seed: int) -> int:
    """The wording the person will read in their language: their variant where the
    translation has it, else 0 (the translated main text), so the record matches the screen."""
    variant = variant_of(library.tips.get(tip.id, tip), seed)
    if not variant:
        return 0
    localized = library.localized(i18n.resolve(language)).tips.get(tip.id, tip)
    return variant if variant <= len(localized.variants) else 0


def chosen_topics(subscriber: Subscriber, library: Library) -> list[str]:
    """The person's topics that the library still has, in the library's order."""
    topics = [topic for topic in library.topics if topic in (subscriber.topics or [])]
    return topics or list(library.topics)


def next_topic(subscriber: Subscriber, library: Library) -> str:
    """Rotate through the person's topics, holding back topics already seen in full this round."""
    topics = chosen_topics(subscriber, library)
    cursors = subscriber.tip_cursors or {}
    rounds = {t: cursors.get(t, 0) // len(library.tips_by_topic[t]) for t in topics}
    least = min(rounds.values())
    behind = [t for t in topics if rounds[t] == least]
    if subscriber.last_topic in topics:
        start = topics.index(subscriber.last_topic) + 1
        rotation = topics[start:] + topics[:start]
        return next(t for t in rotation if t in behind)
    return behind[0]


def pick_tip(subscriber: Subscriber, library: Library, topic_id: str | None = None) -> Tip:
    """Take the next tip (of ``topic_id``, or by rotation) and advance the person's cursor."""
    rotating = topic_id is None
    topic_id = topic_id or next_topic(subscriber, library)
    # Only the tip at the cursor is needed: no tuple of the topic's tips per pick.
    order = _order(library.tip_ids_by_topic[topic_id], subscriber.tip_seed)
    cursors = dict(subscriber.tip_cursors or {})
    position = cursors.get(topic_id, 0)
    cursors[topic_id] = position + 1
    subscriber.tip_cursors = cursors  # a new dict, so SQLAlchemy sees the change
    if rotating:
        subscriber.last_topic = topic_id
    return library.tips[order[position % len(order)]]


def render_tip(
    library: Library,
    tip: Tip,
    language: str,
    *,
    vote: int | None = None,
    variant: int = 0,
    later: bool = False,
    tried: bool = False,
    saved: bool = False,
) -> tuple[str, InlineKeyboardMarkup]:
    """The tip as HTML with its source, and its buttons (showing the person's vote, tick and
    star; "⏰ Later" only under a daily tip), in ``language`` and wording ``variant``; a tip its
    translation lacks is shown in English, and counted."""
    library = library.localized(language)
    if tip.id in library.missing:
        metrics.TIP_FALLBACKS.labels(language=library.language).inc()
    tip = library.tips[tip.id]
    topic = library.topics[tip.topic]
    reference = library.reference_of(tip)
    text = texts.TIP.render(
        language,
        emoji=TOPIC_EMOJI.get(topic.id, "💡"),
        title=html.escape(topic.title),
        text=html.escape(tip.wording(variant)),
        url=html.escape(reference.url, quote=True),
        source=html.escape(reference.short),
    )
    return text, tip_keyboard(tip, language, vote=vote, later=later, tried=tried, saved=saved)


def _ticked(label: str, on: bool) -> str:
    return label + (" ✓" if on else "")


def tip_keyboard(
    tip: Tip,
    language: str,
    *,
    vote: int | None = None,
    later: bool = False,
    tried: bool = False,
    saved: bool = False,
) -> InlineKeyboardMarkup:
    up = _ticked(texts.BUTTON_VOTE_UP.render(language), vote == 1)
    down = _ticked(texts.BUTTON_VOTE_DOWN.render(language), vote == -1)
    keep = [
        InlineKeyboardButton(
            _ticked(texts.BUTTON_SAVE.render(language), saved), callback_data=Save(tip.id).pack()
        )
    ]
    if later:
        keep.append(
            InlineKeyboardButton(
                texts.BUTTON_LATER.render(language), callback_data=Later(tip.id).pack()
            )
        )
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(up, callback_data=Vote(tip.id, 1).pack()),
                InlineKeyboardButton(down, callback_data=Vote(tip.id, -1).pack()),
                InlineKeyboardButton(
                    _ticked(texts.BUTTON_TRIED.render(language), tried),
                    callback_data=Tried(tip.id).pack(),
                ),
            ],
            keep,
            [
                InlineKeyboardButton(
                    texts.BUTTON_ANOTHER_TIP.render(language),
                    callback_data=MoreTips(tip.topic).pack(),
                ),
                InlineKeyboardButton(
                    texts.BUTTON_CONSULT.render(language), callback_data=StartConsult().pack()
                ),
            ],
        ]
    )
