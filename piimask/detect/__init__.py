"""piimask.detect."""
