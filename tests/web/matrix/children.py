"""The children app's entries in the permission matrix: every URL name of carelens.web.children, the arguments
to reverse it with (on the small synthetic store of tests/conftest.py), and the status each role gets for each
method. ``anonymous`` is a signed-out request: sent to the sign-in page (302).

A manager in the tests' users is scoped to the SAFEGUARDING service area; the journey's child is open to a
safeguarding team on the store's latest day (tests/web/test_children.py checks that it still is), so the
manager sees it. The auditor has no allocation, so the same child is not found for them (404: the answer for a
child that does not exist). The lists answer every child-level role (an auditor's and a manager's with only the
children in their scope); administrators and councillors are refused every child-level page (403).
"""

JOURNEY_CHILD = "8900000733"  # open to Safeguarding on 2026-03-31 in the small synthetic store (seed 7)

_LIST = {"analyst": {"GET": 200, "POST": 405}, "manager": {"GET": 200, "POST": 405},
         "auditor": {"GET": 200, "POST": 405}, "councillor": {"GET": 403, "POST": 403},
         "administrator": {"GET": 403, "POST": 403}, "anonymous": {"GET": 302, "POST": 302}}

ENTRIES = {
    "children:list": {"kwargs": {"indicator_id": "C8"}, "expected": _LIST},
    "children:list-csv": {"kwargs": {"indicator_id": "C8"}, "expected": _LIST},
    "children:list-xlsx": {"kwargs": {"indicator_id": "C8"}, "expected": _LIST},
    "children:journey": {
        "kwargs": {"la_code": "890", "person_id": JOURNEY_CHILD},
        "expected": {**_LIST, "auditor": {"GET": 404, "POST": 405}},
    },
}
