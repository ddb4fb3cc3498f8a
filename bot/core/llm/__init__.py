"""Optional LLM help: a second opinion on uncertain messages and a tailored explanation.

Off unless ``OPENAI_API_KEY`` is set. Retrieval stays the decision-maker: the model may
only raise a verdict (:mod:`~bot.core.llm.combine`), never lower one or create a group
alert, and every failure falls back to the retrieval-only answer. This package imports
nothing heavy at import time; the ``openai`` client is loaded only when configured.
"""
