"""The ``t.me/<bot>?start=consult`` deep link, shared by /start (the subscriber area) and the
consultation form."""

from telegram.ext import filters

#: ``/start consult`` opens the consultation form; /start leaves it to tipbot.consult.
CONSULT_DEEP_LINK = filters.Regex(r"^/start(@\w+)?\s+consult\s*$")
