"""The one exception the command turns into a one-line message and exit status 2."""


class UsageError(Exception):
    """A user mistake: its message says what was wrong and what is allowed."""


def one_line(error):
    """The first line of an exception's message, for a one-line report."""
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
