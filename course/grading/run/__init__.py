"""Running the student's code in a sandbox, and checking code exercises outside it."""
