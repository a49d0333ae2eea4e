"""The appraisal service's own MongoDB collections."""
