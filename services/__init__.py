"""The service catalogue and the one shared case queue for both councils.

Every change of state goes through ``services.actions``. ``services`` never imports
``portal`` or ``channels``: it records outbound messages and lets the channel backends deliver
them.
"""
