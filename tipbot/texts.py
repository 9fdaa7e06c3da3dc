"""Every sentence a person reads, in one place, so it can be reviewed and translated.

All texts are Telegram HTML. Placeholders that carry user-provided text must be filled
with ``html.escape``d values by the caller.
"""

# ----------------------------------------------------------------------------- common

NOT_MEDICAL_ADVICE = (
    "ℹ️ Tips are general information, not medical advice. For your own situation, "
    "talk to your doctor or a qualified health professional."
)

CRISIS = (
    "🆘 If you are in crisis or thinking about harming yourself, please contact your local "
    "emergency number or a crisis line now. This bot cannot help in an emergency."
)

ERROR_APOLOGY = "😕 Sorry, something went wrong on my side. Please try again in a moment."

UNKNOWN_COMMAND = "🤔 I don't know the command {command}. Send /help to see what I can do."

FREE_TEXT = "I answer commands and buttons. Send /help to see what I can do. 🙂"

PRIVATE_CHAT_ONLY = (
    "Let's talk in a private chat, so your settings stay yours: "
    '<a href="{link}">open a chat with me</a>.'
)

# ----------------------------------------------------------------------------- subscriber

WELCOME = (
    "👋 <b>Welcome!</b> Every day I'll send you one short, evidence-based tip about your "
    "gut and your mind: prebiotics and probiotics, omega-3, exercise, stress and the "
    "gut–brain axis. Each tip names its source: a study or a health guideline.\n\n"
    "⏰ Your first tip comes at <b>{time}</b> ({timezone}), {when}.\n"
    "Change the time with /time, your timezone with /timezone, your topics with /topics.\n\n"
    + NOT_MEDICAL_ADVICE
)

WELCOME_BACK = (
    "👋 <b>Welcome back!</b> You're subscribed again. Your next tip comes at <b>{time}</b> "
    "({timezone}), {when}.\n\n" + NOT_MEDICAL_ADVICE
)

ALREADY_SUBSCRIBED = (
    "✅ You're already subscribed. Your next tip comes at <b>{time}</b> ({timezone}), {when}. "
    "See /settings to change anything."
)

BUTTON_SET_TIME = "⏰ Time"
BUTTON_SET_TIMEZONE = "🌍 Timezone"
BUTTON_SET_TOPICS = "📚 Topics"

HELP = (
    "<b>What I do</b>\n"
    "One short, evidence-based tip a day about the gut and the mind, at the time you choose.\n\n"
    "{commands}\n\n" + NOT_MEDICAL_ADVICE + "\n\n" + CRISIS
)

NOT_SUBSCRIBED = "You're not subscribed to the daily tips. Send /start to subscribe. 🙂"

SLOW_DOWN = "🐢 That's a lot at once! Please slow down a little; I'll listen again in a moment."
SLOW_DOWN_CLINIC = (
    "🐢 That's a lot at once! Everything you write still reaches the clinic's team, "
    "it may just take a moment longer."
)

TIME_PROMPT = (
    "⏰ When should your daily tip come? Pick a time, or send it like <code>/time 7:30</code>."
)

TIME_INVALID = (
    "🤔 I couldn't read that time. Send it like <code>/time 07:30</code>; "
    "<code>7:30</code>, <code>07.30</code>, <code>7am</code>, <code>7:30 pm</code> and "
    "<code>19h</code> work too."
)

TIME_SET = "✅ Your daily tip now comes at <b>{time}</b> ({timezone}); the next one {when}."

TIMEZONE_PROMPT = (
    "🌍 Which timezone are you in? Share your location with the button below, or send it "
    "like <code>/timezone Europe/Berlin</code>, <code>/timezone berlin</code> or "
    "<code>/timezone UTC+2</code>."
)

TIMEZONE_UNKNOWN = (
    "🤔 I don't know the timezone <b>{text}</b>. Send a name like "
    "<code>/timezone Europe/Berlin</code> or an offset like <code>/timezone UTC+2</code>."
)

TIMEZONE_SUGGEST = "🤔 I don't know the timezone <b>{text}</b>. Did you mean one of these?"

TIMEZONE_SET = (
    "✅ Your timezone is now <b>{timezone}</b>; it's {local_time} there now. "
    "Your daily tip comes at <b>{time}</b>, the next one {when}."
)

