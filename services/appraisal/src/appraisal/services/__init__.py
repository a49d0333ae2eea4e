"""Use cases of the appraisal service."""
