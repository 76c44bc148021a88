"""Published DfE statistics to benchmark an authority against: its statistical neighbours, its region
and England.

``build`` turns a folder of DfE downloads into one compact DuckDB file shipped with the package;
``published`` reads it.
"""
