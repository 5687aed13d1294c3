"""The BetterPrompts CrossGuard policy pack (validators live in importable modules here)."""
