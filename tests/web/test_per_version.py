"""What the dashboards computed is kept per store version (decision 020): asked again, it is read, not computed;
when a load publishes a new version (a new file renamed into the store's place), the next request computes from it
and nothing of the old version is shown again."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from carelens.model.store import Store
from carelens.web.dashboards import content
from carelens.web.store import PerVersion, version_identity

pytestmark = pytest.mark.django_db


def _publish(source, store):
    """As a load publishes a version: a whole new file, renamed into the store's place."""
    beside = store.with_name(".next.duckdb")
    shutil.copy(source, beside)
    os.replace(beside, store)


@pytest.fixture()
def live(tmp_path, small_store_path, settings):
    path = tmp_path / "live.duckdb"
    shutil.copy(small_store_path, path)
    settings.STORE = str(path)
    return path


def test_a_value_is_computed_once_per_version_and_again_for_a_new_one(live, tiny_store_path):
    kept: PerVersion[str] = PerVersion("test")
    computed = []

    def version_read(store: Store, la_code: str) -> str:
        computed.append(store.version.version_id)
        return store.version.version_id

    first = kept.get("k", version_read)
    assert kept.get("k", version_read) == first and len(computed) == 1  # read, not computed again
    before = version_identity()
    _publish(tiny_store_path, live)
    assert version_identity() != before
    second = kept.get("k", version_read)
    with Store(tiny_store_path, read_only=True) as tiny:
        assert second == tiny.version.version_id != first
    assert len(computed) == 2


def test_the_identity_of_a_version_ignores_readers_links(live):
    before = version_identity()
    with Store(live, read_only=True):  # a reader opens the store through a hard link of its own
        assert version_identity() == before


def _main(client, url: str) -> str:
    """The page's main content (the rest of the page holds this response's own CSRF token and nonce)."""
    html = client.get(url).content.decode()
    return html[html.index("<main"):html.index("</main>")]


def test_a_page_shows_the_new_version_at_the_next_request(live, tiny_store_path, client_as):
    client = client_as("analyst")
    before = _main(client, "/indicators/C8/")
    assert _main(client, "/indicators/C8/") == before  # from the cache: the same page
    _publish(tiny_store_path, live)
    after = _main(client, "/indicators/C8/")
    with Store(tiny_store_path, read_only=True) as tiny:
        fresh = content.compute_indicator_page(tiny, "890", "C8")
    assert content.indicator_page("C8").store_version == fresh.store_version
    month = fresh.values("month").sort("period_end")
    cell = r'<td class="govuk-table__cell govuk-table__cell--numeric">(?:<a [^>]*>)?({})(?:<span[^<]*</span></a>)?</td>'
    numerators = re.findall(cell.format(r"[\d,]+|\[c\]") + r"\s*" + cell.format(r"[\d,]*") + "</tr>", after)
    assert [int(n.replace(",", "")) for n, _ in numerators] == month["numerator"].to_list()
    assert after != before
