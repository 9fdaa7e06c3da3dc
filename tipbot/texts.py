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


# ----------------------------------------------------------------------------- issue 23: help desk

# Working hours (TIPBOT_CLINIC_HOURS), to the person.
HOURS_CLOSED_NOTICE = _(
    "🕘 The clinic is closed right now. We open {when} and will answer you then."
)
HOURS_TODAY_AT = _("today at {time}")
HOURS_TOMORROW_AT = _("tomorrow at {time}")
HOURS_WEEKDAY_AT = _("on {weekday} at {time}")
HOURS_DATE_AT = _("on {date} at {time}")
HOURS_ZONE = _("{when} ({zone} time)")
# {clinic_hours} in a snippet when no hours are configured.
HOURS_ALWAYS = _("every day, at any time")

# Snippets (/s NAME, /snippets), to staff.
SNIPPET_USAGE = _(
    "Reply to a request's card (or to a message from the person) with /s NAME, e.g. "
    "<code>/s call</code>. /snippets lists them."
)
SNIPPET_UNKNOWN = _("There is no snippet <code>{name}</code>. Known: {names}.")
SNIPPETS_NONE = _("No snippets yet: add them to <code>content/snippets.yaml</code>.")
SNIPPETS_LIST = _("🧩 <b>Snippets</b> (reply to a request with /s NAME)\n{lines}")
SNIPPET_SENT = _("🧩 Snippet <code>{name}</code> for #{number} ({language}):\n<i>{text}</i>")

# Rating after the close, to the person.
RATING_ASK = _("How did we do? Please rate our help from 1 (poor) to 5 (excellent).")
RATING_THANKS = _(
    "Thank you for your rating ({stars})! If you'd like to tell us more, reply to this "
    "message; otherwise there is nothing more to do."
)
RATING_ALREADY = _("You have already rated this request. Thank you!")
RATING_GONE = _("This rating button is no longer valid.")
RATING_COMMENT_THANKS = _("Thank you, we have passed your comment to the team.")
# … and to staff, when the rating is low.
THREAD_LOW_RATING = _("⚠️ #{number} {name} rated our help {rating}/5. Please follow up with them.")
THREAD_RATING_COMMENT = _("💬 #{number} {name} commented on their rating ({rating}/5): {text}")


# The person's history on the card (staff language).
HISTORY = _("\n\n👤 <b>History</b>\n{subscription}\n{earlier}")
HISTORY_SUBSCRIBED = _(
    "Daily tips since {since} ({status}); topics: {topics}; language: {language}"
)
HISTORY_NOT_SUBSCRIBED = _("Not subscribed to the daily tips.")
HISTORY_ACTIVE = _("active")
HISTORY_PAUSED = _("paused")
HISTORY_STOPPED = _("stopped")
HISTORY_BLOCKED = _("blocked the bot")
HISTORY_NO_EARLIER = _("No earlier requests.")
HISTORY_EARLIER = _("Earlier requests:\n{items}")
HISTORY_EARLIER_ITEM = _("• #{number} {date}: {outcome}")
HISTORY_RATED = _(", rated {rating}/5")
HISTORY_MORE = _("• and {count} older")

# Assignment (/assign, /mine), to staff.
ASSIGN_USAGE = _(
    "Reply to a request's card with /assign to choose a colleague, or with "
    "<code>/assign @username</code>."
)
ASSIGN_CHOOSE = _("👉 Assign #{number} to:")
ASSIGN_UNKNOWN_STAFF = _(
    "{name} is not on the staff as far as I know: colleagues appear here once they have "
    "used the bot in this group (pressed a card button, replied to a card)."
)
ASSIGN_NOT_OPEN = _("#{number} is no longer open: nothing to assign.")
ASSIGN_BUTTON_GONE = _("This colleague can no longer be chosen.")
ASSIGN_DONE = _("#{number} is assigned.")
THREAD_ASSIGNED = _("👉 #{number} is now with {assignee} (assigned by {by}).")
MINE = _("🗂 <b>Your open requests</b>\n{lines}")
MINE_LINE = _("#{number} {name} – {age} (since {since})")
MINE_NONE = _("You hold no open requests.")

