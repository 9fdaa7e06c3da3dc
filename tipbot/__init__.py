"""tipbot: one evidence-based gut–brain health tip a day, in Telegram."""

__version__ = "0.1.0"
