"""axe-core finds no serious or critical accessibility problem on the public pages (the back
office: test_admin_accessibility.py)."""

import pytest

from .axe_checks import blocking, describe, violations_on

pytestmark = pytest.mark.browser

SEED_URL = (
    "/news/tajik-customs-officials-learn-from-finnish-experience-in-osce-organized-study-visit/"
)
PAGES = [
    pytest.param("/", id="home"),
    pytest.param("/news/", id="listing"),
    pytest.param("/news/?field=border-management&country=tajikistan", id="filtered-listing"),
    pytest.param(SEED_URL, id="article"),
    pytest.param("/structures/programme-office-in-dushanbe/", id="structure"),
    pytest.param("/countries/tajikistan/", id="country"),
    pytest.param("/fields-of-work/border-management/", id="field-of-work"),
    # Sub-topics (osce.yaml): nested in the filter panel, the index and their field's page.
    pytest.param("/news/?field=media-freedom-and-development", id="listing-subtopics"),
    # A search that finds nothing, with its "Did you mean …?" and every option at 0.
    pytest.param("/news/?q=tadjikistan", id="listing-did-you-mean"),
    pytest.param("/fields-of-work/", id="fields-of-work-index"),
    pytest.param("/fields-of-work/media-freedom-and-development/", id="field-with-subtopics"),
    pytest.param("/fields-of-work/safety-of-journalists/", id="subtopic"),
    # In Russian: the site's words, the names of the taxonomy and the items all in Russian, with
    # English items marked as such.
    pytest.param("/ru/", id="home-ru"),
    pytest.param("/ru/news/", id="listing-ru"),
    pytest.param("/ru/news/?field=border-management&country=tajikistan", id="filtered-listing-ru"),
    pytest.param(f"/ru{SEED_URL.removesuffix('/')}-ru/", id="article-ru"),
    pytest.param("/ru/countries/tajikistan/", id="country-ru"),
    # Tajik content under Russian words.
    pytest.param("/tg/news/", id="listing-tg"),
    # Asking for email alerts.
    pytest.param("/alerts/subscribe/?field=border-management&country=tajikistan", id="alerts"),
    pytest.param("/ru/alerts/subscribe/?country=tajikistan", id="alerts-ru"),
    pytest.param("/alerts/check-your-email/", id="alerts-check-email"),
    # A feed opened in the browser (news/feed_pages.py).
    pytest.param("/news/rss/?field=border-management", id="feed-page"),
    pytest.param("/ru/news/atom/?country=tajikistan", id="feed-page-ru"),
    # Numbered pages, and the notice an old link's redirect lands on (issue 19).
    pytest.param("/news/?page=2", id="listing-page-2"),
    pytest.param("/news/?country=atlantis&field=border-management", id="listing-old-link-notice"),
]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_serious_accessibility_violations(page, screenshot, path):
    response = page.goto(path)
    assert response.ok, f"{path} answered {response.status}"
    screenshot(page)
    found = blocking(violations_on(page))
    assert not found, f"axe-core on {path}:\n{describe(found)}"


@pytest.mark.parametrize("device", ["small", "mobile", "desktop"], indirect=True)
@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/news/", id="listing"),
        pytest.param("/news/?field=border-management&country=tajikistan", id="filtered-listing"),
    ],
)
def test_listing_has_no_serious_violations_on_every_screen(page, screenshot, path):
    """At 320, 375 and 1,280 px, with the filter panel and the menu open as a visitor opens
    them on that screen."""
    assert page.goto(path).ok
    if page.locator(".filter-toggle").is_visible():
        page.locator(".filter-toggle").click()
    if page.locator(".menu-toggle").is_visible():
        page.locator(".menu-toggle").click()
    screenshot(page)
    found = blocking(violations_on(page))
    assert not found, f"axe-core on {path}:\n{describe(found)}"


def test_the_400_page_of_a_malformed_filter_has_no_serious_violations(page, screenshot):
    path = "/news/?country=tajikistan&from=2013-13-45"
    response = page.goto(path)
    assert response.status == 400
    screenshot(page)
    found = blocking(violations_on(page))
    assert not found, f"axe-core on {path}:\n{describe(found)}"
