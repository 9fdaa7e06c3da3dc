"""The message ids: every sentence a person or the staff reads is named here, its
translations live in the gettext catalogs (``tipbot/locales/<lang>/LC_MESSAGES/tipbot.po``).

Each name is a ``tipbot.i18n.Text`` (or ``Plural``), not a string: ``texts.NAME.render(language,
**fields)`` gives it in the language you name, ``texts.DAYS.render(language, n, days=n)`` a
plural. Handlers answering a person pass ``context.language``; everything for the staff group
passes ``i18n.staff_language()``; a job passes its recipient's stored language.

The English text is the gettext msgid. A new text: ``NEW = _("...")`` here, then
``pybabel extract`` / ``update`` (README, "Translating") and translate it in every
``.po``; ``tests/test_i18n.py`` fails until then. ``{NOT_MEDICAL_ADVICE}``-style
placeholders (upper case) insert another text in the same language; lower-case ones are
``render``'s fields.

All texts are Telegram HTML. Fields that carry user-provided text must be ``html.escape``d by
the caller.
"""

from tipbot import i18n
from tipbot.i18n import N_ as _
from tipbot.i18n import ngettext

# ----------------------------------------------------------------------------- common

NOT_MEDICAL_ADVICE = _(
    "ℹ️ Tips are general information, not medical advice. For your own situation, "
    "talk to your doctor or a qualified health professional."
)

CRISIS = _(
    "🆘 If you are in crisis or thinking about harming yourself, please contact your local "
    "emergency number or a crisis line now. This bot cannot help in an emergency."
)

ERROR_APOLOGY = _("😕 Sorry, something went wrong on my side. Please try again in a moment.")

UNKNOWN_COMMAND = _("🤔 I don't know the command {command}. Send /help to see what I can do.")

FREE_TEXT = _("I answer commands and buttons. Send /help to see what I can do. 🙂")

PRIVATE_CHAT_ONLY = _(
    "Let's talk in a private chat, so your settings stay yours: "
    '<a href="{link}">open a chat with me</a>.'
)

# Telegram's "What can this bot do?" screen (at most 512 characters) and the bot's profile
# (at most 120), set for every language at start.
BOT_DESCRIPTION = _(
    "One short, evidence-based tip a day about your gut and your mind: prebiotics and "
    "probiotics, omega-3, exercise, stress and the gut–brain axis, each with the study it "
    "comes from. Pick your time, topics and language, and ask the clinic for a free "
    "consultation. General information, not medical advice."
)
BOT_SHORT_DESCRIPTION = _(
    "One evidence-based gut–brain health tip a day, and a free consultation with the clinic."
)

# ----------------------------------------------------------------------------- subscriber

WELCOME = _(
    "👋 <b>Welcome!</b> Every day I'll send you one short, evidence-based tip about your "
    "gut and your mind: prebiotics and probiotics, omega-3, exercise, stress and the "
    "gut–brain axis. Each tip names its source: a study or a health guideline.\n\n"
    "⏰ Your first tip comes at <b>{time}</b> ({timezone}), {when}.\n"
    "Change the time with /time, your timezone with /timezone, your topics with /topics.\n\n"
    "{NOT_MEDICAL_ADVICE}"
)

WELCOME_BACK = _(
    "👋 <b>Welcome back!</b> You're subscribed again. Your next tip comes at <b>{time}</b> "
    "({timezone}), {when}.\n\n{NOT_MEDICAL_ADVICE}"
)

ALREADY_SUBSCRIBED = _(
    "✅ You're already subscribed. Your next tip comes at <b>{time}</b> ({timezone}), {when}. "
    "See /settings to change anything."
)

BUTTON_SET_TIME = _("⏰ Time")
BUTTON_SET_TIMEZONE = _("🌍 Timezone")
BUTTON_SET_TOPICS = _("📚 Topics")

HELP = _(
    "<b>What I do</b>\n"
    "One short, evidence-based tip a day about the gut and the mind, at the time you choose.\n\n"
    "{commands}\n\n{NOT_MEDICAL_ADVICE}\n\n{CRISIS}"
)

NOT_SUBSCRIBED = _("You're not subscribed to the daily tips. Send /start to subscribe. 🙂")

