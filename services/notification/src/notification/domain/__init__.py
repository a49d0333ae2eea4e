"""Pure rules of the notification service: who hears what (``routing``), in which words (``messages``),
on which channels (``preferences``), when a deadline reminder is due (``deadlines``) and how a webhook is
signed, addressed and retried (``webhooks``). No I/O here."""
