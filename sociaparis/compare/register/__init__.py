"""The transport strand's register: cases from repeat instances, the register of
systems, AI Act screening and standard transparency exports."""