SLOW_DOWN = _("🐢 That's a lot at once! Please slow down a little; I'll listen again in a moment.")
SLOW_DOWN_CLINIC = _(
    "🐢 That's a lot at once! Everything you write still reaches the clinic's team, "
    "it may just take a moment longer."
)

TIME_PROMPT = _(
    "⏰ When should your daily tip come? Pick a time, or send it like <code>/time 7:30</code>."
)

TIME_INVALID = _(
    "🤔 I couldn't read that time. Send it like <code>/time 07:30</code>; "
    "<code>7:30</code>, <code>07.30</code>, <code>7am</code>, <code>7:30 pm</code> and "
    "<code>19h</code> work too."
)

TIME_SET = _("✅ Your daily tip now comes at <b>{time}</b> ({timezone}); the next one {when}.")

TIMEZONE_PROMPT = _(
    "🌍 Which timezone are you in? Share your location with the button below, or send it "
    "like <code>/timezone Europe/Berlin</code>, <code>/timezone berlin</code> or "
    "<code>/timezone UTC+2</code>."
)

TIMEZONE_UNKNOWN = _(
    "🤔 I don't know the timezone <b>{text}</b>. Send a name like "
    "<code>/timezone Europe/Berlin</code> or an offset like <code>/timezone UTC+2</code>."
)

TIMEZONE_SUGGEST = _("🤔 I don't know the timezone <b>{text}</b>. Did you mean one of these?")

TIMEZONE_SET = _(
    "✅ Your timezone is now <b>{timezone}</b>; it's {local_time} there now. "
    "Your daily tip comes at <b>{time}</b>, the next one {when}."
)

TIMEZONE_NOT_FOUND_AT_LOCATION = _(
    "🤔 I couldn't find a timezone for that place (at sea?). Send it like "
    "<code>/timezone Europe/Berlin</code>."
)

BUTTON_SHARE_LOCATION = _("📍 Share my location")

TOPICS_PROMPT = _("📚 Your topics. Tap to switch one on ✅ or off ▫️:")

TOPICS_LAST_ONE = _("At least one topic has to stay on.")

TOPIC_ON = _("On: {title}")

TOPIC_OFF = _("Off: {title}")

PAUSE_INVALID = _(
    "🤔 Send <code>/pause</code> to pause until you send /resume, or "
    "<code>/pause 7</code> for a number of days from 1 to 365."
)

PAUSED_OPEN = _("⏸ Paused. I won't send daily tips until you send /resume.")

DAYS = ngettext("{days} day", "{days} days")

PAUSED_DAYS = _(
    "⏸ Paused for {days}. Your tips restart by themselves; the next one comes "
    "at <b>{time}</b> on {date}. Send /resume to restart earlier."
)

RESUMED = _("▶️ Welcome back! Your next tip comes at <b>{time}</b> ({timezone}), {when}.")

NOT_PAUSED = _("Your daily tips are not paused. Send /pause to pause them.")

STOP_CONFIRM = _("Do you want to unsubscribe from the daily tips?")

BUTTON_STOP_YES = _("Yes, unsubscribe")

BUTTON_CANCEL = _("No, keep it")

STOPPED = _(
    "👋 You're unsubscribed; no more daily tips. Your settings are kept: send /start "
    "any time to come back, or /forget to delete your data."
)

KEPT = _("👍 Nothing changed.")

SETTINGS = _(
    "<b>Your settings</b>\n"
    "Status: {status}\n"
    "Time: <b>{time}</b>\n"
    "Timezone: {timezone} (now {local_time})\n"
    "Topics: {topics}\n"
    "Next tip: {next_tip}"
)

STATUS_ACTIVE = _("✅ subscribed")
STATUS_PAUSED_OPEN = _("⏸ paused until you send /resume")
STATUS_PAUSED_UNTIL = _("⏸ paused until {date}")
STATUS_STOPPED = _("not subscribed (send /start)")
STATUS_BLOCKED = _("not reachable (send /start to restart)")

NEXT_TIP = _("{time} {when}")
NOT_SCHEDULED = _("not scheduled")
TODAY = _("today")
TOMORROW = _("tomorrow")
ON_DATE = _("on {date}")
NO_NEXT_TIP = _("none scheduled")

