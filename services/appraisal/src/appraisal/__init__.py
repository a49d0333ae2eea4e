"""Appraisal service: employee registry, SKP, evaluations, ratings and the predikat."""
