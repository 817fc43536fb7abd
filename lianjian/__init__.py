"""lianjian (联建): regional party-building co-construction platform."""

__version__ = "0.1.0"