MYDATA = _(
    "<b>What I store about you</b>\n"
    "Telegram user id: <code>{user_id}</code>\n"
    "Status: {status}\n"
    "Since: {created}\n"
    "Campaign link: {source}\n"
    "Language: {language} (your Telegram app said: {telegram_language})\n"
    "Daily time: {time}, timezone: {timezone}\n"
    "Topics: {topics}\n"
    "Tips seen: {daily} daily, {on_demand} on request\n"
    "Votes: {up} 👍, {down} 👎\n"
    "Consultation requests: {requests}\n\n"
    "Send /forget to delete all of it."
)

MYDATA_NO_SUBSCRIPTION = _(
    "<b>What I store about you</b>\n"
    "Telegram user id: <code>{user_id}</code>\n"
    "Subscription: none\n"
    "Consultation requests: {requests}\n\n"
    "Send /forget to delete all of it."
)

MYDATA_REQUEST = _("#{id} ({status}, {date})")
MYDATA_NONE = _("none")
REQUEST_STATUS_OPEN = _("open")
REQUEST_STATUS_CLAIMED = _("claimed")
REQUEST_STATUS_CLOSED = _("closed")
REQUEST_STATUS_CANCELLED = _("cancelled")
MYDATA_EMPTY = _("I store nothing about you. 🙂")

FORGET_CONFIRM = _(
    "🗑 Delete everything I store about you: subscription, settings, tip history, votes "
    "and consultation requests? This cannot be undone."
)

BUTTON_FORGET_YES = _("Yes, delete everything")

FORGOTTEN = _("🗑 Done: I deleted all your data. Send /start if you ever want tips again.")

BUTTON_NOT_VALID = _("This button is no longer valid.")

LANGUAGE_PROMPT = _("🌐 Which language should I speak? Now: <b>{language}</b>.")
LANGUAGE_SET = _("✅ From now on I speak <b>{language}</b>.")
LANGUAGE_UNKNOWN = _("🤔 I don't speak <b>{text}</b>. Pick one of these:")

# ----------------------------------------------------------------------------- tips

TIP = _('{emoji} <b>{title}</b>\n\n{text}\n\n<i>Source: <a href="{url}">{source}</a></i>')

BUTTON_VOTE_UP = _("👍")
BUTTON_VOTE_DOWN = _("👎")
BUTTON_ANOTHER_TIP = _("➕ Another tip")
BUTTON_CONSULT = _("💬 Free consultation")

TOPIC_LIST = _("📚 Pick a topic for a tip right now:")

TOPIC_UNKNOWN = _("🤔 I don't know the topic <b>{text}</b>. Pick one of these:")

VOTE_THANKS = _("Thanks for your feedback!")

UNKNOWN_TIP = _("I don't know that tip any more.")

# ----------------------------------------------------------------------------- delivery

# ----------------------------------------------------------------------------- consultation