TIMEZONE_NOT_FOUND_AT_LOCATION = (
    "🤔 I couldn't find a timezone for that place (at sea?). Send it like "
    "<code>/timezone Europe/Berlin</code>."
)

BUTTON_SHARE_LOCATION = "📍 Share my location"

TOPICS_PROMPT = "📚 Your topics. Tap to switch one on ✅ or off ▫️:"

TOPICS_LAST_ONE = "At least one topic has to stay on."

TOPIC_ON = "On: {title}"

TOPIC_OFF = "Off: {title}"

PAUSE_INVALID = (
    "🤔 Send <code>/pause</code> to pause until you send /resume, or "
    "<code>/pause 7</code> for a number of days from 1 to 365."
)

PAUSED_OPEN = "⏸ Paused. I won't send daily tips until you send /resume."

ONE_DAY = "1 day"
DAYS = "{days} days"

PAUSED_DAYS = (
    "⏸ Paused for {days}. Your tips restart by themselves; the next one comes "
    "at <b>{time}</b> on {date}. Send /resume to restart earlier."
)

RESUMED = "▶️ Welcome back! Your next tip comes at <b>{time}</b> ({timezone}), {when}."

NOT_PAUSED = "Your daily tips are not paused. Send /pause to pause them."

STOP_CONFIRM = "Do you want to unsubscribe from the daily tips?"

BUTTON_STOP_YES = "Yes, unsubscribe"

BUTTON_CANCEL = "No, keep it"

STOPPED = (
    "👋 You're unsubscribed; no more daily tips. Your settings are kept: send /start "
    "any time to come back, or /forget to delete your data."
)

KEPT = "👍 Nothing changed."

SETTINGS = (
    "<b>Your settings</b>\n"
    "Status: {status}\n"
    "Time: <b>{time}</b>\n"
    "Timezone: {timezone} (now {local_time})\n"
    "Topics: {topics}\n"
    "Next tip: {next_tip}"
)

STATUS_ACTIVE = "✅ subscribed"
STATUS_PAUSED_OPEN = "⏸ paused until you send /resume"
STATUS_PAUSED_UNTIL = "⏸ paused until {date}"
STATUS_STOPPED = "not subscribed (send /start)"
STATUS_BLOCKED = "not reachable (send /start to restart)"

NEXT_TIP = "{time} {when}"
NO_NEXT_TIP = "none scheduled"

MYDATA = (
    "<b>What I store about you</b>\n"
    "Telegram user id: <code>{user_id}</code>\n"
    "Status: {status}\n"
    "Since: {created}\n"
    "Campaign link: {source}\n"
    "Language: {language}\n"
    "Daily time: {time}, timezone: {timezone}\n"
    "Topics: {topics}\n"
    "Tips seen: {daily} daily, {on_demand} on request\n"
    "Votes: {up} 👍, {down} 👎\n"
    "Consultation requests: {requests}\n\n"
    "Send /forget to delete all of it."
)

MYDATA_NO_SUBSCRIPTION = (
    "<b>What I store about you</b>\n"
    "Telegram user id: <code>{user_id}</code>\n"
    "Subscription: none\n"
    "Consultation requests: {requests}\n\n"
    "Send /forget to delete all of it."
)

MYDATA_REQUEST = "#{id} ({status}, {date})"
MYDATA_NONE = "none"
MYDATA_EMPTY = "I store nothing about you. 🙂"

FORGET_CONFIRM = (
    "🗑 Delete everything I store about you: subscription, settings, tip history, votes "
    "and consultation requests? This cannot be undone."
)

BUTTON_FORGET_YES = "Yes, delete everything"

FORGOTTEN = "🗑 Done: I deleted all your data. Send /start if you ever want tips again."

BUTTON_NOT_VALID = "This button is no longer valid."

# ----------------------------------------------------------------------------- tips

TIP = '{emoji} <b>{title}</b>\n\n{text}\n\n<i>Source: <a href="{url}">{source}</a></i>'

BUTTON_VOTE_UP = "👍"
BUTTON_VOTE_DOWN = "👎"
BUTTON_ANOTHER_TIP = "➕ Another tip"
BUTTON_CONSULT = "💬 Free consultation"

