"""The report's formats, a module each: ``pdf`` (Typst, tagged PDF/UA-1), ``html`` (one self-contained accessible
file) and ``excel`` (xlsxwriter). Each lays out a :class:`carelens.report.document.Report`; none computes a figure."""