# The person's side: the form.
CONSULT_INTRO = _(
    "💬 <b>Free consultation</b>\n"
    "A few short questions, then a member of the clinic's team gets in touch with you. "
    "Send /cancel at any time to stop.\n\n"
    "<b>1/5</b> What is your name?"
)
CONSULT_ASK_NAME = _("<b>1/5</b> What is your name?")
CONSULT_ASK_CONTACT = _(
    "<b>2/5</b> How should the clinic reach you? Share your phone number with the button, "
    "type your e-mail address, or let them write to you here in Telegram."
)
CONSULT_ASK_EMAIL = _("✉️ Please type your e-mail address.")
CONSULT_ASK_TIME = _(
    "<b>3/5</b> When suits you best? Pick one or write your own (e.g. “Tuesdays after 5 pm”)."
)
CONSULT_ASK_TOPIC = _("<b>4/5</b> What would you like to talk about?")
CONSULT_ASK_NOTE = _(
    "Anything you'd like the clinic to know beforehand? Write a short note (up to "
    "{limit} characters), or press “{skip}”."
)
CONSULT_ASK_CONSENT = _(
    "<b>5/5</b> May I share these details with the clinic's staff so they can contact you? "
    "They are used only for this consultation, and /forget deletes them."
)
CONSULT_PRIVACY_POLICY = _('\n<a href="{url}">The clinic\'s privacy policy</a>')
CONSULT_SUMMARY_INTRO = _("Thank you! Please check your request:")
CONSULT_SUMMARY = _(
    "📝 <b>Your consultation request</b>\n"
    "Name: {name}\n"
    "Contact: {contact}\n"
    "Preferred time: {preferred_time}\n"
    "Topic: {topic}\n"
    "Note: {note}\n\n"
    "Send it to the clinic?"
)
CONSULT_RECEIVED = _(
    "✅ <b>Request #{number} received.</b>\n"
    "The clinic's team has it now. When someone takes it on, I'll tell you here, and they'll "
    "contact you as you asked. Anything you write to me until then goes to them too.\n\n"
    "ℹ️ A consultation is a conversation, not a diagnosis or a promise of a cure."
)
CONSULT_CANCELLED = _("👌 Cancelled. Nothing was sent. /consult starts again whenever you like.")
CONSULT_TIMED_OUT = _(
    "⌛ The consultation form closed after 30 minutes without an answer, and nothing was "
    "sent. /consult starts again whenever you like."
)
CONSULT_NO_CONSENT = _(
    "👌 Understood: without your consent I can't pass your request on, so nothing was sent. "
    "/consult starts again whenever you like."
)
CONSULT_ALREADY_OPEN = _(
    "📨 You already have an open request, <b>#{number}</b> ({status}), sent {when}.\n"
    "Anything you write to me goes to the clinic's team on that request."
)
CONSULT_STATUS_OPEN = _("waiting for a team member")
CONSULT_STATUS_CLAIMED = _("{staff} from the clinic is looking after it")
CONSULT_ADD_NOTE = _("✍️ Just write your note here, and I'll pass it on to the clinic's team.")
CONSULT_REQUEST_CANCELLED = _("👌 Request #{number} is cancelled. /consult starts a new one.")
CONSULT_REQUEST_GONE = _("That request is no longer open. /consult starts a new one.")
CONSULT_RELAY_NOTICE = _(
    "📨 I've passed your message to the clinic's team (request #{number}). Everything you "
    "write to me while the request is open goes to them too."
)
CONSULT_CLAIMED = _("👋 {staff} from the clinic will contact you about request #{number}.")
CONSULT_UNCLAIMED = _(
    "ℹ️ Request #{number} is back with the whole team; another team member will contact you."
)
CONSULT_CLOSED = _(
    "✅ Request #{number} is closed. Thank you for talking to the clinic! /consult opens a "
    "new request any time."
)
CONSULT_FROM_CLINIC = _("💬 <b>Message from the clinic:</b>\n{text}")
CONSULT_FROM_CLINIC_MEDIA = _("💬 <b>Message from the clinic:</b>")
CONSULT_UNSUPPORTED_KIND = _(
    "I can pass text, photos, documents, voice notes, videos, stickers and locations to the "
    "clinic's team, but not this kind of message. Please send it as one of those."
)

# The form's answers: errors, each followed by the same question again.
CONSULT_EMPTY_ANSWER = _("Please write an answer (or /cancel to stop).")
CONSULT_TOO_LONG = _("That's a bit long: please keep it under {limit} characters.")
CONSULT_BAD_EMAIL = _("🤔 That doesn't look like an e-mail address (like name@example.com).")
CONSULT_NOT_OWN_CONTACT = _(
    "🔒 I can only accept your own phone number: please use the “{button}” button."
)
CONSULT_PICK_BUTTON = _("Please choose one of the buttons below.")

BUTTON_CONSULT_SHARE_PHONE = _("📱 Share my phone number")
BUTTON_CONSULT_EMAIL = _("✉️ E-mail")
BUTTON_CONSULT_TELEGRAM = _("💬 Message me here in Telegram")
CONSULT_TIME_OPTIONS = (
    _("Weekday mornings"),
    _("Weekday afternoons"),
    _("Weekday evenings"),
    _("Weekends"),
)
BUTTON_CONSULT_OTHER_TOPIC = _("Something else")
BUTTON_CONSULT_SKIP = _("Skip")
BUTTON_CONSULT_AGREE = _("✅ Yes, share them")
BUTTON_CONSULT_DISAGREE = _("❌ No")
BUTTON_CONSULT_CONFIRM = _("✅ Send")
BUTTON_CONSULT_EDIT = _("✏️ Edit")
BUTTON_CONSULT_CANCEL = _("✖️ Cancel")
BUTTON_CONSULT_ADD_NOTE = _("✍️ Add a note")
BUTTON_CONSULT_CANCEL_REQUEST = _("✖️ Cancel the request")
CONTACT_TELEGRAM = _("message in Telegram")
NOTHING = _("—")

