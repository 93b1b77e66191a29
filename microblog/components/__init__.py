"""Reusable UI pieces. They render state; they hold no logic of their own."""
