"""The LINE Messaging API bot and the reminder worker: a thin interface over the core.

``webhook`` serves ``POST /line/webhook``; ``conversation`` decides what to answer; ``flex`` builds
the messages; ``client`` talks to LINE's API; ``worker`` pushes the reminders a user asked for.
"""
