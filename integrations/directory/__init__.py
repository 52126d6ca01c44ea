"""Static YAML directory (people, managers, service areas, procurement channel) for demos."""