# Blocking (/block, /unblock).
BLOCK_USAGE = _(
    "Reply to a request's card (or to a message from the person) with /block or /unblock."
)
THREAD_BLOCKED_PERSON = _(
    "🚫 The person of #{number} is blocked: their messages are no longer passed on "
    "(their daily tips continue). /unblock, replying here, undoes it."
)
THREAD_UNBLOCKED_PERSON = _(
    "✅ The person of #{number} is unblocked: their messages reach you again."
)
BLOCK_ALREADY = _("The person of #{number} is already blocked.")
UNBLOCK_NOT_BLOCKED = _("The person of #{number} is not blocked.")
CONSULT_BLOCKED = _(
    "The clinic's team cannot take further messages from you in this chat. Your daily tips "
    "continue as before. For anything urgent, please contact your doctor or, in an "
    "emergency, your local emergency number."
)

# Auto-close.
NUDGE_STILL_NEED_HELP = _(
    "👋 Do you still need help with your request #{number}? If we don't hear from you in "
    "2 days, we will close it (you can always ask again with /consult)."
)
BUTTON_STILL_NEED_YES = _("Yes, I still need help")
BUTTON_STILL_NEED_NO = _("No, you can close it")
NUDGE_YES = _("Thank you! The clinic's team will get back to you. You can write here anytime.")
THREAD_STILL_NEEDS_HELP = _("👋 #{number} {name} still needs help (answered the nudge).")
THREAD_AUTOCLOSED = _(
    "⏹ #{number} closed automatically: no answer from the person since the clinic's last "
    "message and the nudge."
)
AUTOCLOSE_NAME = _("auto-close")

# The support report (/report), to staff.
REPORT = _("📊 <b>Support report: requests of the last {days} days</b> (working hours)\n\n{lines}")
REPORT_LINE = _(
    "<b>{who}</b>: {requests} requests, {claimed} claimed, {closed} closed\n"
    "First answer (median): {first}; resolved in (median): {resolution}\n"
    "Answered within {within}: {share}; rating: {rating}"
)
REPORT_TEAM = _("Team")
REPORT_RATING = _("{average}/5 ({count})")
REPORT_USAGE = _("Usage: /report (the last 7 days) or /report N (days, 1 to {most}).")

# ---- issue 25: campaigns (targeted, per-language, scheduled broadcasts; 24: quiet ones)