TOPIC_LIST = "📚 Pick a topic for a tip right now:"

TOPIC_UNKNOWN = "🤔 I don't know the topic <b>{text}</b>. Pick one of these:"

VOTE_THANKS = "Thanks for your feedback!"

UNKNOWN_TIP = "I don't know that tip any more."

# ----------------------------------------------------------------------------- delivery

# ----------------------------------------------------------------------------- consultation

# The person's side: the form.
CONSULT_INTRO = (
    "💬 <b>Free consultation</b>\n"
    "A few short questions, then a member of the clinic's team gets in touch with you. "
    "Send /cancel at any time to stop.\n\n"
    "<b>1/5</b> What is your name?"
)
CONSULT_ASK_NAME = "<b>1/5</b> What is your name?"
CONSULT_ASK_CONTACT = (
    "<b>2/5</b> How should the clinic reach you? Share your phone number with the button, "
    "type your e-mail address, or let them write to you here in Telegram."
)
CONSULT_ASK_EMAIL = "✉️ Please type your e-mail address."
CONSULT_ASK_TIME = (
    "<b>3/5</b> When suits you best? Pick one or write your own (e.g. “Tuesdays after 5 pm”)."
)
CONSULT_ASK_TOPIC = "<b>4/5</b> What would you like to talk about?"
CONSULT_ASK_NOTE = (
    "Anything you'd like the clinic to know beforehand? Write a short note (up to "
    "{limit} characters), or press “{skip}”."
)
CONSULT_ASK_CONSENT = (
    "<b>5/5</b> May I share these details with the clinic's staff so they can contact you? "
    "They are used only for this consultation, and /forget deletes them."
)
CONSULT_PRIVACY_POLICY = '\n<a href="{url}">The clinic\'s privacy policy</a>'
CONSULT_SUMMARY_INTRO = "Thank you! Please check your request:"
CONSULT_SUMMARY = (
    "📝 <b>Your consultation request</b>\n"
    "Name: {name}\n"
    "Contact: {contact}\n"
    "Preferred time: {preferred_time}\n"
    "Topic: {topic}\n"
    "Note: {note}\n\n"
    "Send it to the clinic?"
)
CONSULT_RECEIVED = (
    "✅ <b>Request #{number} received.</b>\n"
    "The clinic's team has it now. When someone takes it on, I'll tell you here, and they'll "
    "contact you as you asked. Anything you write to me until then goes to them too.\n\n"
    "ℹ️ A consultation is a conversation, not a diagnosis or a promise of a cure."
)
CONSULT_CANCELLED = "👌 Cancelled. Nothing was sent. /consult starts again whenever you like."
CONSULT_TIMED_OUT = (
    "⌛ The consultation form closed after 30 minutes without an answer, and nothing was "
    "sent. /consult starts again whenever you like."
)
CONSULT_NO_CONSENT = (
    "👌 Understood: without your consent I can't pass your request on, so nothing was sent. "
    "/consult starts again whenever you like."
)
CONSULT_ALREADY_OPEN = (
    "📨 You already have an open request, <b>#{number}</b> ({status}), sent {when}.\n"
    "Anything you write to me goes to the clinic's team on that request."
)
CONSULT_STATUS_OPEN = "waiting for a team member"
CONSULT_STATUS_CLAIMED = "{staff} from the clinic is looking after it"
CONSULT_ADD_NOTE = "✍️ Just write your note here, and I'll pass it on to the clinic's team."
CONSULT_REQUEST_CANCELLED = "👌 Request #{number} is cancelled. /consult starts a new one."
CONSULT_REQUEST_GONE = "That request is no longer open. /consult starts a new one."
CONSULT_RELAY_NOTICE = (
    "📨 I've passed your message to the clinic's team (request #{number}). Everything you "
    "write to me while the request is open goes to them too."
)
CONSULT_CLAIMED = "👋 {staff} from the clinic will contact you about request #{number}."
CONSULT_UNCLAIMED = (
    "ℹ️ Request #{number} is back with the whole team; another team member will contact you."
)
CONSULT_CLOSED = (
    "✅ Request #{number} is closed. Thank you for talking to the clinic! /consult opens a "
    "new request any time."
)
CONSULT_FROM_CLINIC = "💬 <b>Message from the clinic:</b>\n{text}"
CONSULT_FROM_CLINIC_MEDIA = "💬 <b>Message from the clinic:</b>"
CONSULT_UNSUPPORTED_KIND = (
    "I can pass text, photos, documents, voice notes, videos, stickers and locations to the "
    "clinic's team, but not this kind of message. Please send it as one of those."
)

