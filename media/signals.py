"""Signals of the media library, for the apps above it (which this app never imports)."""

from django.dispatch import Signal

# Sent with ``image`` once its renditions are stored: pages showing it can now use them.
renditions_ready = Signal()
