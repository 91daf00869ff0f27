"""What a member's question is about: which of an event's facts, or none the bot may
answer on its own (money, accessibility, food, travel, someone else's seat...)."""

from __future__ import annotations

import re
from enum import StrEnum


class EventTopic(StrEnum):
    schedule = "schedule"
    location = "location"
    seats = "seats"
    deadline = "deadline"
    online = "online"
    credits = "credits"
    certificate = "certificate"
    approval = "approval"
    sessions = "sessions"  # which sessions are required or optional
    about = "about"  # the event in general: "tell me about...", "details for..."


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# Checked first: any of these makes the question the organizers' even if it also mentions
# a topic ("where do I park?", "how much is a seat?", "can my colleague take my seat?").
NOT_OURS = _any(
    r"refund|reimburs|money back|\bprice|\bcosts?\b|\bfees?\b|how much|\bpay|invoice|receipt",
    r"accessib|wheelchair|accommodat|interpreter|\basl\b|caption|disabilit|hearing",
    r"(reduced|limited) mobility|mobility (aid|device|impair\w*|issue|need|scooter|limit\w*)",
    r"service (animal|dog)|lactation|child ?care|\bramp|elevator|quiet room",
    r"diet|vegetarian|vegan|gluten|allerg|halal|kosher|\bfood|lunch|breakfast|dinner|\bmeals?\b",
    r"snack|coffee|cater",
    r"\bpark(ing|ed)?\b|validat|shuttle|hotel|lodging|travel|flight|mileage|per diem",
    r"colleague|co-?worker|some(one|body) else|substitut|transfer|in my place|instead of me",
    r"\bguests?\b|plus[- ]one|\bbring (a|my|someone)|take my (seat|spot|place)|give (away )?my",
    r"arrive late|leave early|swap|\bextend|\bexception\b|waive|\bpo\b|purchase order",
    r"\bcpes?\b|cissp|\bcount(s)? (for|towards?)",
    r"record(ed|ing)?\b|\bslides?\b|handouts?|materials|wi-?fi|password|dress code|attire",
    r"\bvisa\b|invitation letter|count (for|towards?)|accepted by|licen[cs]e|\bboard\b",
    r"approv(e|ed|al) (my|me)|\bwhy\b|\brates?\b|discount|scholarship",
    # When or how a certificate arrives, or fixing one, is the organizers' business.
    r"certific\w*.*\b(when|emailed|sent|send|download|mail|reissue|re-issue|wrong|misspel"
    r"|typo|correct|lost|name)\b|\bwhen\b.*certific",
)

EVENT_NOUN = (
    r"(it|this|that|the (event|workshop|conference|webinar|training|session|meeting|class"
    r"|course|track|summit))"
)
# In order of precedence: "when does registration close?" is about the deadline, not the
# schedule, and "how many CE hours?" about credits.
TOPIC_CUES: dict[EventTopic, re.Pattern[str]] = {
    EventTopic.approval: _any(
        r"approv|first come|pre-?screen|vetted|screened|by invitation|invite only",
    ),
    EventTopic.sessions: _any(
        r"\boptional\b|\brequired\b|mandatory|elective|\bskip\b|have to (attend|go)",
        r"(need|must|should) (i |we )?(to )?attend (every|all|each)",
        r"attend (every|all|each) (session|class|module)",
    ),
    EventTopic.certificate: _any(
        r"certific|\bcerts?\b|proof of attendance",
        r"\beligib(le|ility)\b(?! (to (register|attend|join|sign)|for (the )?member))",
    ),
    EventTopic.credits: _any(
        r"\bcredits?\b|\bce ?hours?\b|\bceus?\b|\bcecs?\b|\bpdhs?\b|continuing ed",
        r"\baicp\b|\bcm (credits?|hours?)\b|\bcle\b",
    ),
    EventTopic.online: _any(
        r"\bonline\b|\bzoom\b|\bteams\b|webex|\bvirtual(ly)?\b|\bremote(ly)?\b|stream",
        r"(join|meeting|webinar|call|zoom|the) link\b|link to (join|the (call|meeting))",
        r"dial[- ]?in|hybrid|in[- ]person|from home",
    ),
    EventTopic.deadline: _any(
        r"deadline|until when|how late|too late|last (day|chance) to",
        r"(registrations?|sign[- ]?ups?) (clos|end|open|start)",
        r"(register|sign up|signup|enroll|enrol)\w* (by|until|before|still)",
        r"still (register|sign up|enroll|enrol|join)|registration (still )?open",
        r"when (can|do|does|should|must) (i|we|you|one) (register|sign up|enroll)",
        r"(how|where) (do|can|should) (i|we) (register|sign up|enroll)",
    ),
    EventTopic.seats: _any(
        r"\bseats?\b|\bspots?\b|\bspaces? (left|available)|places? left|room (left|for)",
        r"\bfull\b(?![- ](day|schedule|agenda|program|address|name))|capacity|sold out",
        r"(has|have|any|got|still|is there|enough) (room|space)|\bspace (in|for|at)\b",
        r"how many (more )?(ppl|people|persons|attendees)? ?(can|could) (still )?(register|sign"
        r"|join|attend|come)|seat limit|max(imum)? (attendees|people|capacity)",
        r"wait ?list|waiting list|how many (people|attendees)",
        r"still available|availability",
    ),
    EventTopic.location: _any(
        r"\bvenue\b|address|\blocation\b|located|\bmap\b|directions|get there",
        r"(which|what) (room|building|floor)",
        rf"where('s| is| are| will| does| do)? {EVENT_NOUN}",
        r"where .*(take place|taking place|happen|held|hosted|located)",
        r"where (are we|do (i|we) go)",
        r"\b(is|are) (it|this|that|they) (at|in|held at|held in|located at)\b",
    ),
    EventTopic.schedule: _any(
        r"\bwh?en\b|what time|which day|what day|what date|\bdates?\b|schedule|agenda",
        r"\b(start|starts|starting|begin|begins|end|ends|finish|finishes)\b|how long",
        r"how many (hours|days)",
        r"\btimes?\b|o'?clock|timezone|time zone|still (on|happening)|postponed",
        rf"(is|was|has) {EVENT_NOUN} (been )?cancel",
    ),
}


def topics_of(question: str) -> list[EventTopic]:
    """What the question asks about among the event's facts, most specific first;
    empty when it is not clearly one of them, or is the organizers' to answer."""
    text = re.sub(r"\s+", " ", question.casefold().replace("’", "'"))
    if NOT_OURS.search(text):
        return []
    found = {topic for topic, cue in TOPIC_CUES.items() if cue.search(text)}
    if EventTopic.deadline in found:  # "when does registration close?" is not the schedule
        found.discard(EventTopic.schedule)
        if EventTopic.seats in found and "how many" in text:  # "how many can still register"
            found.discard(EventTopic.deadline)
    if found & {EventTopic.approval, EventTopic.sessions}:  # "approval required to register?"
        found -= {EventTopic.deadline, EventTopic.schedule, EventTopic.seats}
        if EventTopic.approval in found:
            found.discard(EventTopic.sessions)
    if found & {EventTopic.certificate, EventTopic.credits}:
        found -= {EventTopic.schedule, EventTopic.seats}  # "how many hours"/"at the end"
    if EventTopic.credits in found and "cert" not in text:  # "eligible for CE credit?"
        found.discard(EventTopic.certificate)
    if EventTopic.seats in found and "wait" in text:  # "how long is the waitlist?"
        found.discard(EventTopic.schedule)
    return [topic for topic in TOPIC_CUES if topic in found]


# -- formatting ------------------------------------------------------------------------------
