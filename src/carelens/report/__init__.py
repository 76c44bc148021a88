"""What a council reads: the monthly performance report, from the store's figures and the published ones.

``build`` makes the report (``sections`` its content as data, ``figures`` what it is drafted from, through the
results API and the published figures only; ``tables``, ``disclosure_control``, ``control``, ``charts``, the
drafted ``narrative``) as a format-free ``document``, and ``formats`` writes it as PDF, HTML and Excel
(decision 019, docs/report). ``headlines`` and ``demo_summary`` are the tables ``carelens demo`` prints. The
package sits above ``indicators``, ``published`` and ``charts`` and below the web app, the demo and the command
line (decision 012).
"""
