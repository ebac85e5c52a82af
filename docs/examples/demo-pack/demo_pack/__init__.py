"""The lessons are in lessons/; asyncshell reads them without importing this package."""
