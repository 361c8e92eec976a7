"""cnpolicy: Chinese government policy texts turned into structured, searchable data."""

__version__ = "0.1.0"

__all__ = ["__version__"]