# The form's answers: errors, each followed by the same question again.
CONSULT_EMPTY_ANSWER = "Please write an answer (or /cancel to stop)."
CONSULT_TOO_LONG = "That's a bit long: please keep it under {limit} characters."
CONSULT_BAD_EMAIL = "🤔 That doesn't look like an e-mail address (like name@example.com)."
CONSULT_NOT_OWN_CONTACT = (
    "🔒 I can only accept your own phone number: please use the “{button}” button."
)
CONSULT_PICK_BUTTON = "Please choose one of the buttons below."

BUTTON_CONSULT_SHARE_PHONE = "📱 Share my phone number"
BUTTON_CONSULT_EMAIL = "✉️ E-mail"
BUTTON_CONSULT_TELEGRAM = "💬 Message me here in Telegram"
CONSULT_TIME_OPTIONS = (
    "Weekday mornings",
    "Weekday afternoons",
    "Weekday evenings",
    "Weekends",
)
BUTTON_CONSULT_OTHER_TOPIC = "Something else"
BUTTON_CONSULT_SKIP = "Skip"
BUTTON_CONSULT_AGREE = "✅ Yes, share them"
BUTTON_CONSULT_DISAGREE = "❌ No"
BUTTON_CONSULT_CONFIRM = "✅ Send"
BUTTON_CONSULT_EDIT = "✏️ Edit"
BUTTON_CONSULT_CANCEL = "✖️ Cancel"
BUTTON_CONSULT_ADD_NOTE = "✍️ Add a note"
BUTTON_CONSULT_CANCEL_REQUEST = "✖️ Cancel the request"
CONTACT_TELEGRAM = "message in Telegram"
NOTHING = "—"

# ----------------------------------------------------------------------------- staff

STAFF_ONLY = "🔒 Only for the clinic staff, in the staff group."

