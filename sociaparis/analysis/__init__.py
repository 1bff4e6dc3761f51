"""Analysis: design-based survey statistics, agreement between coders, disclosure control."""
