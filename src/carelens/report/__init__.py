"""What a council reads: figures from the store and the published ones, put together to be shown.

``headlines`` gives the headline indicators at the latest complete month; ``demo_summary`` the
tables ``carelens demo`` ends with. The council report (issue 15) is to live here too. The package
sits above ``indicators`` and ``published``, whose figures it shows, and below the command line
(decision 012).
"""
