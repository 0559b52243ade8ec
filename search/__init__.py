"""Case and resident search for staff, site search for residents: one interface, two backends."""
