"""The CareLens web application (Django 5.2): dashboards, indicator pages, drill-down to the children, a child's
journey, data loads and reports, with role-based access enforced on the server and an access log.

One Django app per capability (``accounts``, ``dashboards``, ``children``, ``loads``, ``reports``). The app keeps
its own data (users, roles, the access log, report records) in SQLite by default or PostgreSQL
(``DATABASE_URL``); it reads the child-journey store only through ``carelens.model.store.Store`` and the figures
only through ``carelens.indicators.api``, and nothing outside this package imports Django.
"""
