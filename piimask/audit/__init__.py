"""piimask.audit."""
