"""The one-stop shops' staff screens at /desk/counter/ (the queue itself is
``channels.counter``; the public display and kiosk stay there too)."""
