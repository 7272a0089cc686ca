"""nbgrader's CheckCellMetadata step, with the metadata schema compiled once per process.

nbgrader checks every cell's nbgrader metadata with `jsonschema.validate`, which first
validates the schema itself, for every cell, twice per submission (sanitize and
autograde): about a fifth of a grading worker's own time. This step makes the same
checks and raises the same errors, with one compiled validator.
"""
from __future__ import annotations

import traceback

from jsonschema import exceptions, validators
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator, SchemaTooNewError, SchemaTooOldError
from nbgrader.preprocessors import CheckCellMetadata

_COMPILED: dict[int, object] = {}


class _CompiledSchemaCheck(BaseMetadataValidator):
    """BaseMetadataValidator.validate_cell, with `jsonschema.validate` split into its schema
    check (once) and its instance check (each cell)."""

    def _schema_validator(self):
        if self.schema_version not in _COMPILED:
            cls = validators.validator_for(self.schema)
            cls.check_schema(self.schema)
            _COMPILED[self.schema_version] = cls(self.schema)
        return _COMPILED[self.schema_version]

    def validate_cell(self, cell) -> None:
        if "nbgrader" not in cell.metadata:
            return
        version = cell.metadata["nbgrader"].get("schema_version", 0)
        if version < self.schema_version:
            raise SchemaTooOldError(f"Outdated schema version: {version} (expected {self.schema_version})",
                                    version, self.schema_version)
        if version > self.schema_version:
            raise SchemaTooNewError(f"Schema version is too new: {version} (expected {self.schema_version})",
                                    version, self.schema_version)
        error = exceptions.best_match(self._schema_validator().iter_errors(cell.metadata["nbgrader"]))
        if error is not None:
            raise error


class CompiledMetadataValidator(MetadataValidator, _CompiledSchemaCheck):
    """nbgrader's current metadata validator; its `super().validate_cell` lands in the compiled check."""


class CompiledCheckCellMetadata(CheckCellMetadata):
    def preprocess(self, nb, resources):
        try:
            CompiledMetadataValidator().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg)
        return nb, resources
