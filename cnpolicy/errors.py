"""The one exception tree of cnpolicy; the CLI maps it to exit codes, the API to HTTP statuses.

Every error names what it is about (a file, a field, a query) and what was expected.
"""

from __future__ import annotations

__all__ = [
    "BackendUnavailableError",
    "CnpolicyError",
    "ConfigError",
    "CorruptFileError",
    "DecodeError",
    "EmptyDocumentError",
    "EncryptedFileError",
    "ExtractError",
    "FileTooLargeError",
    "GoldFormatError",
    "IngestError",
    "ModelLoadError",
    "NoTextLayerError",
    "NotFoundError",
    "QueryError",
    "SchemaVersionError",
    "StoreError",
    "TimeBudgetError",
    "TooLargeError",
    "UnsupportedFormatError",
]


class CnpolicyError(Exception):
    """Base of every error cnpolicy raises on purpose."""

    def __init__(self, message: str, *, source: str | None = None, field: str | None = None):
        self.message = message
        self.source = source
        self.field = field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = self.source or self.field
        return f"{where}: {self.message}" if where else self.message

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled whole (message, source, field): errors cross from worker processes."""
        return (_restore, (type(self), self.message, self.source, self.field))


def _restore(
    kind: type[CnpolicyError], message: str, source: str | None, field: str | None
) -> CnpolicyError:
    return kind(message, source=source, field=field)


# --- reading input -------------------------------------------------------------------------


class IngestError(CnpolicyError):
    """A file could not be turned into a document."""


class EmptyDocumentError(IngestError):
    """The file is empty, or holds no text once cleaned."""


class UnsupportedFormatError(IngestError):
    """The bytes are not any format we read (or not the format the name claims)."""


class DecodeError(IngestError):
    """Text whose encoding could not be determined."""


class NoTextLayerError(IngestError):
    """A PDF with pages but no extractable text (a scan)."""


class EncryptedFileError(IngestError):
    """A password-protected file."""


class CorruptFileError(IngestError):
    """A file of a known format that is truncated or damaged."""


class TooLargeError(IngestError):
    """Input over a budget checked before the work (bytes, characters, PDF pages, a DOCX part's
    inflated size or ratio); the message names the limit and the option that raises it."""


class TimeBudgetError(TooLargeError):
    """Processing went over its time budget (an upload on the server); nothing was stored."""


class FileTooLargeError(TooLargeError):
    """Input over the configured size limit in bytes."""


# --- extraction ------------------------------------------------------------------------------


class ExtractError(CnpolicyError):
    """The extraction pipeline could not be built or run."""


class ModelLoadError(ExtractError):
    """An optional model (neural NER) could not be loaded."""


class GoldFormatError(CnpolicyError):
    """A gold file does not follow ANNOTATION.md or SANDING.md."""


# --- store and search ------------------------------------------------------------------------


class StoreError(CnpolicyError):
    """The store could not be opened, read or written."""


class SchemaVersionError(StoreError):
    """The store was written by a newer, unknown schema version."""


class BackendUnavailableError(StoreError):
    """A search backend (Elasticsearch) cannot be reached."""


class NotFoundError(CnpolicyError):
    """An id that is not in the store."""


class QueryError(CnpolicyError):
    """A malformed query or an invalid parameter."""


class ConfigError(CnpolicyError):
    """An invalid option or setting."""
