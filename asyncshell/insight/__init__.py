"""What the loop is doing and what went wrong: teaching features on the live loop."""
