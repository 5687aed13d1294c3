"""BetterPrompts reusable Pulumi components."""
