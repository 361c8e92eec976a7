"""cnpolicy: Chinese government policy texts turned into structured, searchable data."""

__version__ = "0.1.0"
