"""HTTP request and response models of the appraisal service."""