CAMPAIGN_USAGE = _(
    "📣 Write the announcement after the command, for example:\n"
    "<code>/broadcast Our clinic is closed on Friday.</code>\n"
    "Options before the text choose who and when: <code>lang=es</code>, "
    "<code>topic=stress</code>, <code>source=flyer</code> (a /start link; <code>none</code>: "
    "without one), <code>status=active|paused|all</code>, <code>since=2026-01-01</code>, "
    "<code>at=2026-06-02T09:00</code> (clinic time), <code>at=tip</code> (with each person's "
    "next tip), <code>at=daytime</code> (at each person's tip time, between 08:00 and 21:00 "
    "theirs), <code>button=consult</code> or <code>button=https://…</code>, "
    "<code>photo=https://…</code> (or reply to a photo). A line <code>[es]</code> starts the "
    "Spanish text; the text before it goes to everyone else.\n"
    "You will see a preview and the number of recipients before anything is sent."
)
CAMPAIGN_UNKNOWN_OPTION = _(
    "📣 I don't know the option {option}. The options are: {options}. Send /broadcast alone "
    "for examples."
)
CAMPAIGN_REPEATED_OPTION = _(
    "📣 The option {option} is there twice: give it once, with values separated by commas "
    "(<code>lang=en,es</code>)."
)
CAMPAIGN_EMPTY_VALUE = _("📣 The option <code>{key}=</code> needs a value after the = sign.")
CAMPAIGN_BAD_VALUE = _("📣 {option} does not work: {hint}")
CAMPAIGN_HINT_LANG = _("the languages are {choices}.")
CAMPAIGN_HINT_TOPIC = _("the topics are {choices}.")
CAMPAIGN_HINT_SOURCE = _(
    "a source is the word after /start in a link (letters, digits, _ and -), or "
    "<code>none</code> for people who came without a link."
)
CAMPAIGN_HINT_STATUS = _(
    "the statuses are {choices}; people who stopped or blocked the bot get no broadcasts."
)
CAMPAIGN_HINT_SINCE = _("write the day as <code>2026-01-31</code> (year-month-day).")
CAMPAIGN_HINT_AT = _(
    "write <code>at=2026-06-02T09:00</code> or <code>at=09:00</code> (clinic time, {zone}), "
    "<code>at=tip</code>, <code>at=daytime</code> or <code>at=now</code>."
)
CAMPAIGN_HINT_BUTTON = _(
    "write <code>button=consult</code> (the free consultation) or a link that starts with https://."
)
CAMPAIGN_HINT_PHOTO = _(
    "write a photo's link that starts with https://, or reply to a photo with /broadcast."
)
CAMPAIGN_AT_PAST = _("📣 {option} is in the past (clinic time): choose a later time.")
CAMPAIGN_AT_TOO_FAR = _("📣 {option} is more than a year away: choose an earlier time.")
CAMPAIGN_UNKNOWN_LANGUAGE = _(
    "📣 I have no catalog for {markers}: the languages are {choices}. A line like "
    "<code>[es]</code> starts the text in that language."
)
CAMPAIGN_TEXT_MISSING = _(
    "📣 The text for everyone else is missing: write it before the first language line, "
    "or add a <code>[{language}]</code> text."
)
CAMPAIGN_TEXT_EMPTY = _("📣 The <code>[{language}]</code> text is empty.")
CAMPAIGN_REPEATED_LANGUAGE = _("📣 There are two <code>[{language}]</code> texts: keep one.")
CAMPAIGN_CAPTION_TOO_LONG = _(
    "📣 With a photo the text is its caption: the {language} text is {length} characters "
    "long; at most {limit} fit."
)
CAMPAIGN_NO_RECIPIENTS = _("📣 Nobody is in that segment ({segment}) right now.")
CAMPAIGN_PREVIEW = _(
    "📣 <b>Preview</b> of broadcast #{id} for <b>{count}</b> subscribers: {segment}\n"
    "By language: {languages}\n{when}{extras}\n{texts}Send it?"
)
CAMPAIGN_EVERYONE = _("all active subscribers")
CAMPAIGN_TEXT_BLOCK = _("──── {language} ({count}) ────\n{text}\n")
CAMPAIGN_DEFAULT_TEXT = _("everyone else")
CAMPAIGN_WHEN_NOW = _(
    "⏱ Now; silently for people for whom it is night (outside 08:00–21:00 their time)."
)
CAMPAIGN_WHEN_AT = _("⏱ On {when} (clinic time, {zone}).")
CAMPAIGN_WHEN_TIP = _("⏱ With each person's next tip.")
CAMPAIGN_WHEN_DAYTIME = _(
    "⏱ At each person's tip time, moved between 08:00 and 21:00 their time, within a day."
)
CAMPAIGN_WITH_PHOTO = _("\n🖼 With a photo.")
CAMPAIGN_WITH_CONSULT = _("\n🔘 With the “Free consultation” button.")
CAMPAIGN_WITH_LINK = _("\n🔘 With a button to {url}")
BUTTON_CAMPAIGN_SCHEDULE = _("✅ Schedule for {count}")
BUTTON_CAMPAIGN_LINK = _("🔗 Learn more")
CAMPAIGN_SCHEDULED_ALERT = _("Scheduled.")
CAMPAIGN_SCHEDULED = _(
    "🗓 Broadcast #{id} is scheduled. /broadcasts lists what is planned, with a button to "
    "cancel each."
)
CAMPAIGN_LIST_EMPTY = _("🗓 No broadcast is scheduled or sending.")
CAMPAIGN_LIST = _("🗓 <b>Scheduled and sending broadcasts</b>\n{items}")
CAMPAIGN_LIST_ITEM = _("<b>#{id}</b> · {when} · {segment}\n<i>{preview}</i>")
CAMPAIGN_STATE_SENDING = _("sending: {sent} / {total} sent")
BUTTON_CAMPAIGN_CANCEL = _("✖️ Cancel #{id}")
CAMPAIGN_CANCELLED = _("✖️ Broadcast #{id} cancelled; nothing more of it will be sent.")
# ----------------------------------------------------------------------------- issue 25: insight

