"""Knowledge-base administration in a private chat with the bot (``/kb``, ``/review``).

- :mod:`.handlers`: Telegram updates in, routed to the flows (the only module PTB sees);
- :mod:`.flows`: the guided flows as a table of steps and transitions, and the sessions;
- :mod:`.adding`, :mod:`.changing`: what each step does, through the kb service;
- :mod:`.review`: the queue of reported messages;
- :mod:`.views`: message bodies and keyboards; :mod:`.forms`: parsing what admins type;
- :mod:`.state`, :mod:`.ui`: what they share (services, sessions; the admin's chat).
"""

from bot.adapter.admin.handlers import KnowledgeAdmin

__all__ = ["KnowledgeAdmin"]
