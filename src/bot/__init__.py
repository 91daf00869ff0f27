"""The Slack bot: slash commands, Block Kit cards, App Home, DMs and questions in channels."""
