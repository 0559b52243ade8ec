"""The staff desk at /desk/: every screen council staff use, behind one gate and one layout.

The shared queue, case and resident pages and the supervisor's queue health live here at the
top; ``calls/`` (the contact-centre panel), ``counter/`` (the one-stop shops' staff screens),
``dashboards/``, ``search/`` and ``simulator/`` are its rooms. Every view is wrapped by
``desk.gate.staff_required``.

Dependencies run one way: the desk imports the domain (``services``), the channels' own
actions (``channels.counter.queue``, ``channels.voice.actions``), ``reports`` and ``search``;
nothing below imports the desk.
"""
