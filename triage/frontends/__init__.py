"""Front ends: thin layers over the shared Session (terminal interview, kiosk)."""
