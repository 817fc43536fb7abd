"""Database backends: Django's own, with the few changes lianjian's settings need."""
