"""The planner: classes packed into slots by an exact solver, re-planned with the fewest moves."""
