"""The bot's question set: realistic member questions, a fixed world to ask them in, and a
grader that judges each reply against the API's data at the moment of asking.

- ``world``: the coalition the questions are asked in, built through the API, its dates
  placed relative to a ``now`` the caller gives;
- ``questions_events``, ``questions_people``: the questions, tagged with intent and
  expected behaviour;
- ``asking``: sends them to the real app as signed Slack requests and collects what the
  fake Slack received;
- ``grader``: pure; reply + facts -> correct / escalated / declined / missed / wrong / leak;
- ``report``: runs everything against a fresh server and writes docs/bot_accuracy.md.
"""
