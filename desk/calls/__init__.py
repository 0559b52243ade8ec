"""The contact-centre calls panel at /desk/calls/: live calls, screen pop, wrap-up, call-backs."""
