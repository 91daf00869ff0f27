"""Understanding what people type: "cybersecurity trainings in Chicago next month",
"what time is that in Pacific?". Deterministic and explainable, no model:

- text: normalization and words with their places in the original text;
- vocabulary: the names of regions (with their aliases), topics (with synonyms), kinds of
  event and time zones, loaded from the database;
- dates: time expressions ("tomorrow", "next month", "in January", "Dec 12") as ranges;
- linker: finds those entities in a text and says what is left once they are removed;
- titles: events named by their title, slug or part of a title, fuzzily;
- query: the API's and the web's ``q=`` as filters.

The core's API and web use it for ``q=``; the Slack bot for its commands and questions.
"""