# TRANSLATORS: chart titles and labels (drawn into PNG images; no HTML, no emoji).
CHART_SUBSCRIBERS = _("Subscribers over time, by status today")
CHART_NEW_BY_SOURCE = _("New subscribers per week, by source")
CHART_TIPS_BY_TOPIC = _("Daily tips sent and votes per topic, last 7 days")
CHART_BEST_WORST = _("Best and worst tips (likes minus dislikes)")
CHART_FUNNEL = _("Consultation funnel, last 7 days")
CHART_REQUEST_TIMES = _("Time to claim, to first answer and to close, requests of the last 7 days")
CHART_SENT = _("sent")
CHART_LIKED = _("liked (% of sent)")
CHART_DISLIKED = _("disliked (% of sent)")
CHART_TRIED = _("tried it (% of sent)")
CHART_REQUESTS = _("requests")
CHART_TO_CLAIM = _("to claim")
CHART_TO_CLOSE = _("to close")
CHART_TO_FIRST_ANSWER = _("to first answer")
CHART_OTHER = _("other")
CHART_NO_DATA = _("no data yet")
CHART_STEP_TIPS = _("tips sent")
CHART_STEP_BUTTON = _("consultation button")
CHART_STEP_FORM = _("form started")
CHART_STEP_REQUEST = _("request made")
CHART_STEP_CLAIMED = _("claimed by staff")
CHART_STEP_CLOSED = _("closed by staff")
CHART_STEP_RATED = _("rated by the person")

DIGEST_TEXT = _(
    "📊 <b>Weekly digest</b> ({start} – {end})\n"
    "👥 {active} active subscribers, {new} new this week, {left} stopped or blocked.\n"
    "💡 {sent} daily tips sent, 👍 {up} / 👎 {down}; best liked: {best}.\n"
    "💬 {requests} consultation requests, {claimed} claimed (median {claim_time}), "
    "{closed} closed."
)
STATS_CHART_CAPTION = _("📊 In pictures: the last 12 weeks ({start} – {end})")
STATS_TIP_USAGE = _(
    "Usage: /stats tip ID (a tip's id from the tip library, e.g. /stats tip {example})."
)
STATS_TIP_UNKNOWN = _(
    "🤷 There is no tip <code>{tip}</code> in the library. /stats tip ID takes a tip's id, "
    "e.g. <code>{example}</code>."
)
STATS_TIP = _(
    "📊 <b>Tip {tip}</b> ({topic})\n"
    "Sent as a daily tip: {sent}; 👍 {up} / 👎 {down}\n"
    "Per language:\n{languages}"
)
STATS_TIP_LANGUAGE_LINE = _("  {language}: sent {sent}, 👍 {up} / 👎 {down}")
STATS_UNKNOWN_LANGUAGE = _("unknown")
STATS_TIP_MARKS = _("✅ Tried it: {tried}; ⭐ saved: {saved}")
STATS_TIP_WORDINGS = _("Per wording (0 is the main text):\n{wordings}")
STATS_TIP_WORDING_LINE = _("  wording {variant}: sent {sent}, 👍 {up} / 👎 {down}")
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