# ----------------------------------------------------------------------------- staff

STAFF_ONLY = _("🔒 Only for the clinic staff, in the staff group.")

STATS = _(
    "📊 <b>Statistics</b>\n\n"
    "<b>Subscribers</b>: {subscribers}\n"
    "New this week: {new_this_week}\n"
    "By source: {sources}\n\n"
    "<b>Tips sent</b> in the last 7 days: {tips_sent}\n"
    "Fate unknown (in flight during a crash): {tips_unknown}\n"
    "👍/👎 per topic:\n{votes}\n"
    "Least liked tips:\n{least_liked}\n\n"
    "<b>Consultation requests</b>: {requests}\n"
    "Median time to claim: {median_claim}"
)
STATS_STAFF_CHAT_MOVED = _(
    "\n\n⚠️ Telegram made this group a supergroup: its id is now <code>{new}</code> "
    "(stored by the bot). Set <code>TIPBOT_STAFF_CHAT_ID={new}</code> in place of {old}."
)
STATS_NONE = _("none yet")
STATS_DIRECT = _("direct")
STATS_VOTE_LINE = _("  {topic}: 👍 {up} / 👎 {down}")
STATS_TIP_LINE = _("  {tip}: 👍 {up} / 👎 {down}")

BROADCAST_USAGE = _(
    "📣 Write the announcement after the command, for example:\n"
    "<code>/broadcast Our clinic is closed on Friday.</code>\n"
    "You will see a preview and the number of recipients before anything is sent."
)
BROADCAST_TOO_LONG = _("📣 That announcement is {length} characters long; at most {limit} fit.")
BROADCAST_NO_RECIPIENTS = _("📣 There are no active subscribers to send to right now.")
BROADCAST_PREVIEW = _(
    "📣 <b>Preview</b> for all active subscribers (<b>{count}</b>). Everyone gets this "
    "same text, whatever their language:\n"
    "────────────\n{text}\n────────────\nSend it?"
)
BUTTON_BROADCAST_SEND = _("✅ Send to {count}")
BUTTON_BROADCAST_CANCEL = _("✖️ Cancel")
BROADCAST_SENDING_ALERT = _("Sending…")
BROADCAST_NOT_A_DRAFT = _("This announcement was already sent or cancelled.")
BROADCAST_CANCELLED = _("✖️ Broadcast cancelled; nothing was sent.")
BROADCAST_PROGRESS = _("📣 Broadcast #{id}: {sent} / {total} sent, {blocked} blocked")
BROADCAST_DONE = _(
    "✅ Broadcast #{id} finished: {sent} / {total} sent, {blocked} blocked, {failed} failed."
)

RELOAD_OK = _("✅ Tip library reloaded: {tips} tips in {topics} topics.")
RELOAD_FAILED = _(
    "❌ The tip library was <b>not</b> reloaded; the current one stays in use.\n"
    "Problems in the file:\n{problems}"
)

