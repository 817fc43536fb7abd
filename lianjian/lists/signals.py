"""Signals other apps may listen to (e.g. projects creating a project from a confirmed claim)."""

from django.dispatch import Signal

# Sent inside claim_confirm's transaction with ``claim`` and ``actor``; a receiver that raises
# rolls the confirmation back.
claim_confirmed = Signal()
