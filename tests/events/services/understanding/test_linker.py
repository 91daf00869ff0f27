"""The entity linker on the demo coalition's names, at a fixed instant."""

from __future__ import annotations

import pytest

from events.services.understanding.linker import link
from events.services.understanding.vocabulary import MEMBER_ZONE
from tests.events.services.understanding.vocabulary_fixture import NOW, demo_vocabulary

VOCABULARY = demo_vocabulary()
AZ = {"southern-arizona", "the-connective"}


def _link(text: str, **options):
    return link(text, VOCABULARY, now=NOW, timezone="America/Denver", **options)


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        ("events in Phoenix", {"the-connective"}),
        ("anything in the Valley?", {"the-connective"}),
        ("Tucson workshops", {"southern-arizona"}),
        ("southern arizona", {"southern-arizona"}),
        ("what's on in AZ", AZ),
        ("Arizona", AZ),
        ("Chicago next month", {"illinois"}),
        ("KC", {"kansas-city"}),
        ("kansas city", {"kansas-city"}),
        ("Jacksonville", {"north-florida"}),
        ("JAX", {"north-florida"}),
        ("DFW", {"north-texas"}),
        ("Fort Worth", {"north-texas"}),
        ("Denver", {"colorado"}),
        ("events in CO", {"colorado"}),
        ("events in tuscon", {"southern-arizona"}),  # one typing slip
        ("The Connective", {"the-connective"}),
    ],
)
def test_regions_by_name_alias_and_slip(text, regions):
    assert set(_link(text).regions) == regions


def test_two_letter_aliases_need_capitals_in_a_sentence_but_not_in_a_search_box():
    assert not _link("can my co-host come?").regions
    assert not _link("events in co").regions
    assert _link("cybersecurity co", strict_case=False).regions == {"colorado"}


def test_longest_name_first():
    links = _link("Kansas City training track")
    assert links.regions == {"kansas-city"} and links.kinds == {"training_track"}


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        ("cyber stuff", ["cybersecurity"]),
        ("transit and mobility", ["transportation"]),
        ("broadband", ["connectivity"]),
        ("wi-fi", ["connectivity"]),
        ("climate", ["environment"]),
        ("resiliance", ["resilience"]),  # a slip
    ],
)
def test_topics_by_name_and_synonym(text, topics):
    assert _link(text).topics == topics


def test_kinds_and_what_is_left():
    links = _link("which cybersecurity trainings are in Chicago next month?")
    assert links.regions == {"illinois"}
    assert links.topics == ["cybersecurity"]
    assert links.kinds == frozenset()  # "trainings" are any events that teach
    assert links.dates is not None and links.dates.label == "next month (January 2027)"
    assert links.rest == "which trainings are in ?"
    assert _link("any webinars or workshops").kinds == {"webinar", "workshop"}


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("what time is that in Pacific?", "America/Los_Angeles"),
        ("in eastern time", "America/New_York"),
        ("start time ET?", "America/New_York"),
        ("in CT", "America/Chicago"),
        ("arizona time", "America/Phoenix"),
        ("in my time", MEMBER_ZONE),
        ("et cetera", None),  # "et" in lower case is no zone
    ],
)
def test_time_zones(text, zone):
    assert _link(text).zone == zone


def test_an_arizona_time_is_a_zone_not_a_region():
    links = _link("what time is it in arizona time")
    assert links.zone == "America/Phoenix" and not links.regions