STATS = (
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
STATS_STAFF_CHAT_MOVED = (
    "\n\n⚠️ Telegram made this group a supergroup: its id is now <code>{new}</code> "
    "(stored by the bot). Set <code>TIPBOT_STAFF_CHAT_ID={new}</code> in place of {old}."
)
STATS_NONE = "none yet"
STATS_DIRECT = "direct"
STATS_VOTE_LINE = "  {topic}: 👍 {up} / 👎 {down}"
STATS_TIP_LINE = "  {tip}: 👍 {up} / 👎 {down}"

BROADCAST_USAGE = (
    "📣 Write the announcement after the command, for example:\n"
    "<code>/broadcast Our clinic is closed on Friday.</code>\n"
    "You will see a preview and the number of recipients before anything is sent."
)
BROADCAST_TOO_LONG = "📣 That announcement is {length} characters long; at most {limit} fit."
BROADCAST_NO_RECIPIENTS = "📣 There are no active subscribers to send to right now."
BROADCAST_PREVIEW = (
    "📣 <b>Preview</b> for all active subscribers (<b>{count}</b>):\n"
    "────────────\n{text}\n────────────\nSend it?"
)
BUTTON_BROADCAST_SEND = "✅ Send to {count}"
BUTTON_BROADCAST_CANCEL = "✖️ Cancel"
BROADCAST_SENDING_ALERT = "Sending…"
BROADCAST_NOT_A_DRAFT = "This announcement was already sent or cancelled."
BROADCAST_CANCELLED = "✖️ Broadcast cancelled; nothing was sent."
BROADCAST_PROGRESS = "📣 Broadcast #{id}: {sent} / {total} sent, {blocked} blocked"
BROADCAST_DONE = (
    "✅ Broadcast #{id} finished: {sent} / {total} sent, {blocked} blocked, {failed} failed."
)

RELOAD_OK = "✅ Tip library reloaded: {tips} tips in {topics} topics."
RELOAD_FAILED = (
    "❌ The tip library was <b>not</b> reloaded; the current one stays in use.\n"
    "Problems in the file:\n{problems}"
)

# Consultation cards and the staff group's thread (the clinic's own language).
CARD = (
    "🩺 <b>Consultation request #{number}</b>\n"
    "Status: {status}\n"
    "Name: {name}\n"
    "Contact: {contact}\n"
    "Preferred time: {preferred_time}\n"
    "Topic: {topic}\n"
    "Note: {note}\n"
    "Source: {source}\n"
    "Received: {created}"
)
CARD_REPLY_HINT = "\n\n<i>Reply to this card to write to the person.</i>"
CARD_STATUS_OPEN = "🟡 open, unclaimed"
CARD_STATUS_CLAIMED = "🔵 claimed by {staff}"
CARD_STATUS_CLOSED = "✅ closed by {staff}"
CARD_STATUS_CANCELLED = "✖️ cancelled by the person"
CARD_REMOVED = "🗑 Request #{number}: removed at the person's request."
BUTTON_CARD_CLAIM = "🙋 Claim"
BUTTON_CARD_UNCLAIM = "↩️ Unclaim"
BUTTON_CARD_CLOSE = "✅ Close"
THREAD_RELAY = "💬 <b>#{number} {name}:</b>\n{text}"
THREAD_MEDIA = "📎 <b>#{number} {name}:</b> {label}"
STAFF_UNSUPPORTED_KIND = (
    "ℹ️ This kind of message can't be passed on (#{number}): send text, a photo, document, "
    "voice note, video, sticker or location."
)
THREAD_CANCELLED = "✖️ #{number}: the person cancelled the request."
THREAD_DELIVERED = "✅ Delivered to the person (#{number})."
THREAD_BLOCKED = "🚫 Not delivered: the person has blocked the bot (#{number})."
THREAD_NOT_DELIVERED = "⚠️ Not delivered (#{number}): Telegram refused the message."
THREAD_REQUEST_NOT_OPEN = "ℹ️ Request #{number} is {status}; the message was not sent."
REMINDER = (
    "⏰ Request #{number} ({name}) has been waiting for {age} (since {since}) "
    "without anyone claiming it."
)
STAFF_ALREADY_CLAIMED = "Request #{number} is already claimed by {staff}."
STAFF_NOT_POSSIBLE = "Request #{number} is {status}: nothing to do."
STAFF_UNKNOWN_REQUEST = "There is no request #{number}."
STAFF_CLAIMED = "You have claimed #{number}."
STAFF_UNCLAIMED = "#{number} is back with the team."
STAFF_CLOSED = "#{number} is closed."
STAFF_NO_OPEN_REQUESTS = "🎉 No open consultation requests."
STAFF_OPEN_REQUESTS = "📋 <b>Open consultation requests</b>\n{lines}"
STAFF_OPEN_REQUEST_LINE = "#{number} {name} – {age} (since {since}) – {holder}"
STAFF_HOLDER_NOBODY = "unclaimed"
STAFF_REQUEST_USAGE = "Usage: /request N (the request number, e.g. /request 12)."
STAFF_REPLY_TOO_LONG = (
    "✂️ That message is too long for Telegram ({limit} characters at most): please split it."
)

# ----------------------------------------------------------------------------- going live

CHATID_GROUP = (
    "🆔 This group's id is <code>{chat_id}</code>.\n"
    "To make it the clinic's staff group, set <code>TIPBOT_STAFF_CHAT_ID={chat_id}</code>."
)
CHATID_PRIVATE = (
    "🆔 Your Telegram user id is <code>{user_id}</code>.\n"
    "To count as staff everywhere, add it to <code>TIPBOT_STAFF_USER_IDS</code>."
)
GROUP_ADDED_CONFIGURE = (
    "👋 Hello! This group's id is <code>{chat_id}</code>.\n"
    "To make it the clinic's staff group, where consultation requests arrive, put this line "
    "in the bot's configuration (<code>.env</code>) and restart the bot:\n"
    "<code>TIPBOT_STAFF_CHAT_ID={chat_id}</code>"
)
GROUP_ADDED_STAFF = (
    "👋 Hello, team! Consultation requests will arrive here as cards. Reply to a card to "
    "write to the person; /requests lists the open ones."
)
