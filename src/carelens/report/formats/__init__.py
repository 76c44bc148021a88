"""The report's formats: each module writes a :class:`carelens.report.document.Report` in one format."""
