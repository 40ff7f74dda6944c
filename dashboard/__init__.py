"""greenwall: real-time command screens for the city greening and city-appearance bureau."""
