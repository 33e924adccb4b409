"""The one error a grammar file can raise (kept apart so grammar and slot modules share it)."""


class TemplateError(ValueError):
    """A template grammar is unusable; the message names the file, intent, slot and what would be valid."""
