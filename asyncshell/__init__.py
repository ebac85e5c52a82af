"""asyncshell: a terminal shell for learning asyncio by doing."""

__version__ = "0.1.0"
