"""preflight: the offline preview of the BetterPrompts Pulumi program.

``python -m preflight STACK`` runs the real program for a stack under Pulumi's mock
runtime, with no CLI, plugins or cloud account, and reports what it would register.
"""