# Consultation cards and the staff group's thread (the clinic's own language).
CARD = _(
    "🩺 <b>Consultation request #{number}</b>\n"
    "Status: {status}\n"
    "Name: {name}\n"
    "Contact: {contact}\n"
    "Preferred time: {preferred_time}\n"
    "Topic: {topic}\n"
    "Note: {note}\n"
    "Source: {source}\n"
    "Language: {language}\n"
    "Received: {created}"
)
CARD_REPLY_HINT = _("\n\n<i>Reply to this card to write to the person.</i>")
CARD_STATUS_OPEN = _("🟡 open, unclaimed")
CARD_STATUS_CLAIMED = _("🔵 claimed by {staff}")
CARD_STATUS_CLOSED = _("✅ closed by {staff}")
CARD_STATUS_CANCELLED = _("✖️ cancelled by the person")
CARD_REMOVED = _("🗑 Request #{number}: removed at the person's request.")
BUTTON_CARD_CLAIM = _("🙋 Claim")
BUTTON_CARD_UNCLAIM = _("↩️ Unclaim")
BUTTON_CARD_CLOSE = _("✅ Close")
THREAD_RELAY = _("💬 <b>#{number} {name}:</b>\n{text}")
THREAD_MEDIA = _("📎 <b>#{number} {name}:</b> {label}")
MEDIA_PHOTO = _("photo")
MEDIA_DOCUMENT = _("document")
MEDIA_VOICE = _("voice note")
MEDIA_VIDEO = _("video")
MEDIA_AUDIO = _("audio file")
MEDIA_ANIMATION = _("GIF")
MEDIA_VIDEO_NOTE = _("video message")
MEDIA_STICKER = _("sticker")
MEDIA_LOCATION = _("location")
STAFF_UNSUPPORTED_KIND = _(
    "ℹ️ This kind of message can't be passed on (#{number}): send text, a photo, document, "
    "voice note, video, sticker or location."
)
THREAD_CANCELLED = _("✖️ #{number}: the person cancelled the request.")
THREAD_DELIVERED = _("✅ Delivered to the person (#{number}).")
THREAD_BLOCKED = _("🚫 Not delivered: the person has blocked the bot (#{number}).")
THREAD_NOT_DELIVERED = _("⚠️ Not delivered (#{number}): Telegram refused the message.")
THREAD_REQUEST_NOT_OPEN = _("ℹ️ Request #{number} is {status}; the message was not sent.")
REMINDER = _(
    "⏰ Request #{number} ({name}) has been waiting for {age} (since {since}) "
    "without anyone claiming it."
)
STAFF_ALREADY_CLAIMED = _("Request #{number} is already claimed by {staff}.")
STAFF_NOT_POSSIBLE = _("Request #{number} is {status}: nothing to do.")
STAFF_UNKNOWN_REQUEST = _("There is no request #{number}.")
STAFF_CLAIMED = _("You have claimed #{number}.")
STAFF_UNCLAIMED = _("#{number} is back with the team.")
STAFF_CLOSED = _("#{number} is closed.")
STAFF_NO_OPEN_REQUESTS = _("🎉 No open consultation requests.")
STAFF_OPEN_REQUESTS = _("📋 <b>Open consultation requests</b>\n{lines}")
STAFF_OPEN_REQUEST_LINE = _("#{number} {name} – {age} (since {since}) – {holder}")
STAFF_HOLDER_NOBODY = _("unclaimed")
STAFF_REQUEST_USAGE = _("Usage: /request N (the request number, e.g. /request 12).")
STAFF_REPLY_TOO_LONG = _(
    "✂️ That message is too long for Telegram ({limit} characters at most): please split it."
)

# ----------------------------------------------------------------------------- going live

CHATID_GROUP = _(
    "🆔 This group's id is <code>{chat_id}</code>.\n"
    "To make it the clinic's staff group, set <code>TIPBOT_STAFF_CHAT_ID={chat_id}</code>."
)
CHATID_PRIVATE = _(
    "🆔 Your Telegram user id is <code>{user_id}</code>.\n"
    "To count as staff everywhere, add it to <code>TIPBOT_STAFF_USER_IDS</code>."
)
GROUP_ADDED_CONFIGURE = _(
    "👋 Hello! This group's id is <code>{chat_id}</code>.\n"
    "To make it the clinic's staff group, where consultation requests arrive, put this line "
    "in the bot's configuration (<code>.env</code>) and restart the bot:\n"
    "<code>TIPBOT_STAFF_CHAT_ID={chat_id}</code>"
)
GROUP_ADDED_STAFF = _(
    "👋 Hello, team! Consultation requests will arrive here as cards. Reply to a card to "
    "write to the person; /requests lists the open ones."
)


# ---- issue 24: subscribers shape their tips

# Days of the week (the daily tip's days).
WEEKDAY_SHORT = (
    _("Mon"),
    _("Tue"),
    _("Wed"),
    _("Thu"),
    _("Fri"),
    _("Sat"),
    _("Sun"),
)
DAYS_EVERY_DAY = _("every day")
DAYS_WEEKDAYS = _("weekdays (Mon–Fri)")
DAYS_PROMPT = _(
    "📅 On which days should your tip come? Now: <b>{days}</b>.\n"
    "Tap a preset or switch single days on ✅ and off ▫️ (or send e.g. /days mon,wed,fri)."
)
DAYS_SET = _("📅 Your tip now comes on <b>{days}</b> at {time}. Next tip: {when}.")
DAYS_INVALID = _(
    "🤔 I didn't understand <b>{text}</b>. Name days like <code>/days mon,wed,fri</code> "
    "(or <code>/days lun,mié,vie</code>), or <code>/days weekdays</code>, "
    "<code>/days every day</code>. <code>/days</code> alone shows buttons."
)
DAYS_LAST_ONE = _("At least one day stays on. Use /pause or /stop for no tips at all.")
BUTTON_DAYS_DAILY = _("Every day")
BUTTON_DAYS_WEEKDAYS = _("Weekdays")
BUTTON_DAYS_MWF = _("Mon/Wed/Fri")
BUTTON_DAYS_WEEKLY = _("Once a week")
BUTTON_SET_DAYS = _("📅 Days")
SETTINGS_DAYS = _("Days: {days}")

