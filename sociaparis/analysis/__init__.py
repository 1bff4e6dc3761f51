"""Analysis: design-based survey statistics, coder agreement, disclosure control."""
