"""Block Kit for questions and answers (pure)."""

from __future__ import annotations

from bot.blocks import ANSWER_MODAL, ANSWER_QUESTION, SAVE_TO_FAQ, escape


def asked(user_id: str, text: str) -> str:
    return f"<@{user_id}> asked: {escape(text)}"


def escalation(question_id: int, user_id: str, text: str, event_title: str | None) -> list:
    about = f" about *{escape(event_title)}*" if event_title else ""
    return [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f":raising_hand: <@{user_id}> asked{about}:\n>{escape(text)[:2500]}\n"
                "I wasn't sure, so I told them an organizer will answer.",
            },
        },
        {
            "type": "actions",
            "block_id": f"question:{question_id}",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Answer"},
                    "action_id": ANSWER_QUESTION,
                    "value": str(question_id),
                    "style": "primary",
                }
            ],
        },
    ]


def answer_modal(question_id: int, text: str) -> dict:
    return {
        "type": "modal",
        "callback_id": ANSWER_MODAL,
        "private_metadata": str(question_id),
        "title": {"type": "plain_text", "text": "Answer a question"},
        "submit": {"type": "plain_text", "text": "Post answer"},
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f">{escape(text)[:2900]}"}},
            {
                "type": "input",
                "block_id": "answer",
                "label": {"type": "plain_text", "text": "Your answer (posted in their thread)"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "answer",
                    "multiline": True,
                    "max_length": 3000,
                },
            },
        ],
    }


def organizer_answer(asker_id: str, organizer_id: str, text: str) -> str:
    return f"<@{asker_id}> an organizer (<@{organizer_id}>) answered:\n{escape(text)}"


def answered(question_id: int, question: str, answer: str, organizer_id: str) -> list:
    return [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f":white_check_mark: <@{organizer_id}> answered:\n"
                f">{escape(question)[:1200]}\n{escape(answer)[:1500]}",
            },
        },
        {
            "type": "actions",
            "block_id": f"faq:{question_id}",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Save to FAQ"},
                    "action_id": SAVE_TO_FAQ,
                    "value": str(question_id),
                }
            ],
        },
    ]


def saved(question: str, answer: str, organizer_id: str) -> list:
    return [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f":books: Saved to the FAQ by <@{organizer_id}>:\n"
                f">{escape(question)[:1200]}\n{escape(answer)[:1500]}",
            },
        }
    ]
