"""The one-command demo: synthetic traffic and a side-by-side view of what the worker did."""
