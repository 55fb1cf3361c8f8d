"""The Inbox tab: texts customers and agents sent, as conversations, with a reply box."""
