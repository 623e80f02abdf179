"""The national-scale world for performance work: `manage.py generate_world` (world.py)."""
