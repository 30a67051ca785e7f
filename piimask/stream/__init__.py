"""piimask.stream."""
