"""The one exception the page shows as a message: a bad input."""


class BadInput(ValueError):
    """An input the model cannot take; its message is shown on the page."""
