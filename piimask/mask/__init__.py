"""piimask.mask."""
