"""`python -m eval`: the same as `rag eval`."""

from rag.cli import app

app(["eval", *__import__("sys").argv[1:]])
