"""Development sets that piimask makes itself (fixed seeds, invented values, own templates)."""
