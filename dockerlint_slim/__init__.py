"""dockerlint-slim: a Dockerfile linter and auto-fixer that makes Python images slim."""

__version__ = "0.1.0"
