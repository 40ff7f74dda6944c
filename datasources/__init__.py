"""Data sources: Redis live feeds, the snapshot database, embedded services, the simulator."""
