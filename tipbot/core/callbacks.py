"""Every inline button's callback-data prefix, in one place, with the module that answers it.

Telegram gives a button at most 64 bytes of callback data; the prefixes are short, the
rest is an id. A stale button (after a restart or an update) lands in the fallback.
"""

# The subscriber area; "sub:" namespaces the settings so no other button collides.
VOTE_PREFIX = "vote"  # vote:<tip id>:<1|-1>            tipbot.subscriber.ondemand
MORE_PREFIX = "more"  # more:<topic id>                 tipbot.subscriber.ondemand
SETTINGS_PREFIX = "settings:"  # settings:<time|timezone|topics>  tipbot.subscriber.settings
TIME_DATA = "sub:time:"  # sub:time:<HH:MM>             tipbot.subscriber.settings
TIMEZONE_DATA = "sub:tz:"  # sub:tz:<zone>              tipbot.subscriber.settings
TOPIC_TOGGLE_DATA = "sub:topic:"  # sub:topic:<topic id>  tipbot.subscriber.settings
STOP_DATA = "sub:stop:"  # sub:stop:<yes|no>            tipbot.subscriber.lifecycle
FORGET_DATA = "sub:forget:"  # sub:forget:<yes|no>      tipbot.subscriber.lifecycle
LANGUAGE_DATA = "sub:lang:"  # sub:lang:<language>      tipbot.subscriber.language

# The consultation area
CONSULT_DATA = "consult:start"  # under every tip        tipbot.consult.form
FORM_PREFIX = "cform"  # cform:<confirm|edit|cancel>    tipbot.consult.form
REQUEST_PREFIX = "consult"  # consult:<note|cancel>:<n> tipbot.consult.form
STAFF_PREFIX = "staff"  # staff:<action>:<n>            tipbot.consult.staff_side

# The staff area
BROADCAST_PREFIX = "bcast"  # bcast:<send|cancel>:<n>   tipbot.staff.handlers
