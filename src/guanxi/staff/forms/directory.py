"""Forms for stores, staff members and the organisation settings."""
