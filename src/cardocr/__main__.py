"""`python -m cardocr` == the `cardocr` command."""

from cardocr.cli import app

app(prog_name="cardocr")
