"""The page of `keras-seq serve` (page.html): its script asks /api/info what to show."""

from importlib import resources

PAGE = resources.files("keras_seq.serving").joinpath("page.html").read_text("utf-8")
