"""The rule catalogue: one module per rule (installed as ``dockerlint_slim.rules``)."""
