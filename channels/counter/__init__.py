"""The walk-in counter: tickets per office and day, desks, call next, the waiting-area display.

Counter staff raise and update cases through ``services.actions`` (channel ``counter``); this
app only owns the queue of people standing in the one-stop shop.
"""