# Under every tip.
BUTTON_TRIED = _("✅ I tried it")
BUTTON_SAVE = _("⭐ Save")
BUTTON_LATER = _("⏰ Later")
TRIED_THANKS = _("✅ Great, noted that you tried it!")
TRIED_UNDONE = _("Taken back: not tried yet.")
SAVED_NOTE = _("⭐ Saved. /saved lists your saved tips.")
UNSAVED_NOTE = _("Removed from your saved tips.")

# Snooze.
SNOOZE_PROMPT = _("⏰ When should I send it again?")
BUTTON_SNOOZE_1H = _("+1 h")
BUTTON_SNOOZE_3H = _("+3 h")
BUTTON_SNOOZE_EVENING = _("This evening (19:00)")
BUTTON_SNOOZE_BACK = _("↩️ Back")
SNOOZED = _("⏰ I'll send it again at {time}.")
SNOOZE_ONCE = _("This tip has been moved once already.")
SNOOZE_TOO_LATE = _("That's too late for today's tip; pick an earlier time.")
SNOOZE_NOT_TODAY = _("Only today's daily tip can be moved.")

# /saved
SAVED_NONE = _("⭐ You have no saved tips yet. Tap ⭐ Save under a tip to keep it.")
SAVED_PAGE = _("⭐ <b>Your saved tips</b> ({first}–{last} of {total}, newest first)\n\n{tips}")
SAVED_ITEM = _('{emoji} {text}\n<i>Source: <a href="{url}">{source}</a></i>')
BUTTON_NEWER = _("◀️ Newer")
BUTTON_OLDER = _("Older ▶️")

# Why people leave (after /stop; counted, never linked to the person).
STOP_REASON_PROMPT = _("If you like, tell me why (optional, anonymous):")
BUTTON_REASON_OFTEN = _("Too often")
BUTTON_REASON_RELEVANT = _("Not relevant for me")
BUTTON_REASON_KNOWN = _("I know this already")
BUTTON_REASON_OTHER = _("Other")
STOP_REASON_THANKS = _("🙏 Thank you, that helps us improve.")

# The welcome series' day-7 check-in (its texts are in content/welcome.yaml).
BUTTON_CHECKIN_GOOD = _("😊 Good, keep going")
BUTTON_CHECKIN_MUCH = _("Too many tips")
BUTTON_CHECKIN_RELEVANT = _("Not what I need")
CHECKIN_GOOD = _("😊 Glad to hear it! See you at your next tip.")

# The weekly recap.
RECAP = _(
    "🗓 <b>Your week</b>\nTips: {tips}, tried: {tried}\nWeeks in a row with a tried tip: {streak}\n"
)
RECAP_REVISIT = _("👍 One you liked, worth another look:\n<i>{text}</i>")
RECAP_TOPIC = _("🆕 Not switched on yet: <b>{title}</b>. /topics adds it.")
BUTTON_RECAP_OFF = _("🔕 No weekly recap")
RECAP_OFF = _("🔕 No more weekly recap. /recap on brings it back.")
RECAP_ON = _("🗓 The weekly recap comes with your week's last tip (Sundays for a daily tip).")
RECAP_USAGE = _("Send /recap on or /recap off.")
RECAP_STATE_ON = _("on")
RECAP_STATE_OFF = _("off")

# /mydata
MYDATA_SHAPING = _(
    "Weekly recap: {recap}\n"
    "Days: {days}\n"
    "Tips you tried: {tried}\n"
    "Saved tips: {saved}\n"
    "Snoozed tip: {snoozed}"
)


# The texts that ``{NAME}`` placeholders include.
i18n.define_includes(globals())
