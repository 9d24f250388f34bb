"""The one error of a user's file that cannot be used."""


class DataError(ValueError):
    """A user's file (or row, or column) that cannot be used.

    Its message is one line that names the file, and the row or column at
    fault where there is one; `keras-seq` prints it and exits with status 2.
    """


def where(path, row=None, column=None):
    """`path`, `path, row 3` or `path, column 'label'`: the start of a message.

    Args:
        path: the file.
        row: the example's number, 1-based (the header line not counted).
        column: the column's name.
    """
    text = str(path)
    if row is not None:
        text += f", row {row}"
    if column is not None:
        text += f", column {column!r}"
    return text
