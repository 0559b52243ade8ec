"""The staff desk at /desk/: the shared queue, case pages, actions, supervisor views."""
